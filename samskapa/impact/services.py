"""Building a test environment's theory of change, its indicators and the programme's
indicator library, and recording measurements by hand.

Each function is one transaction that checks the actor's permission (accounts/permissions.py),
validates everything before anything is stored (free text scanned for personal identity
numbers: impact/privacy.py) and records one audit entry.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.audit.services import diff, record, snapshot
from samskapa.impact.models import (
    ChangeStep,
    Frequency,
    Indicator,
    LibraryIndicator,
    Measurement,
    MeasurementSource,
    StepKind,
    TheoryOfChange,
)
from samskapa.impact.privacy import refuse_identity_numbers

# An IRIS+ metric code: two or three capital letters and four digits (PI4060, OI1479, OD5490).
IRIS_CODE = re.compile(r"^[A-Z]{2,3}\d{4}$")

INDICATOR_FIELDS = (
    "name",
    "definition",
    "unit",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "frequency",
    "data_source",
)
LIBRARY_FIELDS = ("name", "definition", "unit", "direction", "challenge", "iris_code")
_TEXT_LIMITS = {"name": 200, "unit": 50, "data_source": 300, "stakeholder": 200}


def theory_of(environment) -> TheoryOfChange | None:
    return TheoryOfChange.objects.filter(environment=environment).first()


def _theory_for(environment) -> TheoryOfChange:
    theory, _created = TheoryOfChange.objects.get_or_create(
        environment=environment, defaults={"programme_id": environment.programme_id}
    )
    return theory


def _clean_text(value, field, *, label, required=True, errors) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors.setdefault(field, []).append(_("The text contains a NUL character."))
        return value
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
        return value
    limit = _TEXT_LIMITS.get(field)
    if limit and len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(limit)d characters.") % {"limit": limit})
    try:
        refuse_identity_numbers(value, where=label)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
    return value


# The theory of change's links ---------------------------------------------------------------


def _step_fields(kind, text, stakeholder) -> dict:
    errors: dict[str, list] = {}
    if kind not in StepKind.values:
        errors["kind"] = [_("Choose one of the links of the chain.")]
    text = _clean_text(text, "text", label=_("The description"), errors=errors)
    stakeholder = _clean_text(
        stakeholder,
        "stakeholder",
        label=_("The stakeholder group"),
        required=kind == StepKind.OUTCOME,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    if kind != StepKind.OUTCOME:
        stakeholder = stakeholder or ""
    return {"kind": kind, "text": text, "stakeholder": stakeholder}


@transaction.atomic
def add_step(environment, *, by, kind, text, stakeholder="") -> ChangeStep:
    """Add a link (input, activity, output, outcome, impact) at the end of its column. An
    outcome names the stakeholder group it concerns."""
    permissions.require(by, "impact.edit", environment)
    fields = _step_fields(kind, text, stakeholder)
    theory = _theory_for(environment)
    TheoryOfChange.objects.select_for_update().filter(pk=theory.pk).first()
    last = theory.steps.filter(kind=fields["kind"]).aggregate(last=Max("position"))["last"]
    step = ChangeStep.objects.create(
        theory=theory, position=0 if last is None else last + 1, **fields
    )
    record(
        actor=by,
        action="impact.step.added",
        obj=step,
        programme=environment.programme,
        changes=diff({}, _step_state(step)),
    )
    return step


@transaction.atomic
def update_step(step: ChangeStep, *, by, text, stakeholder="", kind=None) -> ChangeStep:
    environment = step.theory.environment
    permissions.require(by, "impact.edit", environment)
    step = ChangeStep.objects.select_for_update().get(pk=step.pk)
    kind = kind or step.kind
    fields = _step_fields(kind, text, stakeholder)
    if kind != step.kind and step.indicators.exists():
        raise ValidationError(
            {"kind": [_("This outcome has indicators: it stays an outcome while it has them.")]}
        )
    before = _step_state(step)
    if kind != step.kind:
        last = step.theory.steps.filter(kind=kind).aggregate(last=Max("position"))["last"]
        step.position = 0 if last is None else last + 1
    for name, value in fields.items():
        setattr(step, name, value)
    step.save()
    changes = diff(before, _step_state(step))
    if changes:
        record(
            actor=by,
            action="impact.step.updated",
            obj=step,
            programme=environment.programme,
            changes=changes,
        )
    return step


@transaction.atomic
def remove_step(step: ChangeStep, *, by) -> None:
    """Remove a link. An outcome whose indicators hold measurements stays: measured data is
    not thrown away by removing a line of text."""
    environment = step.theory.environment
    permissions.require(by, "impact.edit", environment)
    step = ChangeStep.objects.select_for_update().get(pk=step.pk)
    if Measurement.objects.filter(indicator__outcome=step).exists():
        raise ValidationError(
            _("This outcome's indicators hold measurements: it cannot be removed.")
        )
    state = _step_state(step)
    record(
        actor=by,
        action="impact.step.removed",
        obj=step,
        programme=environment.programme,
        changes=diff(state, {}),
    )
    step.delete()


@transaction.atomic
def move_step(step: ChangeStep, *, by, up: bool) -> ChangeStep:
    """Move a link one place up or down within its column (nothing happens at either end)."""
    environment = step.theory.environment
    permissions.require(by, "impact.edit", environment)
    column = list(
        ChangeStep.objects.select_for_update()
        .filter(theory_id=step.theory_id, kind=step.kind)
        .order_by("position", "id")
    )
    index = next(i for i, s in enumerate(column) if s.pk == step.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(column):
        return column[index]
    column[index], column[other] = column[other], column[index]
    for position, item in enumerate(column):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    moved = column[other]
    record(
        actor=by,
        action="impact.step.moved",
        obj=moved,
        programme=environment.programme,
        changes={"position": [index + 1, other + 1]},
    )
    return moved


def _step_state(step) -> dict:
    return {
        "kind": step.get_kind_display(),
        "text": step.text,
        "stakeholder": step.stakeholder,
    }


# Indicators ---------------------------------------------------------------------------------


def library_for(environment):
    """The library indicators an environment may take from: the programme's for all challenges
    and those for its own challenge."""
    from django.db.models import Q

    return LibraryIndicator.objects.filter(
        Q(challenge__isnull=True) | Q(challenge_id=environment.challenge_id),
        programme_id=environment.programme_id,
    )


def _validate_indicator(fields: dict, *, errors=None) -> dict:
    errors = {} if errors is None else errors
    labels = {
        "name": _("The name"),
        "definition": _("The definition"),
        "unit": _("The unit"),
        "data_source": _("The data source"),
    }
    for name, label in labels.items():
        if name in fields:
            fields[name] = _clean_text(
                fields[name],
                name,
                label=label,
                required=name != "data_source",
                errors=errors,
            )
    from samskapa.impact.models import Direction

    if "direction" in fields and fields["direction"] not in Direction.values:
        errors["direction"] = [_("Choose higher or lower is better.")]
    if "frequency" in fields and fields["frequency"] not in Frequency.values:
        errors["frequency"] = [_("Choose one of the frequencies.")]
    for pair in (("baseline_value", "baseline_date"), ("target_value", "target_date")):
        for name in pair:
            value = fields.get(name)
            if name.endswith("_value") and value is not None:
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    errors[name] = [_("Enter a number.")]
                    continue
                if value != value or value in (float("inf"), float("-inf")):
                    errors[name] = [_("Enter a number.")]
                fields[name] = value
    return errors


def _check_dates(indicator, errors):
    if (
        indicator.baseline_date
        and indicator.target_date
        and indicator.target_date < indicator.baseline_date
    ):
        errors.setdefault("target_date", []).append(
            _("The target date cannot be before the baseline date.")
        )


@transaction.atomic
def create_indicator(
    outcome: ChangeStep, *, by, library_indicator: LibraryIndicator | None = None, **fields
) -> Indicator:
    """An indicator on an outcome. Taken from the library: the library indicator's name,
    definition, unit and direction unless given."""
    environment = outcome.theory.environment
    permissions.require(by, "impact.edit", environment)
    if outcome.kind != StepKind.OUTCOME:
        raise ValidationError(_("Indicators measure outcomes: choose an outcome."))
    if library_indicator is not None:
        if not library_for(environment).filter(pk=library_indicator.pk).exists():
            raise ValidationError(
                {"library_indicator": [_("This library indicator is not for this challenge.")]}
            )
        for name in ("name", "definition", "unit", "direction"):
            if not fields.get(name):
                fields[name] = getattr(library_indicator, name)
    fields = {name: fields[name] for name in INDICATOR_FIELDS if name in fields}
    errors = _validate_indicator(fields)
    indicator = Indicator(
        outcome=outcome,
        environment=environment,
        programme_id=environment.programme_id,
        library_indicator=library_indicator,
        **fields,
    )
    _check_dates(indicator, errors)
    if errors:
        raise ValidationError(errors)
    indicator.save()
    record(
        actor=by,
        action="impact.indicator.created",
        obj=indicator,
        programme=environment.programme,
        changes=diff({}, snapshot(indicator)),
    )
    return indicator


@transaction.atomic
def update_indicator(indicator: Indicator, *, by, **fields) -> Indicator:
    permissions.require(by, "impact.edit", indicator.environment)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = snapshot(indicator)
    fields = {name: fields[name] for name in INDICATOR_FIELDS if name in fields}
    errors = _validate_indicator(fields)
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check_dates(indicator, errors)
    if errors:
        raise ValidationError(errors)
    indicator.save()
    changes = diff(before, snapshot(indicator))
    if changes:
        record(
            actor=by,
            action="impact.indicator.updated",
            obj=indicator,
            programme=indicator.programme,
            changes=changes,
        )
    return indicator


# The indicator library ----------------------------------------------------------------------


def _validate_library(programme, fields) -> dict:
    errors = _validate_indicator(fields)
    code = (fields.get("iris_code") or "").strip().upper()
    if code and not IRIS_CODE.match(code):
        errors["iris_code"] = [
            _("An IRIS+ code is two or three letters and four digits, like PI4060 or OI1479.")
        ]
    fields["iris_code"] = code
    challenge = fields.get("challenge")
    if challenge is not None and challenge.programme_id != programme.pk:
        errors["challenge"] = [_("Choose a challenge of this programme.")]
    return errors


@transaction.atomic
def create_library_indicator(programme, *, by, **fields) -> LibraryIndicator:
    permissions.require(by, "indicator_library.manage", programme)
    fields = {name: fields[name] for name in LIBRARY_FIELDS if name in fields}
    errors = _validate_library(programme, fields)
    if errors:
        raise ValidationError(errors)
    item = LibraryIndicator.objects.create(programme=programme, **fields)
    record(
        actor=by,
        action="impact.library_indicator.created",
        obj=item,
        programme=programme,
        changes=diff({}, snapshot(item)),
    )
    return item


@transaction.atomic
def update_library_indicator(item: LibraryIndicator, *, by, **fields) -> LibraryIndicator:
    permissions.require(by, "indicator_library.manage", item.programme)
    item = LibraryIndicator.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item)
    fields = {name: fields[name] for name in LIBRARY_FIELDS if name in fields}
    errors = _validate_library(item.programme, fields)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    changes = diff(before, snapshot(item))
    if changes:
        record(
            actor=by,
            action="impact.library_indicator.updated",
            obj=item,
            programme=item.programme,
            changes=changes,
        )
    return item


# Measurements -------------------------------------------------------------------------------


def period_start(day: date, frequency: str) -> date:
    """The first day of the period `day` falls in, by the indicator's frequency (a "before and
    after" indicator's periods are the days measured)."""
    if frequency == Frequency.MONTHLY:
        return day.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == Frequency.HALF_YEARLY:
        return date(day.year, 1 if day.month <= 6 else 7, 1)
    if frequency == Frequency.YEARLY:
        return date(day.year, 1, 1)
    return day


