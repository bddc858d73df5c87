"""Anonymous surveys of a test environment, answered through a link without signing in.

A survey belongs to one test environment (and is seen by whoever sees it). Its questions are a
scale (1–5 or 1–10 with end labels), a choice among options, a number or free text, each in
Swedish and optionally English. A question may feed one of the environment's indicators: the
mean (scale, number) or the share choosing given options (choice) per period, written as
`impact.Measurement`s with the number of respondents (services.feed_indicators).

Respondents are anonymous: no account, no IP address or user agent, only the date they
answered. A respondent may give a pseudonymous code the innovator handed out (random, never
derived from a name), so that answers at "before" and "after" can be paired.
"""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samskapa.core.querysets import VisibleQuerySet


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not yet answerable)")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class Round(models.TextChoices):
    """When an answer was given, for before/after comparisons among paired codes."""

    NONE = "", _("No before/after")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(models.Model):
    environment = models.ForeignKey(
        "environments.TestEnvironment",
        verbose_name=_("test environment"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    # Denormalised from the environment, for permissions.programme_of and visibility.
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    intro_sv = models.TextField(_("introduction in Swedish"), blank=True)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    round = models.CharField(
        _("round"),
        max_length=10,
        choices=Round.choices,
        blank=True,
        default=Round.NONE,
        help_text=_(
            "Answers given now count as this round. Switch from Before to After to compare "
            "respondents who give the same code at both."
        ),
    )
    period = models.DateField(
        _("period"),
        null=True,
        blank=True,
        help_text=_(
            "The first day of the period all answers count for. Empty: each answer counts for "
            "the period of the day it was given, by the indicator's frequency."
        ),
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["environment_id", "-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.title_sv

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.pk])

    @property
    def title(self):
        return self.title_en if get_language() == "en" and self.title_en else self.title_sv

    @property
    def intro(self):
        return self.intro_en if get_language() == "en" and self.intro_en else self.intro_sv

    def get_public_url(self):
        return reverse("survey_public:answer", args=[self.token])


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    CHOICE = "choice", _("Choice (one option)")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


NUMERIC_KINDS = (QuestionKind.SCALE, QuestionKind.NUMBER)


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text_sv = models.CharField(_("question in Swedish"), max_length=500)
    text_en = models.CharField(_("question in English"), max_length=500, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    # Scale: 1..scale_max with labels at the ends.
    scale_max = models.PositiveSmallIntegerField(
        _("scale"), null=True, blank=True, choices=[(5, "1–5"), (10, "1–10")]
    )
    low_label_sv = models.CharField(_("label of the low end (Swedish)"), max_length=100, blank=True)
    low_label_en = models.CharField(_("label of the low end (English)"), max_length=100, blank=True)
    high_label_sv = models.CharField(
        _("label of the high end (Swedish)"), max_length=100, blank=True
    )
    high_label_en = models.CharField(
        _("label of the high end (English)"), max_length=100, blank=True
    )
    # Number: optional bounds.
    min_value = models.FloatField(_("smallest allowed"), null=True, blank=True)
    max_value = models.FloatField(_("largest allowed"), null=True, blank=True)
    # Choice: [{"sv": "...", "en": "..."}, ...]; an answer stores the option's index.
    options = models.JSONField(_("options"), default=list, blank=True)
    # Feeding an indicator of the survey's environment.
    indicator = models.ForeignKey(
        "impact.Indicator",
        verbose_name=_("feeds indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_questions",
    )
    # Choice: the indexes of the options whose share (in %) is the indicator's value.
    counted_options = models.JSONField(_("options counted"), default=list, blank=True)

    class Meta:
        ordering = ["survey_id", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text_sv[:80]

    def _localised(self, name):
        english = getattr(self, f"{name}_en")
        return english if get_language() == "en" and english else getattr(self, f"{name}_sv")

    @property
    def text(self):
        return self._localised("text")

    @property
    def low_label(self):
        return self._localised("low_label")

    @property
    def high_label(self):
        return self._localised("high_label")

    def option_labels(self) -> list[str]:
        english = get_language() == "en"
        return [(o.get("en") if english and o.get("en") else o.get("sv", "")) for o in self.options]

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)


def new_code() -> str:
    """A random code like "K7P-3QX": never derived from anything about the person."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


class RespondentCode(models.Model):
    """A pseudonymous code handed out to a respondent to pair their answers over time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("respondent code")
        verbose_name_plural = _("respondent codes")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="one_code_per_survey")
        ]

    def __str__(self):
        return self.code


class Response(models.Model):
    """One respondent's answers. Only the day is kept, never the time, the IP address or the
    browser: nothing that could single anyone out."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("answered on"))
    round = models.CharField(_("round"), max_length=10, choices=Round.choices, blank=True)
    code = models.ForeignKey(
        RespondentCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    language = models.CharField(_("language"), max_length=10)

    class Meta:
        ordering = ["survey_id", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # A code answers once per round (before, after).
            models.UniqueConstraint(
                fields=["code", "round"],
                condition=models.Q(code__isnull=False),
                name="one_response_per_code_and_round",
            )
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.FloatField(null=True, blank=True)  # scale and number questions
    choice = models.PositiveSmallIntegerField(null=True, blank=True)  # an option's index
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"
