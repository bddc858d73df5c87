"""The recruitment lab: operators set out its times and invite shortlisted applicants, who
accept or decline; every step is checked, audited and, where it concerns the applicant, mailed
with the calendar attached. The funnel is snapshotted at each invitation and cancellation.

Every function is one transaction: it checks the actor's permission, validates before storing
anything, writes one audit entry and queues e-mail on commit.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.audit.services import diff, record
from samskapa.calls.models import Application, ApplicationStatus, Call, Decision
from samskapa.recruitment import funnel, ics
from samskapa.recruitment.models import (
    SEAT_HOLDING,
    FunnelSnapshot,
    InvitationStatus,
    LabInvitation,
    LabSlot,
    SnapshotReason,
)
from samskapa.recruitment.notifications import invitation_mail_on_commit

SLOT_FIELDS = ("starts_at", "ends_at", "place", "video_url", "capacity", "note")
# A change to these is news to the invited: they get the updated calendar event.
ANNOUNCED_FIELDS = ("starts_at", "ends_at", "place", "video_url", "note")
# A change of time asks the invited to answer again.
TIME_FIELDS = ("starts_at", "ends_at")

ANSWERS = {"accept": InvitationStatus.ACCEPTED, "decline": InvitationStatus.DECLINED}

# Lock order, the same in every function here: the application, then lab slots (by primary
# key when there are two), then invitations. Two transactions that take the same rows in the
# same order wait for each other instead of deadlocking (update_slot takes a slot and then its
# invitations; respond and move take the invitation's slot before the invitation).


# --- Time slots (operators) ---


@transaction.atomic
def add_slot(call: Call, *, by: User, **fields) -> LabSlot:
    permissions.require(by, "call.manage_lab", call)
    slot = LabSlot(call=call, **_slot_fields(fields))
    slot.full_clean()
    slot.save()
    record(
        actor=by,
        action="recruitment.slot.added",
        obj=slot,
        programme=call.programme,
        changes=diff({}, _slot_state(slot)),
    )
    return slot


@transaction.atomic
def update_slot(slot: LabSlot, *, by: User, **fields) -> LabSlot:
    """Change a time; the applicants holding or offered a seat in it get the updated event (and
    are asked to answer again when its time changed). The capacity cannot drop below the seats
    taken. The returned slot's `told` is how many applicants were mailed the change."""
    permissions.require(by, "call.manage_lab", slot.call)
    slot = LabSlot.objects.select_for_update().select_related("call__programme").get(pk=slot.pk)
    before = _slot_state(slot)
    original = {name: getattr(slot, name) for name in SLOT_FIELDS}
    for name, value in _slot_fields(fields).items():
        setattr(slot, name, value)
    slot.full_clean()
    taken = slot.invitations.filter(status__in=SEAT_HOLDING).count()
    if slot.capacity < taken:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "%(count)s invited applicant holds a place at this time: the capacity "
                    "cannot be less. Move or cancel invitations first.",
                    "%(count)s invited applicants hold a place at this time: the capacity "
                    "cannot be less. Move or cancel invitations first.",
                    taken,
                )
                % {"count": taken}
            }
        )
    slot.save()
    slot.told = 0
    changes = diff(before, _slot_state(slot))
    if not changes:
        return slot
    record(
        actor=by,
        action="recruitment.slot.updated",
        obj=slot,
        programme=slot.call.programme,
        changes=changes,
    )
    announced = [name for name in ANNOUNCED_FIELDS if getattr(slot, name) != original[name]]
    if announced:
        retimed = any(name in TIME_FIELDS for name in announced)
        invitations = _loaded(slot.invitations.exclude(status=InvitationStatus.CANCELLED))
        for invitation in invitations.select_for_update(of=("self",)):
            previous = invitation.status
            invitation.sequence += 1
            if retimed and previous == InvitationStatus.ACCEPTED:
                invitation.status, invitation.responded_at = InvitationStatus.INVITED, None
            invitation.save(update_fields=["sequence", "status", "responded_at", "updated_at"])
            if previous != InvitationStatus.DECLINED:
                _mail(invitation, "changed", ics.REQUEST)
                slot.told += 1
    return slot


