"""Test environments (testmiljöer): where a matched innovator tests their idea with the host
department — what is offered, the agreed aims, the period, the data-sharing agreement.
The workspace shared by innovator, host contact and facilitator hangs off it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext_lazy as _

from samskapa.calls.uploads import private_storage
from samskapa.core.querysets import VisibleQuerySet


class EnvironmentStatus(models.TextChoices):
    PLANNED = "planned", _("Being planned")
    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")


class TestEnvironment(models.Model):
    __test__ = False  # not a test class, whatever pytest guesses from the name

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="test_environments"
    )
    journey = models.ForeignKey(
        "journeys.Journey",
        verbose_name=_("innovator journey"),
        on_delete=models.CASCADE,
        related_name="test_environments",
    )
    # The confirmed match it was created for; empty when an operator created it by hand.
    match = models.OneToOneField(
        "matching.Match",
        verbose_name=_("match"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_environment",
    )
    challenge = models.ForeignKey(
        "challenges.Challenge",
        verbose_name=_("challenge"),
        on_delete=models.PROTECT,
        related_name="test_environments",
    )
    host_department = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host department"),
        on_delete=models.PROTECT,
        related_name="hosted_test_environments",
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_environment_contacts",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_test_environments",
    )
    # What the host department offers (the challenge's offer is the starting point).
    target_group_access = models.TextField(_("access to the target group"), blank=True)
    premises = models.TextField(_("premises"), blank=True)
    data_offered = models.TextField(_("data"), blank=True)
    staff_time = models.TextField(_("staff time"), blank=True)
    budget = models.PositiveIntegerField(_("budget (SEK)"), null=True, blank=True)
    aims = models.TextField(_("agreed aims"), blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    data_agreement_signed = models.BooleanField(
        _("data-sharing (GDPR) agreement signed"), default=False
    )
    # The signed agreement: a file in private storage (see calls/uploads.py), never a public URL.
    data_agreement_file = models.CharField(max_length=300, blank=True, editable=False)
    data_agreement_filename = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnvironmentStatus.choices,
        default=EnvironmentStatus.PLANNED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "challenge_id", "id"]
        verbose_name = _("test environment")
        verbose_name_plural = _("test environments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="test_environment_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.journey.innovator.full_name} – {self.challenge.title}"

    def get_absolute_url(self):
        return reverse("environments:detail", args=[self.pk])


# --- The workspace shared by the innovator, the host department and the facilitators ---


class Task(models.Model):
    environment = models.ForeignKey(TestEnvironment, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="environment_tasks",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["done", models.F("due_on").asc(nulls_last=True), "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        """Not done and its due date has passed (in the programme's time zone)."""
        from django.utils import timezone

        today = today or timezone.localdate()
        return not self.done and self.due_on is not None and self.due_on < today


class Meeting(models.Model):
    environment = models.ForeignKey(
        TestEnvironment, on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("when"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        from django.utils import formats, timezone

        when = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{when} {self.place}".strip()


class WorkspaceFile(models.Model):
    """A file shared in the workspace: its type checked from the content (calls/uploads.py),
    kept in private storage under a random name, served only by permission-checked views."""

    environment = models.ForeignKey(TestEnvironment, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("environments:file", args=[self.environment_id, self.pk])


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Test environment set up")
    EDITED = "edited", _("Test environment changed")
    STATUS = "status", _("Status changed")
    AGREEMENT = "agreement", _("Data-sharing agreement attached")
    TASK_ADDED = "task_added", _("Task added")
    TASK_DONE = "task_done", _("Task done")
    TASK_REOPENED = "task_reopened", _("Task not done after all")
    MEETING = "meeting", _("Meeting added")
    FILE = "file", _("File added")


class TimelineEntry(models.Model):
    """What happened in a test environment and its workspace, dated and with who did it.

    Its own table rather than a reading of the audit log: the audit log is the operators' (its
    entries carry every changed field, some of them not for the innovator's eyes), while the
    timeline is read by everyone in the workspace; and one indexed foreign key to the
    environment is one cheap query where the audit log would need a content type and object id
    per kind of workspace record. The services write both in the same transaction."""

    environment = models.ForeignKey(
        TestEnvironment, on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(max_length=20, choices=TimelineKind.choices)
    # What it was about, as written then (a task's title, a file's name, "Running → Paused").
    subject = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone_now, db_index=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self):
        return (
            f"{self.get_kind_display()}: {self.subject}"
            if self.subject
            else self.get_kind_display()
        )
