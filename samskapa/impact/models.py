"""Measuring effects: each test environment's theory of change, its indicators and their
measurements, and the indicator library the programme's operators curate.

The chain reads inputs → activities → outputs → outcomes → impact. Indicators hang off outcomes;
a measurement is one value of one indicator for one period. Impact data never holds a personal
identity number (see privacy.py): people appear only as counts, or as survey respondents'
pseudonymous codes.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from samskapa.core.querysets import VisibleQuerySet


class StepKind(models.TextChoices):
    """The links of the chain, in order."""

    INPUT = "input", _("Inputs")
    ACTIVITY = "activity", _("Activities")
    OUTPUT = "output", _("Outputs")
    OUTCOME = "outcome", _("Outcomes")
    IMPACT = "impact", _("Impact")


class TheoryOfChange(models.Model):
    """One per test environment: the innovator's account of how the work leads to the effect."""

    environment = models.OneToOneField(
        "environments.TestEnvironment",
        verbose_name=_("test environment"),
        on_delete=models.CASCADE,
        related_name="theory_of_change",
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="theories_of_change"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("theory of change")
        verbose_name_plural = _("theories of change")

    def __str__(self):
        return str(self.environment)


class ChangeStep(models.Model):
    """One link of a theory of change (an input, an activity, an output, an outcome, the
    impact). Outcomes name the stakeholder group they concern."""

    theory = models.ForeignKey(TheoryOfChange, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("link"), max_length=20, choices=StepKind.choices)
    text = models.TextField(_("description"))
    stakeholder = models.CharField(_("stakeholder group"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["theory_id", "position", "id"]
        verbose_name = _("link in the chain")
        verbose_name_plural = _("links in the chain")

    def __str__(self):
        return self.text[:80]


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")
    ONCE = "once", _("Before and after")


class IndicatorDefinition(models.Model):
    """The fields an indicator and a library indicator share."""

    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=50)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )

    class Meta:
        abstract = True


class LibraryIndicator(IndicatorDefinition):
    """An indicator the programme's operators curate so that innovators under one challenge
    report on common indicators the department recognises (optionally an IRIS+ metric)."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="library_indicators"
    )
    challenge = models.ForeignKey(
        "challenges.Challenge",
        verbose_name=_("challenge"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="library_indicators",
        help_text=_("Empty: for every challenge of the programme."),
    )
    iris_code = models.CharField(
        _("IRIS+ metric code"), max_length=20, blank=True, help_text=_("For example PI4060.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "name", "id"]
        verbose_name = _("library indicator")
        verbose_name_plural = _("indicator library")

    def __str__(self):
        return self.name


class Indicator(IndicatorDefinition):
    """How an outcome of a theory of change is measured."""

    outcome = models.ForeignKey(
        ChangeStep,
        verbose_name=_("outcome"),
        on_delete=models.CASCADE,
        related_name="indicators",
        limit_choices_to={"kind": StepKind.OUTCOME},
    )
    # Denormalised from the outcome's theory, so that visibility and dashboards need no joins
    # through the chain.
    environment = models.ForeignKey(
        "environments.TestEnvironment", on_delete=models.CASCADE, related_name="indicators"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="indicators"
    )
    library_indicator = models.ForeignKey(
        LibraryIndicator,
        verbose_name=_("from the indicator library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
    )
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.FloatField(_("target"), null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["environment_id", "name", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True)
                | Q(baseline_date__isnull=True)
                | Q(target_date__gte=F("baseline_date")),
                name="indicator_target_after_baseline",
                violation_error_message=_("The target date cannot be before the baseline date."),
            )
        ]

    def __str__(self):
        return self.name


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported")
    SURVEY = "survey", _("Survey")


class ImportBatch(models.Model):
    """One committed import of a CSV or XLSX file. The file's SHA-256 makes a second import of
    the same file into the same test environment recognisable."""

    environment = models.ForeignKey(
        "environments.TestEnvironment", on_delete=models.CASCADE, related_name="impact_imports"
    )
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return self.filename


class Measurement(models.Model):
    """One value of an indicator for one period (the period's first day). At most one per
    indicator and period: a new value for the period replaces the old one."""

    # No index of its own: the unique (indicator, period) index serves look-ups by indicator
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", db_index=False
    )
    period = models.DateField(_("period"))
    value = models.FloatField(_("value"))
    # How many people the value rests on (survey answers, participants), when known: figures
    # resting on fewer than 5 are suppressed outside the innovator's own team.
    respondents = models.PositiveIntegerField(_("number of people"), null=True, blank=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=MeasurementSource.choices,
        default=MeasurementSource.MANUAL,
    )
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator_id", "period"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="one_measurement_per_indicator_and_period"
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.period}: {self.value}"
