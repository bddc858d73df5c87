"""Template tags that put the recruitment lab on pages of the calls app: the invitation on an
application's page, and the lab's times and invitations on the review summary."""

from django import template
from django.utils import timezone

from samskapa.accounts import permissions
from samskapa.recruitment.models import LabInvitation

register = template.Library()


@register.inclusion_tag("recruitment/_invitation.html", takes_context=True)
def lab_invitation(context, application):
    """The application's lab invitation: to the applicant with their answer and calendar file,
    to the call's operators with a link to the lab; nothing to anyone else. One query."""
    user = context["request"].user
    is_own = application.applicant_id == user.pk
    manages = permissions.can(user, "call.manage_lab", application.call)
    invitation = None
    if is_own or manages:
        invitation = (
            LabInvitation.objects.select_related("slot").filter(application=application).first()
        )
    return {
        "application": application,
        "invitation": invitation,
        "is_own": is_own,
        "manages": manages,
        "can_answer": bool(
            is_own
            and invitation
            and invitation.is_open
            and invitation.slot.starts_at > timezone.now()
        ),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def lab_for(call):
    """The call's lab times and its invitations by application, for a page listing the call's
    applications. Two queries, whatever the number of applications."""
    invitations = LabInvitation.objects.filter(application__call=call).select_related("slot")
    return {
        "slots": list(call.lab_slots.order_by("starts_at", "pk")),
        "invitations": {invitation.application_id: invitation for invitation in invitations},
    }


@register.filter
def invitation_for(lab, application):
    return lab["invitations"].get(application.pk)


@register.inclusion_tag("recruitment/_links.html", takes_context=True)
def recruitment_links(context, call):
    """Links to the call's lab (its operators) and funnel (operators, steering group, needs
    owners), for a page about the call. No query."""
    user = context["request"].user
    return {
        "call": call,
        "lab": permissions.can(user, "call.manage_lab", call),
        "funnel": permissions.can(user, "call.view_funnel", call),
    }
