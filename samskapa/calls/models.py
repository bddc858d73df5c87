"""Open calls (utlysningar) for one or more published challenges, and the applications to them."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.calls import uploads
from samskapa.organisations.models import LegalForm, validate_org_number

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def stockholm_time(moment) -> str:
    """A moment as people in Sweden read a deadline: local date and time, 24-hour clock."""
    return timezone.localtime(moment, STOCKHOLM).strftime("%Y-%m-%d %H:%M")


class CallQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)

    def open_now(self):
        now = timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class Call(models.Model):
    """An open call for applications to one or more published challenges of a programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="calls"
    )
    challenges = models.ManyToManyField(
        "challenges.Challenge", verbose_name=_("challenges"), related_name="calls"
    )
    title = models.CharField(_("title"), max_length=200)
    eligibility = models.TextField(
        _("who may apply"), help_text=_("Who is eligible and what the call expects of them.")
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes (deadline)"))
    blind_review = models.BooleanField(
        _("blind review"),
        default=False,
        help_text=_("Needs owners and reviewers do not see who applied."),
    )
    # The review panel's spread: how many reviewers each submitted application got, and the
    # seed that makes the random spread repeatable (shown to the operators). None: no spread,
    # every reviewer on the panel reviews every submitted application.
    reviewers_per_application = models.PositiveSmallIntegerField(null=True, blank=True)
    spread_seed = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "title", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("The call must close after it opens."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:detail", args=[self.pk])

    @property
    def has_opened(self) -> bool:
        return self.opens_at <= timezone.now()

    @property
    def has_closed(self) -> bool:
        return self.closes_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.has_opened and not self.has_closed

    @property
    def deadline(self) -> str:
        return stockholm_time(self.closes_at)

    @property
    def opening(self) -> str:
        return stockholm_time(self.opens_at)


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    CHOICE = "choice", _("Choice of one option")
    NUMBER = "number", _("Number")
    RANKING = "ranking", _("Ranking of the call's challenges")
    FILE = "file", _("File upload")


class Question(models.Model):
    """One question of a call's application form."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    max_length = models.PositiveIntegerField(
        _("maximum length (characters)"), null=True, blank=True
    )
    choices = models.TextField(_("options"), blank=True, help_text=_("One option per line."))
    # Blind review hides who applied; a reviewer still needs something to recognise an idea
    # they are close to before declaring a conflict of interest. Only the operator knows which
    # answer names the idea rather than the people, so they mark it.
    before_declaring = models.BooleanField(
        _("shown to reviewers before they declare"),
        default=False,
        help_text=_(
            "In a blind review: the answer reviewers see before they declare a conflict of "
            "interest, such as the idea's name. Never a question about who applies."
        ),
    )
    # File questions: the types applicants may upload (uploads.FILE_KINDS codes) and how big.
    allowed_types = models.JSONField(_("allowed file types"), default=list, blank=True)
    max_size_mb = models.PositiveSmallIntegerField(_("largest file (MB)"), null=True, blank=True)

    class Meta:
        ordering = ["call_id", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.label

    def clean(self):
        super().clean()
        if self.kind != QuestionKind.FILE:
            return
        errors = {}
        types = self.allowed_types if isinstance(self.allowed_types, list) else []
        if not types or any(code not in uploads.FILE_KINDS for code in types):
            errors["allowed_types"] = _("Choose at least one allowed file type.")
        if self.max_size_mb is None:
            self.max_size_mb = uploads.default_max_mb()
        if not 1 <= self.max_size_mb <= uploads.ceiling_mb():
            errors["max_size_mb"] = _("Give a size limit from 1 to %(max)s MB.") % {
                "max": uploads.ceiling_mb()
            }
        if errors:
            raise ValidationError(errors)

    @property
    def is_file(self) -> bool:
        return self.kind == QuestionKind.FILE

    @property
    def size_limit_mb(self) -> int:
        return min(self.max_size_mb or uploads.default_max_mb(), uploads.ceiling_mb())

    @property
    def allowed_types_label(self) -> str:
        return uploads.kinds_label(self.allowed_types or [])

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def field_name(self) -> str:
        return f"q_{self.pk}"


class InnovatorType(models.TextChoices):
    ENTREPRENEUR = "entrepreneur", _("Social entrepreneur")
    INTRAPRENEUR = "intrapreneur", _("Intrapreneur in a public body")
    RESEARCHER = "researcher", _("Researcher")
    STUDENT = "student", _("Student")
    ORGANISATION = "organisation", _("Organisation (e.g. non-profit, cooperative)")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Decision(models.TextChoices):
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)


class Application(models.Model):
    """A person's application to a call. Becoming an innovator comes only with selection."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        limit_choices_to={"kind": "innovator"},
    )
    innovator_type = models.CharField(
        _("you apply as"), max_length=20, choices=InnovatorType.choices, blank=True
    )
    legal_form = models.CharField(
        _("legal form"), max_length=30, choices=LegalForm.choices, blank=True
    )
    org_number = models.CharField(
        _("organisation number"), max_length=11, blank=True, validators=[validate_org_number]
    )
    # Self-described and optional; used only in aggregate statistics (gender balance of the
    # selection), never shown next to a name to anyone but the applicant.
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {str(question id): answer}
    ranking = models.JSONField(default=list, blank=True)  # challenge ids, first choice first
    # The operators' selection, after the review panel.
    shortlisted = models.BooleanField(_("shortlisted"), default=False)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_rationale = models.TextField(_("rationale"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "-submitted_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "applicant"], name="one_application_per_call")
        ]

    def __str__(self):
        return f"{self.call} – {self.applicant}"

    def get_absolute_url(self):
        return reverse("calls:application", args=[self.pk])

    @property
    def programme(self):
        return self.call.programme

    @property
    def is_submitted(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED


class ApplicationFile(models.Model):
    """A file an applicant uploaded for a file question. The content's type was checked
    (uploads.inspect); the file is kept outside the web root under a random name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=uploads.private_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["application_id", "id"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_file_per_question"
            )
        ]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("calls:file", args=[self.application_id, self.pk])

    @property
    def programme(self):
        return self.application.call.programme

    def name_for(self, user, application=None) -> str:
        """The original name, or a neutral one for those from whom a blind-review call hides
        who applied (everyone but the applicant and the call's operators)."""
        from samskapa.accounts import permissions

        application = application or self.application
        call = application.call
        if (
            call.blind_review
            and application.applicant_id != user.pk
            and not permissions.can(user, "call.change", call)
        ):
            return self.neutral_name()
        return self.original_name

    def neutral_name(self) -> str:
        """The name shown where the applicant's identity is withheld (blind review): file
        names often carry a person's name."""
        kind = uploads.FILE_KINDS.get(self.kind_code)
        extension = kind.extension if kind else ""
        return f"application-{self.application_id}-file-{self.pk}{extension}"

    @property
    def kind_code(self) -> str | None:
        for code, kind in uploads.FILE_KINDS.items():
            if kind.mime == self.content_type:
                return code
        return None


@receiver(post_delete, sender=ApplicationFile)
def _remove_stored_file(sender, instance, **kwargs):
    # Storage housekeeping, not business logic: when the row goes (replaced, removed, or with
    # its application or question), the file goes once the deletion commits, never before.
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: uploads.private_storage.delete(name))


# --- The review panel ---


class Criterion(models.Model):
    """One criterion of a call's rubric: scored 1..scale_max, weighted in the total."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale_max = models.PositiveSmallIntegerField(
        _("top score"),
        default=5,
        validators=[MinValueValidator(2)],
        help_text=_("Scores go from 1 to this number."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call_id", "position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="criterion_weight_positive",
                violation_error_message=_("The weight must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gte=2),
                name="criterion_scale_at_least_two",
                violation_error_message=_("The top score must be at least 2."),
            ),
        ]

    def __str__(self):
        return self.name


class ReviewerAssignment(models.Model):
    """A reviewer on a call's panel."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviewer_assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "reviewer"], name="one_assignment_per_reviewer")
        ]

    def __str__(self):
        return f"{self.call} – {self.reviewer}"


class ReviewAllocation(models.Model):
    """An application given to a panel reviewer by the spread (Call.spread_seed)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="allocations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_allocations"
    )

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_allocation_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.application} – {self.reviewer}"


class ConflictDeclaration(models.Model):
    """A reviewer's declaration, before scoring, whether they have a conflict of interest."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    conflicted = models.BooleanField(_("I have a conflict of interest"))
    note = models.TextField(_("note"), blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_declaration_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.application} – {self.reviewer}"


class Review(models.Model):
    """One reviewer's scores of one application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["application_id", "submitted_at", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self):
        return f"{self.application} – {self.reviewer}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["review_id", "criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
