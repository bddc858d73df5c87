"""Links to the impact pages from other apps' templates, shown only to those who may open them."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from samskapa.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def challenge_dashboard_link(context, challenge):
    """ " · Impact dashboard of the challenge" for those with impact.view_challenge on it (the
    operators, the steering group, the department's needs owners); nothing for anyone else."""
    user = context["request"].user
    if challenge is None or not permissions.can(user, "impact.view_challenge", challenge):
        return ""
    return format_html(
        ' · <a href="{}">{}</a>',
        reverse("impact:challenge_dashboard", args=[challenge.pk]),
        _("Impact dashboard of the challenge"),
    )