class ReplaceNeeded(ValidationError):
    """The period already holds a value: the caller asks the user to confirm replacing it."""

    def __init__(self, existing: Measurement):
        self.existing = existing
        super().__init__(
            _("%(period)s already holds the value %(value)s. Confirm to replace it.")
            % {"period": existing.period.isoformat(), "value": _number(existing.value)},
            code="replace",
        )


def _number(value) -> str:
    return f"{value:g}"


@transaction.atomic
def record_measurement(
    indicator: Indicator,
    *,
    by,
    period: date,
    value,
    respondents=None,
    replace: bool = False,
    source=MeasurementSource.MANUAL,
) -> Measurement:
    """One value of the indicator for the period `period` falls in. A second value for the same
    period replaces the first only with `replace` (ReplaceNeeded otherwise); both are
    audited."""
    permissions.require(by, "impact.edit", indicator.environment)
    errors = {}
    try:
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
    except (TypeError, ValueError):
        errors["value"] = [_("Enter a number.")]
    if respondents is not None:
        try:
            respondents = int(respondents)
            if respondents < 0 or respondents > 2**31 - 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["respondents"] = [_("Enter a whole number of people, 0 or more.")]
    if not isinstance(period, date):
        errors["period"] = [_("Enter a date.")]
    if errors:
        raise ValidationError(errors)
    period = period_start(period, indicator.frequency)
    existing = (
        Measurement.objects.select_for_update().filter(indicator=indicator, period=period).first()
    )
    if existing is not None and not replace:
        raise ReplaceNeeded(existing)
    if existing is not None:
        before = {"value": existing.value, "respondents": existing.respondents}
        existing.value = value
        existing.respondents = respondents
        existing.source = source
        existing.import_batch = None
        existing.save(update_fields=["value", "respondents", "source", "import_batch"])
        record(
            actor=by,
            action="impact.measurement.replaced",
            obj=existing,
            programme=indicator.programme,
            changes={
                "period": [period.isoformat(), period.isoformat()],
                **diff(before, {"value": value, "respondents": respondents}),
            },
        )
        return existing
    measurement = Measurement.objects.create(
        indicator=indicator, period=period, value=value, respondents=respondents, source=source
    )
    record(
        actor=by,
        action="impact.measurement.recorded",
        obj=measurement,
        programme=indicator.programme,
        changes={
            "period": [None, period.isoformat()],
            "value": [None, value],
            "respondents": [None, respondents],
        },
    )
    return measurement
