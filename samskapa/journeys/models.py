"""An innovator's journey through a programme's four phases.

One journey per innovator and programme. It starts when a match is confirmed (or an operator
adds the innovator by hand) in phase 2, "Test environments & business development": phase 1,
recruitment, is what brought them in. It moves only through gates decided by the steering
group (go / iterate / pause / stop); the method is iterative, so a journey can go back.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskapa.core.querysets import VisibleQuerySet
from samskapa.programmes.models import PhaseKind


class JourneyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    COMPLETED = "completed", _("Completed")


class Journey(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="journeys"
    )
    innovator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("innovator"),
        on_delete=models.PROTECT,
        related_name="journeys",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journeys",
    )
    # The application that brought the innovator into the programme, when there was one.
    application = models.ForeignKey(
        "calls.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journeys",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_journeys",
    )
    phase = models.PositiveSmallIntegerField(
        _("phase"), choices=PhaseKind.choices, default=PhaseKind.TEST_ENVIRONMENT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JourneyStatus.choices, default=JourneyStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "innovator__full_name", "id"]
        verbose_name = _("innovator journey")
        verbose_name_plural = _("innovator journeys")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "innovator"], name="one_journey_per_innovator_and_programme"
            )
        ]

    def __str__(self):
        who = self.organisation.name if self.organisation_id else self.innovator.full_name
        return f"{who} – {self.get_phase_display()}"

    def get_absolute_url(self):
        return reverse("journeys:detail", args=[self.pk])


class GateOutcome(models.TextChoices):
    """What a facilitator recommends and the steering group decides at a gate."""

    GO = "go", _("Go")
    ITERATE = "iterate", _("Iterate")
    PAUSE = "pause", _("Pause")
    STOP = "stop", _("Stop")


class Gate(models.Model):
    """A gate review of a journey at its current phase: the phase's criteria as a checklist,
    the facilitator's recommendation, the steering group's decision. Kept forever; a decided
    gate never changes. At most one open (undecided) gate per journey."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="gates"
    )
    journey = models.ForeignKey(
        Journey, verbose_name=_("innovator journey"), on_delete=models.CASCADE, related_name="gates"
    )
    phase = models.PositiveSmallIntegerField(_("phase"), choices=PhaseKind.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    # The facilitator's recommendation.
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=GateOutcome.choices, blank=True
    )
    recommendation_text = models.TextField(_("the recommendation's reasons"), blank=True)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommended_at = models.DateTimeField(null=True, blank=True)
    # The steering group's decision.
    decision = models.CharField(
        _("decision"), max_length=10, choices=GateOutcome.choices, blank=True
    )
    rationale = models.TextField(_("rationale"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    members_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members present"),
        blank=True,
        related_name="gates_present_at",
    )
    meeting = models.ForeignKey(
        "journeys.GroupMeeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gate_decisions",
    )
    # The decision's effect, kept for the history.
    phase_after = models.PositiveSmallIntegerField(
        _("phase after"), choices=PhaseKind.choices, null=True, blank=True
    )
    status_after = models.CharField(
        _("status after"), max_length=20, choices=JourneyStatus.choices, blank=True
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["journey_id", "opened_at", "id"]
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        constraints = [
            models.UniqueConstraint(
                fields=["journey"],
                condition=Q(decision=""),
                name="one_open_gate_per_journey",
                violation_error_message=_("This journey already has an open gate."),
            )
        ]

    def __str__(self):
        return _("Gate of %(phase)s – %(journey)s") % {
            "phase": self.get_phase_display(),
            "journey": self.journey.innovator.full_name,
        }

    def get_absolute_url(self):
        return reverse("journeys:gate", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)

    @property
    def awaits_decision(self) -> bool:
        return bool(self.recommendation) and not self.decision


class GateCheck(models.Model):
    """One criterion of the phase on a gate's checklist: met or not, with evidence. The
    criterion's text is copied, so the history reads as it was decided."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(
        "programmes.GateCriterion", null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.CharField(_("criterion"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    met = models.BooleanField(_("met"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["gate_id", "position", "id"]
        verbose_name = _("gate criterion check")
        verbose_name_plural = _("gate criterion checks")

    def __str__(self):
        return self.text


class GroupKind(models.TextChoices):
    STEERING_GROUP = "steering_group", _("Steering group")
    NEEDS_OWNER = "needs_owner", _("Needs-owner group")


class GroupMeeting(models.Model):
    """A meeting of the programme's steering group or of its needs-owner group."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="group_meetings"
    )
    kind = models.CharField(_("group"), max_length=20, choices=GroupKind.choices)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="group_meetings_attended",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "-starts_at", "id"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")

    def __str__(self):
        from django.utils.formats import date_format
        from django.utils.timezone import localtime

        when = date_format(localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} {when}"

    def get_absolute_url(self):
        return reverse("journeys:meeting", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(GroupMeeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("agenda item"), max_length=300)
    journey = models.ForeignKey(
        Journey,
        verbose_name=_("innovator journey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )

    class Meta:
        ordering = ["meeting_id", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


class DeclaredConflict(models.Model):
    """An attendee's declared conflict of interest at a meeting: about an agenda item and/or a
    journey. A conflicted member cannot be recorded as present for that journey's decision
    taken at the meeting."""

    meeting = models.ForeignKey(GroupMeeting, on_delete=models.CASCADE, related_name="conflicts")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    journey = models.ForeignKey(
        Journey,
        verbose_name=_("innovator journey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")

    def __str__(self):
        return f"{self.member} – {self.journey or self.item}"
