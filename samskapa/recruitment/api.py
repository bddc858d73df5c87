"""The recruitment lab and the funnel in the API (mounted by samskapa/api/views.py). The same
permission module and services as the pages: a record outside what the caller may see answers
404, one they may see but not act on 403, bad input 422 with the service's message (nothing is
stored)."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from samskapa.accounts import permissions
from samskapa.api.schemas import (
    ErrorOut,
    FunnelOut,
    FunnelSnapshotOut,
    LabAnswerIn,
    LabInvitationIn,
    LabInvitationOut,
    LabMoveIn,
    LabSlotIn,
    LabSlotOut,
    MyLabInvitationOut,
    ValidationErrorOut,
)
from samskapa.calls.models import STOCKHOLM, Application, Call
from samskapa.recruitment import funnel, services
from samskapa.recruitment.models import SEAT_HOLDING, LabInvitation, LabSlot

router = Router(tags=["recruitment lab"])

WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _call(request, pk: int, action: str) -> Call:
    return permissions.get_visible_or_404(
        request.user, Call.objects.select_related("programme"), action=action, pk=pk
    )


def _slots():
    return LabSlot.objects.select_related("call__programme").annotate(
        places_taken=Count("invitations", filter=Q(invitations__status__in=SEAT_HOLDING))
    )


def _invitations():
    return LabInvitation.objects.select_related(
        "slot", "application__call__programme", "application__applicant"
    )


def _slot_fields(payload: LabSlotIn) -> dict:
    fields = payload.dict()
    for name in ("starts_at", "ends_at"):
        if timezone.is_naive(fields[name]):
            fields[name] = fields[name].replace(tzinfo=STOCKHOLM)
    return fields


# --- Times (operators) ---


@router.get("/calls/{pk}/lab-slots", response={200: list[LabSlotOut], 403: ErrorOut, 404: ErrorOut})
def list_lab_slots(request, pk: int):
    """The times of the call's recruitment lab, with the places taken (invited or accepted)."""
    call = _call(request, pk, "call.manage_lab")
    return _slots().filter(call=call).order_by("starts_at", "pk")


@router.post("/calls/{pk}/lab-slots", response={201: LabSlotOut, **WRITE})
def add_lab_slot(request, pk: int, payload: LabSlotIn):
    call = _call(request, pk, "call.manage_lab")
    try:
        slot = services.add_slot(call, by=request.user, **_slot_fields(payload))
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _slots().get(pk=slot.pk))


def _slot(request, pk: int) -> LabSlot:
    return permissions.get_visible_or_404(request.user, _slots(), action="call.manage_lab", pk=pk)


@router.put("/lab-slots/{pk}", response={200: LabSlotOut, **WRITE})
def update_lab_slot(request, pk: int, payload: LabSlotIn):
    """Change a time: the invited applicants get the updated calendar event by e-mail."""
    slot = _slot(request, pk)
    try:
        services.update_slot(slot, by=request.user, **_slot_fields(payload))
    except ValidationError as error:
        return _invalid(error)
    return _slots().get(pk=slot.pk)


@router.delete("/lab-slots/{pk}", response={204: None, **WRITE})
def remove_lab_slot(request, pk: int):
    """Remove a time nobody is invited to (move or cancel its invitations first)."""
    slot = _slot(request, pk)
    try:
        services.remove_slot(slot, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return Status(204, None)


# --- Invitations (operators) ---


@router.get(
    "/calls/{pk}/lab-invitations",
    response={200: list[LabInvitationOut], 403: ErrorOut, 404: ErrorOut},
)
def list_lab_invitations(request, pk: int):
    call = _call(request, pk, "call.manage_lab")
    return _invitations().filter(application__call=call).order_by("pk")


@router.post("/calls/{pk}/lab-invitations", response={201: LabInvitationOut, **WRITE})
def invite(request, pk: int, payload: LabInvitationIn):
    """Invite a shortlisted applicant of the call to one of its lab times: they get an e-mail
    with the calendar invitation (METHOD:REQUEST)."""
    call = _call(request, pk, "call.manage_lab")
    # Through the visibility rule, as every lookup: a draft, another call's application and
    # one that does not exist all answer 404 alike.
    application = permissions.get_visible_or_404(
        request.user,
        Application.objects.filter(call=call),
        action="call.manage_lab",
        pk=payload.application_id,
    )
    slot = LabSlot.objects.filter(pk=payload.slot_id, call=call).first()
    try:
        invitation = services.invite(application, slot, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _invitations().get(pk=invitation.pk))


def _invitation(request, pk: int, action: str | None) -> LabInvitation:
    return permissions.get_visible_or_404(request.user, _invitations(), action=action, pk=pk)


@router.post("/lab-invitations/{pk}/move", response={200: LabInvitationOut, **WRITE})
def move(request, pk: int, payload: LabMoveIn):
    """Move an invitation to another time (SEQUENCE + 1, e-mailed; the applicant answers
    again)."""
    invitation = _invitation(request, pk, "call.manage_lab")
    slot = LabSlot.objects.filter(
        pk=payload.slot_id, call_id=invitation.application.call_id
    ).first()
    try:
        services.move(invitation, slot, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return _invitations().get(pk=invitation.pk)


@router.post("/lab-invitations/{pk}/cancel", response={200: LabInvitationOut, **WRITE})
def cancel(request, pk: int):
    """Cancel an invitation (METHOD:CANCEL e-mailed)."""
    invitation = _invitation(request, pk, "call.manage_lab")
    try:
        services.cancel(invitation, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return _invitations().get(pk=invitation.pk)


# --- The applicant ---


@router.get("/lab-invitations/mine", response=list[MyLabInvitationOut])
def my_lab_invitations(request):
    """The caller's own invitations to recruitment labs, newest first."""
    return _invitations().filter(application__applicant=request.user).order_by("-created_at")


@router.post("/lab-invitations/{pk}/response", response={200: MyLabInvitationOut, **WRITE})
def respond(request, pk: int, payload: LabAnswerIn):
    """The applicant's answer: "accept" or "decline" (until the time begins)."""
    invitation = _invitation(request, pk, "lab_invitation.respond")
    try:
        services.respond(invitation, by=request.user, answer=payload.answer)
    except ValidationError as error:
        return _invalid(error)
    return _invitations().get(pk=invitation.pk)


# --- The funnel ---


@router.get("/calls/{pk}/funnel", response={200: FunnelOut, 403: ErrorOut, 404: ErrorOut})
def call_funnel(request, pk: int):
    """The call's funnel now, by gender and innovator type: exact for its operators; for the
    steering group and needs owners, groups under 5 are "fewer_than_5" and, where one could be
    worked out, another group is "hidden" (docs/permissions.md, "The funnel")."""
    call = _call(request, pk, "call.view_funnel")
    exact = permissions.can(request.user, "call.view_funnel_exact", call)
    return funnel.as_json(funnel.compute(call), exact=exact)


@router.get(
    "/calls/{pk}/funnel/snapshots",
    response={200: list[FunnelSnapshotOut], 403: ErrorOut, 404: ErrorOut},
)
@paginate(PageNumberPagination)
def call_funnel_snapshots(request, pk: int):
    """The funnel as it was at each decision (newest first), as stored then, with the same
    suppression as the current figures."""
    call = _call(request, pk, "call.view_funnel")
    return call.funnel_snapshots.select_related("call__programme").order_by("-taken_at", "-pk")
