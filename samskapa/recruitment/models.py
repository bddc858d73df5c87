"""The recruitment lab (rekryteringslabb) of a call: its time slots, the shortlisted applicants'
invitations to them, and snapshots of the call's funnel taken at each decision."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from samskapa.calls.models import stockholm_time
from samskapa.core.querysets import VisibleQuerySet


class LabSlot(models.Model):
    """A time in the recruitment lab: when, where (a place, a video link or both), how many."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="lab_slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("Address and room, if you meet.")
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        help_text=_("Only the invited applicants see it (never the public calendar)."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many applicants this time can take."),
    )
    note = models.TextField(
        _("note to the invited"),
        blank=True,
        help_text=_("E.g. what to prepare. Sent with the invitation; not public."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "starts_at", "id"]
        verbose_name = _("lab time slot")
        verbose_name_plural = _("lab time slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="lab_slot_ends_after_it_starts",
                violation_error_message=_("The time must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_url=""),
                name="lab_slot_has_place_or_link",
                violation_error_message=_("Give a place, a video link or both."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="lab_slot_capacity_at_least_one",
                violation_error_message=_("The capacity must be at least 1."),
            ),
        ]

    def __str__(self):
        return self.period

    @property
    def period(self) -> str:
        """E.g. "2030-11-05 09:00–12:00" in Stockholm time (the end's date only if it differs)."""
        starts, ends = self.starts, self.ends
        return f"{starts}–{ends[-5:] if ends[:10] == starts[:10] else ends}"

    @property
    def programme(self):
        return self.call.programme

    @property
    def starts(self) -> str:
        return stockholm_time(self.starts_at)

    @property
    def ends(self) -> str:
        return stockholm_time(self.ends_at)


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# An invitation holds a seat in its time slot while it is open or accepted.
SEAT_HOLDING = (InvitationStatus.INVITED, InvitationStatus.ACCEPTED)


class LabInvitation(models.Model):
    """A shortlisted applicant's invitation to one time of the lab. One per application: moving
    it to another time, cancelling it and inviting again keep the same calendar UID and raise
    its SEQUENCE, so the applicant's calendar updates the one event."""

    application = models.OneToOneField(
        "calls.Application", on_delete=models.CASCADE, related_name="lab_invitation"
    )
    # Only a cancelled invitation may lose its time (when that time is removed).
    slot = models.ForeignKey(
        LabSlot, null=True, on_delete=models.PROTECT, related_name="invitations"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    sequence = models.PositiveIntegerField(_("calendar sequence number"), default=0)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["slot__starts_at", "id"]
        verbose_name = _("lab invitation")
        verbose_name_plural = _("lab invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=InvitationStatus.CANCELLED) | Q(slot__isnull=False),
                name="lab_invitation_has_a_slot_unless_cancelled",
            )
        ]

    def __str__(self):
        return f"{self.application} – {self.slot or '–'}"

    @property
    def programme(self):
        return self.application.call.programme

    @property
    def applicant_id(self):
        """Whose invitation it is (permissions.OWNER_ACTIONS asks for this)."""
        return self.application.applicant_id

    @property
    def calendar_uid(self) -> str:
        return f"lab-invitation-{self.uid}@samskapa"

    @property
    def holds_a_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def is_open(self) -> bool:
        """Not cancelled: the applicant may still answer (or change their answer)."""
        return self.status != InvitationStatus.CANCELLED


class SnapshotReason(models.TextChoices):
    SHORTLISTED = "shortlisted", _("Shortlist changed")
    INVITED = "invited", _("Invited to the lab")
    INVITATION_CANCELLED = "invitation_cancelled", _("Lab invitation cancelled")
    DECISION = "decision", _("Selection decision")
    MATCHED = "matched", _("Matching")


class FunnelSnapshot(models.Model):
    """The call's funnel figures as they were at a decision, exactly as computed then: later
    edits to an applicant's profile change the current figures, never these."""

    call = models.ForeignKey(
        "calls.Call", on_delete=models.CASCADE, related_name="funnel_snapshots"
    )
    taken_at = models.DateTimeField(_("taken"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=30, choices=SnapshotReason.choices)
    figures = models.JSONField(_("figures"))  # samskapa.recruitment.funnel.compute's result

    class Meta:
        ordering = ["call_id", "-taken_at", "-id"]
        verbose_name = _("funnel snapshot")
        verbose_name_plural = _("funnel snapshots")

    def __str__(self):
        return f"{self.call} – {self.get_reason_display()} ({stockholm_time(self.taken_at)})"
