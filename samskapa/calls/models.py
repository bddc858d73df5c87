"""Open calls (utlysningar) for one or more published challenges, and the applications to them."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        ordering = ["call_id", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.label

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
