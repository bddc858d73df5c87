"""Matching in the product: every run of the engine on a call, stored as it was, and the matches
an operator confirmed from one of them.

A run is immutable: its settings (what the operator chose), the engine's input built from the
call (the panel's scores, the rankings) and the engine's output are kept exactly as they were,
with who ran it and when. Matches are created only by `services.confirm_run`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskapa.calls.models import stockholm_time
from samskapa.core.querysets import VisibleQuerySet


class Mode(models.TextChoices):
    OPTIMAL = "optimal", _("Optimal (the highest total)")
    STABLE = "stable", _("Stable (by the applicants' rankings)")


class Candidates(models.TextChoices):
    """Which of the call's applications a run matched."""

    SELECTED = "selected", _("The selected applications")
    SHORTLISTED = "shortlisted", _("The shortlisted applications (none is selected yet)")


class ImmutableRecord(Exception):
    pass


class MatchingRun(models.Model):
    """One run of the matching engine on a call: what was asked, what it answered, who ran it."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="matching_runs")
    number = models.PositiveIntegerField(_("run"))  # 1, 2, 3 … within the call
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="matching_runs",
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    # The run whose whiteboard it was started from (a lock, an exclusion, other settings).
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    candidates = models.CharField(_("candidates"), max_length=20, choices=Candidates.choices)
    # The operator's choices, with database ids: see services.normalise_settings.
    settings = models.JSONField(_("settings"))
    # The engine's input and output exactly as sent and received (engine ids: "a<application
    # id>", "c<challenge id>"). The input holds the applicants' gender: never shown per person.
    input = models.JSONField(_("input"))
    output = models.JSONField(_("output"))
    feasible = models.BooleanField(_("all constraints hold"))
    objective = models.FloatField(_("total"))
    # Stored with the run so that lists need not read the input and output (see `counts`).
    placed_count = models.PositiveIntegerField(_("placed"))
    candidate_count = models.PositiveIntegerField(_("number of candidates"))

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "-number"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="one_run_number_per_call")
        ]

    def __str__(self):
        text = _("Run %(number)s") % {"number": self.number}
        return f"{text} – {self.label}" if self.label else str(text)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord("A matching run is kept as it was run: start a new run instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("matching:run", args=[self.pk])

    @property
    def programme(self):
        return self.call.programme

    @property
    def when(self) -> str:
        return stockholm_time(self.created_at)

    @property
    def unplaced_count(self) -> int:
        return self.candidate_count - self.placed_count

    @staticmethod
    def counts(data: dict, output: dict) -> dict:
        """The columns a run stores from its engine input and output, so that lists need not
        read them (migration 0002 filled them in the same way for the runs before it)."""
        return {
            "placed_count": len(output.get("assignments", [])),
            "candidate_count": len(data.get("applicants", [])),
            "feasible": bool(output["feasible"]),
            "objective": float(output["objective"]),
        }


# What the lists of runs leave in the database: they show the columns (see `counts`).
LARGE_FIELDS = ("settings", "input", "output")


class Match(models.Model):
    """An application matched to a challenge of its call, confirmed by an operator from a run.
    (The programme issue adds the test environment each match gets.)"""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="matches")
    application = models.ForeignKey(
        "calls.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="matches",
    )
    challenge = models.ForeignKey(
        "challenges.Challenge",
        verbose_name=_("challenge"),
        on_delete=models.PROTECT,
        related_name="matches",
    )
    run = models.ForeignKey(
        MatchingRun, verbose_name=_("run"), on_delete=models.RESTRICT, related_name="matches"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="confirmed_matches",
    )
    confirmed_at = models.DateTimeField(_("confirmed"))

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["call_id", "challenge_id", "application_id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "application"], name="one_match_per_application_and_call"
            )
        ]

    def __str__(self):
        return f"{self.application.applicant} – {self.challenge}"

    @property
    def programme(self):
        return self.call.programme
