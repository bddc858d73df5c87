"""Impact cases (social return on investment) of test environments, and the programme's library
of financial proxies they draw on.

A case is built from the environment's theory of change: one row per outcome (an
impact.ChangeStep of kind outcome), with a quantity (estimated, or the latest measured value of
one of its indicators), a proxy (from the library, or typed), the deductions and the payer. The
arithmetic is impact/case.py's (pure Python): `to_case_input` turns the rows into its input.

A *forecast* estimates; an *evaluative* case follows a forecast and replaces estimates with
measured data. Both stay, and are shown side by side.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from samskapa.core.querysets import VisibleQuerySet
from samskapa.impact import case as core


class Payer(models.TextChoices):
    """Whose budget gains from an outcome (impact/case.py's PAYERS)."""

    KOMMUN = "kommun", _("The municipality (kommun)")
    REGION = "region", _("The region")
    STAT = "stat", _("The state")
    FORSAKRINGSKASSAN = "Försäkringskassan", _("Försäkringskassan")
    ARBETSFORMEDLINGEN = "Arbetsförmedlingen", _("Arbetsförmedlingen")
    INDIVIDUAL = "individual", _("The individual")
    OTHER = "other", _("Other")


assert tuple(Payer.values) == core.PAYERS


class Starts(models.TextChoices):
    DURING = "during", _("During the pilot (year 1)")
    AFTER = "after", _("After the pilot (from year 2)")


class CaseKind(models.TextChoices):
    FORECAST = "forecast", _("Forecast")
    EVALUATIVE = "evaluative", _("Evaluative")


class Proxy(models.Model):
    """A financial proxy: what an outcome is worth in SEK per unit, with its source and year."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="case_proxies"
    )
    name = models.CharField(_("name"), max_length=200)
    value = models.DecimalField(_("value (SEK)"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("per"), max_length=100, help_text=_("For example: per day."))
    source = models.CharField(_("source"), max_length=500)
    year = models.PositiveSmallIntegerField(_("year of the figure"))
    payer = models.CharField(_("payer"), max_length=30, choices=Payer.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "name", "id"]
        verbose_name = _("financial proxy")
        verbose_name_plural = _("financial proxies")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="proxy_value_not_negative")
        ]

    def __str__(self):
        return self.name


class ImpactCase(models.Model):
    environment = models.ForeignKey(
        "environments.TestEnvironment",
        verbose_name=_("test environment"),
        on_delete=models.CASCADE,
        related_name="impact_cases",
    )
    # Denormalised from the environment (permissions.programme_of reads obj.programme).
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="impact_cases"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CaseKind.choices, default=CaseKind.FORECAST
    )
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows the forecast"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluations",
    )
    investment = models.DecimalField(
        _("investment (SEK)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("What the pilot costs."),
    )
    discount_rate = models.FloatField(
        _("discount rate"), default=core.DEFAULT_DISCOUNT_RATE, help_text=_("0.035 = 3.5 %.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["environment_id", "kind", "created_at", "id"]
        verbose_name = _("impact case")
        verbose_name_plural = _("impact cases")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    def to_case_input(self, outcomes=None) -> core.CaseInput:
        """The case as impact/case.py's input (`outcomes`: the rows, if already loaded)."""
        rows = self.outcomes.all() if outcomes is None else outcomes
        return core.CaseInput(
            investment=float(self.investment),
            discount_rate=self.discount_rate,
            outcomes=tuple(row.to_outcome() for row in rows),
        )


class CaseOutcome(models.Model):
    case = models.ForeignKey(ImpactCase, on_delete=models.CASCADE, related_name="outcomes")
    step = models.ForeignKey(
        "impact.ChangeStep",
        verbose_name=_("outcome"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copied from the step, so that the case still reads if the step is changed or removed.
    name = models.CharField(_("outcome"), max_length=300)
    stakeholder = models.CharField(_("stakeholder group"), max_length=200, blank=True)
    quantity = models.FloatField(_("quantity"))
    # A measured quantity: the indicator, and the period and people its latest value rests on.
    indicator = models.ForeignKey(
        "impact.Indicator",
        verbose_name=_("measured by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    measured_period = models.DateField(null=True, blank=True)
    measured_respondents = models.PositiveIntegerField(null=True, blank=True)
    proxy = models.ForeignKey(
        Proxy,
        verbose_name=_("proxy from the library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
    )
    proxy_value = models.FloatField(_("proxy value (SEK)"))
    proxy_source = models.CharField(_("proxy source"), max_length=500, blank=True)
    deadweight = models.FloatField(_("deadweight"), default=0)
    attribution = models.FloatField(_("attribution"), default=0)
    displacement = models.FloatField(_("displacement"), default=0)
    drop_off = models.FloatField(_("drop-off"), default=0)
    duration_years = models.PositiveSmallIntegerField(_("duration (years)"), default=1)
    starts = models.CharField(
        _("starts"), max_length=10, choices=Starts.choices, default=Starts.DURING
    )
    payer = models.CharField(_("payer"), max_length=30, choices=Payer.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case_id", "position", "id"]
        verbose_name = _("outcome of an impact case")
        verbose_name_plural = _("outcomes of impact cases")

    def __str__(self):
        return self.name

    @property
    def measured(self) -> bool:
        return self.indicator_id is not None and self.measured_period is not None

    def to_outcome(self) -> core.Outcome:
        return core.Outcome(
            name=self.name,
            stakeholder=self.stakeholder,
            quantity=self.quantity,
            proxy_value=self.proxy_value,
            proxy_source=self.proxy_source,
            deadweight=self.deadweight,
            attribution=self.attribution,
            displacement=self.displacement,
            drop_off=self.drop_off,
            duration_years=self.duration_years,
            starts=self.starts,
            payer=self.payer,
        )
