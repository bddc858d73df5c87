"""The toolbox (verktygslåda) and the workshops of a programme.

A `Tool` is a method, process or model: either one of the starter set (no programme, `key` set,
its texts translated from `starter.py`) or a programme's own (written by its operators, with an
optional uploaded template file in private storage). A `Workshop` is a session of a programme
with its invited people (`WorkshopInvitation`: who was invited, who attended, whether the
reminder was sent), the tools used and its follow-ups. Every invitation is one calendar event:
the workshop's stable UID and a SEQUENCE raised at every change the invited hear of.
"""

import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskapa.calls import uploads
from samskapa.calls.models import stockholm_time
from samskapa.core.querysets import VisibleQuerySet
from samskapa.programmes.models import PhaseKind
from samskapa.workshops.starter import STARTER_TOOLS


class ToolQuerySet(VisibleQuerySet):
    def in_phase(self, phase):
        return self.filter(phases__contains=str(int(phase)))


class Tool(models.Model):
    # Empty for the starter set, which every programme sees.
    programme = models.ForeignKey(
        "programmes.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tools",
    )
    # The starter tool's key in starter.STARTER_TOOLS (its texts come from there).
    key = models.CharField(max_length=50, blank=True, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    # The PhaseKind values the tool is for, as digits ("23": phases 2 and 3).
    phases = models.CharField(_("when in the process"), max_length=4)
    how_to = models.TextField(_("how to run it"), blank=True)
    duration = models.CharField(_("duration"), max_length=100, blank=True)
    materials = models.TextField(_("materials"), blank=True)
    template_file = models.FileField(
        storage=uploads.private_storage, max_length=200, blank=True, editable=False
    )
    template_name = models.CharField(max_length=255, blank=True, editable=False)
    template_content_type = models.CharField(max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ToolQuerySet.as_manager()

    class Meta:
        ordering = [F("programme_id").asc(nulls_first=True), "pk"]
        verbose_name = _("tool")
        verbose_name_plural = _("tools")
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="workshops_tool_unique_starter_key"
            ),
            models.CheckConstraint(
                condition=Q(programme__isnull=False) | ~Q(key=""),
                name="workshops_tool_starter_or_programme",
            ),
        ]

    def __str__(self):
        return str(self.title)

    @property
    def starter(self):
        return STARTER_TOOLS.get(self.key) if self.key else None

    def _text(self, name):
        starter = self.starter
        return getattr(starter, name) if starter else getattr(self, name)

    @property
    def title(self):
        return self._text("name")

    @property
    def purpose_text(self):
        return self._text("purpose")

    @property
    def how_to_text(self):
        return self._text("how_to")

    @property
    def duration_text(self):
        return self._text("duration")

    @property
    def materials_text(self):
        return self._text("materials")

    @property
    def sections(self):
        starter = self.starter
        return starter.sections if starter else ()

    @property
    def phase_list(self) -> list[int]:
        return [int(digit) for digit in self.phases if digit.isdigit()]

    @property
    def phase_labels(self) -> list[str]:
        return [PhaseKind(phase).label for phase in self.phase_list]

    @property
    def is_starter(self) -> bool:
        return bool(self.key)

    @property
    def has_uploaded_template(self) -> bool:
        return bool(self.template_file)


def single_line(value: str) -> None:
    """A title goes into e-mail subjects and calendar summaries: one line, no line breaks or
    other control characters (a line feed in a mail header makes every e-mail fail)."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value or ""):
        raise ValidationError(
            _("The title must be a single line, without line breaks or control characters."),
            code="single_line",
        )


class WorkshopStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")


class Workshop(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="workshops"
    )
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tools = models.ManyToManyField(
        Tool, verbose_name=_("tools used"), related_name="workshops", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WorkshopStatus.choices, default=WorkshopStatus.PLANNED
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence number"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workshop_ends_after_it_starts",
                violation_error_message=_("The workshop must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_url=""),
                name="workshop_has_place_or_link",
                violation_error_message=_("Give a place, a video link or both."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts})"

    def get_absolute_url(self):
        return reverse("workshops:detail", args=[self.pk])

    @property
    def calendar_uid(self) -> str:
        return f"workshop-{self.uid}@samskapa"

    @property
    def starts(self) -> str:
        return stockholm_time(self.starts_at)

    @property
    def ends(self) -> str:
        return stockholm_time(self.ends_at)

    @property
    def period(self) -> str:
        starts, ends = self.starts, self.ends
        return f"{starts}–{ends[-5:] if ends[:10] == starts[:10] else ends}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == WorkshopStatus.CANCELLED

    @property
    def is_hybrid(self) -> bool:
        return bool(self.place and self.video_url)


class WorkshopInvitation(models.Model):
    """One invited person: whether they attended (recorded afterwards) and the Stockholm
    calendar day of the start the day-before reminder was sent for (one reminder per person
    and day: a new time on the same day sends none, a new day allows a new one)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_invitations"
    )
    attended = models.BooleanField(_("attended"), default=False)
    reminded_for_day = models.DateField(null=True, blank=True, editable=False)
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workshop_id", "person__full_name", "pk"]
        verbose_name = _("workshop invitation")
        verbose_name_plural = _("workshop invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "person"], name="workshops_one_invitation_per_person"
            )
        ]

    def __str__(self):
        return f"{self.person} – {self.workshop}"


class FollowUp(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.CharField(_("follow-up"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_follow_ups",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", F("due_on").asc(nulls_last=True), "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self):
        return self.text

    @property
    def programme(self):
        return self.workshop.programme