@transaction.atomic
def remove_slot(slot: LabSlot, *, by: User) -> None:
    call = slot.call
    permissions.require(by, "call.manage_lab", call)
    slot = LabSlot.objects.select_for_update().get(pk=slot.pk)
    active = slot.invitations.exclude(status=InvitationStatus.CANCELLED).count()
    if active:
        raise ValidationError(
            ngettext(
                "%(count)s invitation is to this time (invited, accepted or declined): move "
                "or cancel it before you remove the time.",
                "%(count)s invitations are to this time (invited, accepted or declined): move "
                "or cancel them before you remove the time.",
                active,
            )
            % {"count": active}
        )
    text = str(slot)
    slot.invitations.update(slot=None)  # cancelled ones forget the time that no longer exists
    slot.delete()
    record(
        actor=by,
        action="recruitment.slot.removed",
        obj=call,
        programme=call.programme,
        changes={"lab_slot": [text, None]},
    )


def _slot_fields(fields: dict) -> dict:
    unknown = set(fields) - set(SLOT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown lab slot fields: {sorted(unknown)}")
    return {
        name: ("" if value is None and name in ("place", "video_url", "note") else value)
        for name, value in fields.items()
    }


def _slot_state(slot: LabSlot) -> dict:
    return {
        "starts_at": slot.starts,
        "ends_at": slot.ends,
        "place": slot.place or None,
        "video_url": slot.video_url or None,
        "capacity": slot.capacity,
        "note": slot.note or None,
    }


# --- Invitations (operators) ---


@transaction.atomic
def invite(application: Application, slot: LabSlot | None, *, by: User) -> LabInvitation:
    """Invite a shortlisted applicant to a time of their call's lab (again, after a
    cancellation or after they declined: the same calendar event, a higher SEQUENCE, a new
    e-mail; the time may be the one they declined or another)."""
    permissions.require(by, "call.manage_lab", application.call)
    application = (
        Application.objects.select_for_update()
        .select_related("call__programme", "applicant")
        .get(pk=application.pk)
    )
    slot = _slot_of(application.call, slot)
    if not (application.is_submitted and application.shortlisted):
        raise ValidationError(_("Only shortlisted applications can be invited to the lab."))
    invitation = (
        LabInvitation.objects.select_for_update(of=("self",))
        .filter(application=application)
        .first()
    )
    if (
        invitation is not None
        and invitation.is_open
        and invitation.status != InvitationStatus.DECLINED
    ):
        raise ValidationError(
            _("This applicant is already invited to the lab: move the invitation instead.")
        )
    _require_a_free_place(slot)
    before = None
    if invitation is None:
        invitation = LabInvitation(application=application, slot=slot)
    else:
        before = f"{invitation.get_status_display()}"
        invitation.slot, invitation.status = slot, InvitationStatus.INVITED
        invitation.sequence += 1
        invitation.responded_at = None
    invitation.save()
    invitation.application = application
    record(
        actor=by,
        action="recruitment.invitation.sent",
        obj=invitation,
        programme=application.call.programme,
        changes={
            "lab_slot": [None, str(slot)],
            "status": [before, str(InvitationStatus.INVITED.label)],
        },
    )
    _mail(invitation, "invited", ics.REQUEST)
    snapshot_funnel(application.call, reason=SnapshotReason.INVITED, by=by)
    return invitation


@transaction.atomic
def move(invitation: LabInvitation, slot: LabSlot | None, *, by: User) -> LabInvitation:
    """Move an invitation to another time of the lab (or offer a declined one again, for the
    same time or another): the applicant gets the updated event (SEQUENCE + 1) and is asked to
    answer again."""
    call = invitation.application.call
    permissions.require(by, "call.manage_lab", call)
    slot = _slot_of(call, slot, also=invitation.slot_id)
    invitation = _locked(invitation)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is cancelled: invite the applicant again."))
    if slot.pk == invitation.slot_id and invitation.status != InvitationStatus.DECLINED:
        raise ValidationError({"slot": _("The invitation is already for this time.")})
    _require_a_free_place(slot)
    before = (str(invitation.slot), invitation.get_status_display())
    invitation.slot, invitation.status = slot, InvitationStatus.INVITED
    invitation.sequence += 1
    invitation.responded_at = None
    invitation.save()
    record(
        actor=by,
        action="recruitment.invitation.moved",
        obj=invitation,
        programme=call.programme,
        changes={
            "lab_slot": [before[0], str(slot)],
            "status": [before[1], str(InvitationStatus.INVITED.label)],
        },
    )
    _mail(invitation, "moved", ics.REQUEST)
    return invitation


@transaction.atomic
def cancel(invitation: LabInvitation, *, by: User) -> LabInvitation:
    """Cancel an invitation: the applicant's calendar gets METHOD:CANCEL for the event."""
    invitation = _locked(invitation)  # no slot lock needed: it frees a place, takes none
    call = invitation.application.call
    permissions.require(by, "call.manage_lab", call)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is already cancelled."))
    before = invitation.get_status_display()
    invitation.status = InvitationStatus.CANCELLED
    invitation.sequence += 1
    invitation.save(update_fields=["status", "sequence", "updated_at"])
    record(
        actor=by,
        action="recruitment.invitation.cancelled",
        obj=invitation,
        programme=call.programme,
        changes={"status": [before, str(InvitationStatus.CANCELLED.label)]},
    )
    _mail(invitation, "cancelled", ics.CANCEL)
    snapshot_funnel(call, reason=SnapshotReason.INVITATION_CANCELLED, by=by)
    return invitation


# --- The applicant's answer ---


@transaction.atomic
def respond(invitation: LabInvitation, *, by: User, answer: str) -> LabInvitation:
    """The applicant accepts or declines (and may change their mind until the time begins;
    accepting again after declining needs a free place)."""
    invitation = _locked_with_slot(invitation)
    permissions.require(by, "lab_invitation.respond", invitation)
    if answer not in ANSWERS:
        raise ValidationError({"answer": _("Answer accept or decline.")})
    if not invitation.is_open:
        raise ValidationError(_("This invitation was cancelled by the organisers."))
    if invitation.slot.starts_at <= timezone.now():
        raise ValidationError(
            _("The lab time has begun: the invitation can no longer be answered.")
        )
    status = ANSWERS[answer]
    if invitation.status == status:
        return invitation
    if status == InvitationStatus.ACCEPTED and not invitation.holds_a_seat:
        _require_a_free_place(
            invitation.slot,  # locked by _locked_with_slot
            message=_(
                "This time has been filled since you declined. Ask the organisers for another time."
            ),
        )
    before = invitation.get_status_display()
    invitation.status, invitation.responded_at = status, timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    record(
        actor=by,
        action=f"recruitment.invitation.{'accepted' if answer == 'accept' else 'declined'}",
        obj=invitation,
        programme=invitation.application.call.programme,
        changes={"status": [before, invitation.get_status_display()]},
    )
    return invitation


# --- Helpers ---


def _loaded(invitations):
    return invitations.select_related(
        "slot", "application__call__programme", "application__applicant"
    )


def _locked(invitation: LabInvitation) -> LabInvitation:
    """The invitation, locked. Lock its slot(s) first (see the lock order at the top)."""
    return _loaded(LabInvitation.objects.select_for_update(of=("self",))).get(pk=invitation.pk)


def _locked_with_slot(invitation: LabInvitation) -> LabInvitation:
    """The invitation, locked after its slot (the lock order at the top)."""
    slot_id = LabInvitation.objects.filter(pk=invitation.pk).values_list("slot_id", flat=True)
    slot_id = slot_id.get()
    if slot_id is not None:
        LabSlot.objects.select_for_update().filter(pk=slot_id).first()
    locked = _locked(invitation)
    if locked.slot_id != slot_id:
        # Moved to another time between the two reads: that slot is not locked.
        raise ValidationError(
            _("The invitation was changed just now. Reload the page and try again.")
        )
    return locked


def _slot_of(call: Call, slot: LabSlot | None, *, also: int | None = None) -> LabSlot:
    """The slot, locked (so two invitations cannot take its last place), if it is the call's
    and has not begun. `also`: another slot to lock with it (the invitation's current one),
    the two by primary key so that concurrent moves lock them in the same order."""
    wanted = getattr(slot, "pk", None)
    ids = [pk for pk in {wanted, also} if pk is not None]
    locked = {
        found.pk: found
        for found in LabSlot.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    found = locked.get(wanted)
    if found is None or found.call_id != call.pk:
        raise ValidationError({"slot": _("Choose one of the times of this call's lab.")})
    if found.starts_at <= timezone.now():
        raise ValidationError(
            {
                "slot": _("The time %(slot)s has already begun: choose a later one.")
                % {"slot": found}
            }
        )
    return found


def _require_a_free_place(slot: LabSlot, message=None) -> None:
    taken = slot.invitations.filter(status__in=SEAT_HOLDING).count()
    if taken >= slot.capacity:
        raise ValidationError(
            {
                "slot": message
                or ngettext(
                    "The time %(slot)s is full (%(capacity)s place). Choose another time or "
                    "raise its capacity.",
                    "The time %(slot)s is full (%(capacity)s places). Choose another time or "
                    "raise its capacity.",
                    slot.capacity,
                )
                % {"slot": slot, "capacity": slot.capacity}
            }
        )


def _mail(invitation: LabInvitation, kind: str, method: str) -> None:
    slot = invitation.slot
    application = invitation.application
    call = application.call
    invitation_mail_on_commit(
        application.applicant.email,
        {
            "kind": kind,
            "call": call.title,
            "programme": call.programme.name,
            "period": slot.period,
            "place": slot.place,
            "video_url": slot.video_url,
            "note": slot.note,
            "url": settings.SITE_URL + application.get_absolute_url(),
        },
        ics.invitation_calendar(invitation, method),
        method,
    )


# --- The funnel ---


def snapshot_funnel(call: Call, *, reason: str, by: User | None) -> FunnelSnapshot:
    """Store the call's funnel as it is now, with the reason (a SnapshotReason value). Called by
    the services that change a stage (their permission checks apply); the snapshot is never
    changed afterwards."""
    if reason not in SnapshotReason.values:
        raise ValueError(
            f"Unknown funnel snapshot reason {reason!r}: one of {SnapshotReason.values}"
        )
    return FunnelSnapshot.objects.create(
        call=call,
        by=by if by is not None and by.is_authenticated else None,
        reason=reason,
        figures=funnel.compute(call),
    )


def lab_of(call: Call) -> dict:
    """The call's lab as the operators' page shows it: the times with their invitations and
    free places, the shortlisted applicants not yet invited, and the open invitations whose
    application has since been taken off the shortlist or decided not selected (`attention`;
    each open invitation has `.attention`, the reason or None). Three queries."""
    slots = list(call.lab_slots.order_by("starts_at", "pk"))
    by_slot = {slot.pk: [] for slot in slots}
    invitations = _loaded(LabInvitation.objects.filter(application__call=call)).select_related(
        "application__organisation"
    )
    cancelled = []
    invited_ids = set()
    attention = []
    for invitation in invitations.order_by("pk"):
        if invitation.is_open:
            by_slot[invitation.slot_id].append(invitation)
            invited_ids.add(invitation.application_id)
            invitation.attention = _needs_attention(invitation.application)
            if invitation.attention:
                attention.append(invitation)
        else:
            cancelled.append(invitation)
    rows = []
    for slot in slots:
        taken = sum(1 for i in by_slot[slot.pk] if i.holds_a_seat)
        rows.append({"slot": slot, "invitations": by_slot[slot.pk], "free": slot.capacity - taken})
    waiting = (
        call.applications.filter(shortlisted=True, status=ApplicationStatus.SUBMITTED)
        .exclude(Q(pk__in=invited_ids))
        .select_related("applicant", "organisation")
        .order_by("applicant__full_name", "pk")
    )
    return {"rows": rows, "cancelled": cancelled, "waiting": waiting, "attention": attention}


def _needs_attention(application: Application):
    """Why an open invitation no longer fits its application (None when it does). The lab does
    not cancel it by itself: the operators decide (cancel it, or shortlist again)."""
    if application.decision == Decision.NOT_SELECTED:
        return _("Decided not selected since the invitation: cancel it, or keep it on purpose.")
    if not application.shortlisted:
        return _("Taken off the shortlist since the invitation: cancel it, or keep it on purpose.")
    return None
