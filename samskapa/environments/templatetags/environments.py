"""The programme page's link to the test environments, for those who can see any."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def environments_link(context, programme):
    """A button to the programme's test environments the person takes part in (innovators:
    "My test environment", straight to it when they have one); nothing when there are none
    and they may not set one up. One query, none for operators."""
    user = context["request"].user
    index_url = reverse("environments:index", args=[programme.pk])
    if permissions.can(user, "environment.create", programme):  # operators: no query needed
        return format_html('<a class="button" href="{}">{}</a>', index_url, _("Test environments"))
    visible = list(
        permissions.visible(user, programme.test_environments.all()).values_list("pk", flat=True)[
            :2
        ]
    )
    if not visible:
        return ""
    roles = permissions.roles_in(user, programme)
    if Role.INNOVATOR in roles and Role.OPERATOR not in roles:
        if len(visible) == 1:
            url = reverse("environments:detail", args=[visible[0]])
            return format_html('<a class="button" href="{}">{}</a>', url, _("My test environment"))
        label = _("My test environments")
    else:
        label = _("Test environments")
    return format_html('<a class="button" href="{}">{}</a>', index_url, label)
