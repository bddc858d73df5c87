"""The recruitment lab's pages (operators), the applicant's answer and calendar file, and the
funnel with gender balance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.calls.models import Application, Call
from samskapa.core.forms import add_service_errors
from samskapa.recruitment import funnel, ics, services
from samskapa.recruitment.forms import LabSlotForm
from samskapa.recruitment.models import InvitationStatus, LabInvitation, LabSlot

SNAPSHOTS_PER_PAGE = 20


def _call(request, pk, action):
    return permissions.get_visible_or_404(
        request.user, Call.objects.select_related("programme"), action=action, pk=pk
    )


@login_required
def lab(request, pk):
    """The call's lab: its times with who is invited to each, the shortlisted applicants still
    to invite, and a form for a new time."""
    call = _call(request, pk, "call.manage_lab")
    form = LabSlotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_slot(call, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The time is added to the lab."))
            return redirect("recruitment:lab", call.pk)
    return render(
        request,
        "recruitment/lab.html",
        {"call": call, "programme": call.programme, "form": form, **services.lab_of(call)},
    )


def _slot(request, pk):
    return permissions.get_visible_or_404(
        request.user,
        LabSlot.objects.select_related("call__programme"),
        action="call.manage_lab",
        pk=pk,
    )


@login_required
def edit_slot(request, pk):
    slot = _slot(request, pk)
    form = LabSlotForm(request.POST or None, instance=slot)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_slot(slot, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The time is saved. The invited applicants got the changes.")
                if saved.told
                else _("The time is saved."),
            )
            return redirect("recruitment:lab", slot.call_id)
    return render(
        request, "recruitment/slot_form.html", {"form": form, "slot": slot, "call": slot.call}
    )


@login_required
@require_POST
def remove_slot(request, pk):
    slot = _slot(request, pk)
    try:
        services.remove_slot(slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The time is removed."))
    return redirect("recruitment:lab", slot.call_id)


def _chosen_slot(request, call_id):
    """The slot picked in a form (None when it is not one of the call's: the service says so)."""
    pk = request.POST.get("slot", "")
    return LabSlot.objects.filter(pk=pk, call_id=call_id).first() if pk.isdigit() else None


def _back(request, call_id):
    # Only the two pages that have these buttons: no redirect to an address from the form.
    if request.POST.get("next") == "reviews":
        return redirect("calls:reviews", call_id)
    return redirect("recruitment:lab", call_id)


@login_required
@require_POST
def invite(request, pk):
    application = permissions.get_visible_or_404(
        request.user,
        Application.objects.select_related("call__programme", "applicant"),
        action="call.manage_lab",
        pk=pk,
    )
    slot = _chosen_slot(request, application.call_id)
    try:
        services.invite(application, slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is invited to the lab; the invitation is on its way.")
            % {"name": application.applicant.full_name or application.applicant.email},
        )
    return _back(request, application.call_id)


def _invitation(request, pk, action):
    return permissions.get_visible_or_404(
        request.user,
        LabInvitation.objects.select_related(
            "slot", "application__call__programme", "application__applicant"
        ),
        action=action,
        pk=pk,
    )


@login_required
@require_POST
def move(request, pk):
    invitation = _invitation(request, pk, "call.manage_lab")
    call_id = invitation.application.call_id
    declined = invitation.status == InvitationStatus.DECLINED
    try:
        services.move(invitation, _chosen_slot(request, call_id), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation is offered again; the applicant is asked to answer.")
            if declined
            else _("The invitation is moved; the applicant got the new time."),
        )
    return _back(request, call_id)


@login_required
@require_POST
def cancel(request, pk):
    invitation = _invitation(request, pk, "call.manage_lab")
    try:
        services.cancel(invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The invitation is cancelled; the applicant is told."))
    return _back(request, invitation.application.call_id)


@login_required
@require_POST
def respond(request, pk):
    invitation = _invitation(request, pk, "lab_invitation.respond")
    answer = request.POST.get("answer", "")
    try:
        invitation = services.respond(invitation, by=request.user, answer=answer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Thank you: you have accepted the invitation.")
            if answer == "accept"
            else _("Thank you: you have declined the invitation."),
        )
    return redirect(invitation.application)


@login_required
def invitation_ics(request, pk):
    """The invitation for the applicant's (or an operator's) calendar: PUBLISH while it stands,
    CANCEL once cancelled, with the same UID and SEQUENCE as the e-mails."""
    invitation = _invitation(request, pk, None)
    if invitation.slot is None:
        raise Http404
    method = ics.PUBLISH if invitation.is_open else ics.CANCEL
    response = HttpResponse(
        ics.invitation_calendar(invitation, method), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="samskapa-recruitment-lab.ics"'
    return response


@login_required
def funnel_page(request, pk):
    """The call's funnel now and at each decision: exact for the operators, with small groups
    suppressed for the steering group and the needs owners."""
    call = _call(request, pk, "call.view_funnel")
    exact = permissions.can(request.user, "call.view_funnel_exact", call)
    snapshots = Paginator(
        call.funnel_snapshots.select_related("by").order_by("-taken_at", "-pk"), SNAPSHOTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    history = [
        {"snapshot": snapshot, "funnel": funnel.present(snapshot.figures, exact=exact)}
        for snapshot in snapshots
    ]
    return render(
        request,
        "recruitment/funnel.html",
        {
            "call": call,
            "exact": exact,
            "now": funnel.present(funnel.compute(call), exact=exact),
            "history": history,
            "page": snapshots,
            "small_group": funnel.SMALL_GROUP,
            "can_manage": permissions.can(request.user, "call.manage_lab", call),
        },
    )
