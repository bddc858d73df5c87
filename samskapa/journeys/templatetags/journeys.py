"""The programme page's links to the innovator journeys and, for the operators and the
steering group, the programme board. No query: the person's roles are cached per request."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from samskapa.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def journeys_links(context, programme):
    user = context["request"].user
    links = format_html(
        '<a class="button" href="{}">{}</a>',
        reverse("journeys:index", args=[programme.pk]),
        _("Innovator journeys"),
    )
    if permissions.can(user, "journey.view_board", programme):
        links += format_html(
            ' <a class="button" href="{}">{}</a>',
            reverse("journeys:board", args=[programme.pk]),
            _("Programme board"),
        )
    return links
