"""Keeping the proxy library and building impact cases.

Each function is one transaction that checks the actor's permission (accounts/permissions.py),
validates everything before anything is stored — the case's figures through impact/case.py's
`parse_case`, whose problems come back translated — and records one audit entry.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.audit.services import diff, record, snapshot
from samskapa.cases.models import CaseKind, CaseOutcome, ImpactCase, Proxy
from samskapa.environments.models import TestEnvironment
from samskapa.impact import case as core
from samskapa.impact.models import ChangeStep, Indicator, Measurement, StepKind
from samskapa.impact.privacy import refuse_identity_numbers

MAX_INVESTMENT = 10**12  # what ImpactCase.investment holds (14 digits, 2 decimals)
PROXY_FIELDS = ("name", "value", "unit", "source", "year", "payer")
OUTCOME_NUMBERS = ("quantity", "proxy_value", "deadweight", "attribution", "displacement")
OUTCOME_FIELDS = (
    "step",
    "quantity",
    "indicator",
    "proxy",
    "proxy_value",
    "proxy_source",
    "deadweight",
    "attribution",
    "displacement",
    "drop_off",
    "duration_years",
    "starts",
    "payer",
)

FIELD_LABELS = {
    "investment": _("The investment"),
    "discount_rate": _("The discount rate"),
    "quantity": _("The quantity"),
    "proxy_value": _("The proxy value"),
    "deadweight": _("Deadweight"),
    "attribution": _("Attribution"),
    "displacement": _("Displacement"),
    "drop_off": _("Drop-off"),
    "duration_years": _("The duration"),
    "starts": _("When it starts"),
    "payer": _("The payer"),
    "name": _("The outcome"),
}
PROBLEMS = {
    "missing": _("%(field)s is missing."),
    "not_a_number": _("%(field)s must be a number."),
    "not_positive": _("The investment must be more than 0 SEK."),
    "rate": _("The discount rate must be at least 0 and less than 1 (0.035 = 3.5 %%)."),
    "no_outcomes": _("A case needs at least one outcome: include one."),
    "negative": _("%(field)s cannot be negative."),
    "share": _("%(field)s is a share: between 0 and 1 (0.3 = 30 %%)."),
    "duration": _("The duration must be a whole number of years from 1 to %(limit)s."),
    "unknown_starts": _("Choose whether it starts during or after the pilot."),
    "unknown_payer": _("Choose a payer from the list."),
    "too_large": _("The figures are too large to calculate."),
}
_WHERE = re.compile(r"^outcomes\[(\d+)\]\.(\w+)$")


def translated(error: core.InvalidCase) -> ValidationError:
    """impact/case.py's problems as a ValidationError in the user's language: keys
    `investment`, `discount_rate`, `outcomes`, and `outcomes.<n>.<field>` for the n-th
    outcome's field."""
    errors: dict[str, list] = {}
    for problem in error.problems:
        key, field = problem.where or "__all__", problem.where
        match = _WHERE.match(problem.where)
        if match:
            key, field = f"outcomes.{match[1]}.{match[2]}", match[2]
        template = PROBLEMS.get(problem.code)
        if template is None:
            message = problem.message
        else:
            message = template % {
                "field": FIELD_LABELS.get(field, field),
                "limit": problem.params.get("limit", core.MAX_DURATION_YEARS),
            }
        errors.setdefault(key, []).append(message)
    return ValidationError(errors)


# --- The proxy library ------------------------------------------------------------------------


@transaction.atomic
def create_proxy(programme, *, by, **fields) -> Proxy:
    permissions.require(by, "proxy_library.manage", programme)
    proxy = Proxy(programme=programme, **_proxy_fields(fields))
    proxy.full_clean()
    proxy.save()
    record(
        actor=by,
        action="cases.proxy.created",
        obj=proxy,
        programme=programme,
        changes=diff({}, snapshot(proxy)),
    )
    return proxy


@transaction.atomic
def update_proxy(proxy: Proxy, *, by, **fields) -> Proxy:
    """Change a proxy of the library. Cases keep the value they were saved with until they are
    saved again (their figures do not move under their readers)."""
    permissions.require(by, "proxy_library.manage", proxy)
    proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
    before = snapshot(proxy)
    for name, value in _proxy_fields(fields).items():
        setattr(proxy, name, value)
    proxy.full_clean()
    proxy.save()
    changes = diff(before, snapshot(proxy))
    if changes:
        record(
            actor=by,
            action="cases.proxy.updated",
            obj=proxy,
            programme=proxy.programme,
            changes=changes,
        )
    return proxy


PROXY_TEXT_LABELS = {
    "name": _("The proxy's name"),
    "unit": _("The proxy's unit"),
    "source": _("The proxy's source"),
}


def _identity_number_errors(text, where) -> list:
    """The message if `text` holds a personal identity or coordination number, else []."""
    if not isinstance(text, str):
        return []
    try:
        refuse_identity_numbers(text, where=where)
    except ValidationError as error:
        return error.messages
    return []


def _proxy_fields(fields: dict) -> dict:
    unknown = set(fields) - set(PROXY_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a proxy: {', '.join(sorted(unknown))}")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    errors = {
        k: [_("No NUL characters, please.")]
        for k, v in cleaned.items()
        if isinstance(v, str) and "\x00" in v
    }
    for name, label in PROXY_TEXT_LABELS.items():
        found = _identity_number_errors(cleaned.get(name), label)
        if found:
            errors.setdefault(name, []).extend(found)
    if errors:
        raise ValidationError(errors)
    return cleaned


def proxy_source_text(proxy: Proxy) -> str:
    return f"{proxy.name}: {proxy.source} ({proxy.year})"


# --- Cases ------------------------------------------------------------------------------------


def outcome_steps(environment: TestEnvironment):
    """The outcomes of the environment's theory of change, in the chain's order."""
    return ChangeStep.objects.filter(
        theory__environment=environment, kind=StepKind.OUTCOME
    ).order_by("position", "pk")


def latest_measurement(indicator: Indicator) -> Measurement | None:
    return indicator.measurements.order_by("-period").first()


def _environment_for(user, environment, action="impact.edit") -> TestEnvironment:
    """The environment if the user may see it (404) and act on it (403)."""
    if not permissions.visible(user, TestEnvironment.objects.filter(pk=environment.pk)).exists():
        raise Http404
    permissions.require(user, action, environment)
    return environment


@transaction.atomic
def create_case(
    environment: TestEnvironment,
    *,
    by,
    title: str,
    investment,
    discount_rate=core.DEFAULT_DISCOUNT_RATE,
    outcomes: list[dict],
    kind: str = CaseKind.FORECAST,
    follows: ImpactCase | None = None,
) -> ImpactCase:
    _environment_for(by, environment)
    impact_case = ImpactCase(
        environment=environment,
        programme=environment.programme,
        kind=kind,
        follows=follows,
        created_by=by,
    )
    rows = _fill(impact_case, title, investment, discount_rate, outcomes)
    impact_case.save()
    _store_rows(impact_case, rows)
    record(
        actor=by,
        action="cases.case.created",
        obj=impact_case,
        programme=environment.programme,
        changes=diff({}, _state(impact_case, rows)),
    )
    return impact_case


@transaction.atomic
def update_case(
    impact_case: ImpactCase, *, by, title: str, investment, discount_rate, outcomes: list[dict]
) -> ImpactCase:
    """Replace the case's figures and outcomes (quantities from indicators are measured anew)."""
    _environment_for(by, impact_case.environment)
    impact_case = ImpactCase.objects.select_for_update().get(pk=impact_case.pk)
    before = _state(impact_case, list(impact_case.outcomes.all()))
    rows = _fill(impact_case, title, investment, discount_rate, outcomes)
    impact_case.save()
    impact_case.outcomes.all().delete()
    _store_rows(impact_case, rows)
    changes = diff(before, _state(impact_case, rows))
    if changes:
        record(
            actor=by,
            action="cases.case.updated",
            obj=impact_case,
            programme=impact_case.programme,
            changes=changes,
        )
    return impact_case


@transaction.atomic
def start_evaluation(forecast: ImpactCase, *, by, title: str = "") -> ImpactCase:
    """An evaluative case that follows `forecast`: its outcomes copied, to have their estimates
    replaced by measured data. The forecast stays as it was."""
    _environment_for(by, forecast.environment)
    if forecast.kind != CaseKind.FORECAST:
        raise ValidationError(_("Only a forecast can be followed by an evaluative case."))
    outcomes = [
        {name: getattr(row, name) for name in OUTCOME_FIELDS} for row in forecast.outcomes.all()
    ]
    return create_case(
        forecast.environment,
        by=by,
        title=title.strip() or _("%(title)s: evaluation") % {"title": forecast.title},
        investment=forecast.investment,
        discount_rate=forecast.discount_rate,
        outcomes=outcomes,
        kind=CaseKind.EVALUATIVE,
        follows=forecast,
    )


def _number(value):
    """Decimals (stored amounts) as floats; anything else as given, for parse_case to judge."""
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def _fill(impact_case, title, investment, discount_rate, outcomes) -> list[CaseOutcome]:
    """Set the case's fields and build its outcome rows, or raise every problem at once."""
    errors: dict[str, list] = {}
    title = (title or "").strip()
    limit = ImpactCase._meta.get_field("title").max_length
    if not title:
        errors["title"] = [_("Give the case a title.")]
    elif len(title) > limit or "\x00" in title:
        errors["title"] = [_("At most %(limit)d characters, no NUL characters.") % {"limit": limit}]
    elif found := _identity_number_errors(title, _("The title")):
        errors["title"] = found
    environment = impact_case.environment
    steps = {step.pk: step for step in outcome_steps(environment)}
    raw = {
        "investment": _number(investment),
        "discount_rate": _number(discount_rate),
        "outcomes": [],
    }
    if raw["discount_rate"] is None:
        raw["discount_rate"] = core.DEFAULT_DISCOUNT_RATE
    if raw["investment"] is None:
        del raw["investment"]
    links = []
    for index, given in enumerate(outcomes):
        data, link, problems = _resolve(environment, steps, given)
        for field, message in problems:
            errors.setdefault(f"outcomes.{index}.{field}", []).append(message)
        raw["outcomes"].append(data)
        links.append(link)
    try:
        parsed = core.parse_case(raw)
        core.calculate(parsed)
    except core.InvalidCase as error:
        for key, messages in translated(error).message_dict.items():
            errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))
    if not errors and parsed.investment >= MAX_INVESTMENT:
        errors["investment"] = [_("The investment must be less than 1 000 000 000 000 SEK.")]
    if errors:
        raise ValidationError(errors)
    impact_case.title = title
    impact_case.investment = round(parsed.investment, 2)
    impact_case.discount_rate = parsed.discount_rate
    return [
        CaseOutcome(position=position, **link, **outcome.__dict__)
        for position, (outcome, link) in enumerate(zip(parsed.outcomes, links, strict=True))
    ]


def _resolve(environment, steps, given: dict) -> tuple[dict, dict, list]:
    """One outcome as impact/case.py's input, its links (step, indicator and measurement,
    proxy), and the problems with those links (field, message). Numbers are left as given for
    parse_case to judge; a link that fails leaves a harmless stand-in."""
    unknown = set(given) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a case's outcome: {', '.join(sorted(unknown))}")
    problems = []
    step_pk = getattr(given.get("step"), "pk", given.get("step"))
    step = steps.get(step_pk)
    if step is None:
        problems.append(
            ("step", _("Choose an outcome of this test environment's theory of change."))
        )
    data = {
        "name": step.text[:300] if step else "?",
        "stakeholder": step.stakeholder if step else "",
        "starts": given.get("starts") or "during",
        "payer": given.get("payer") or "",
    }
    for name in ("deadweight", "attribution", "displacement", "drop_off"):
        value = given.get(name)
        data[name] = 0.0 if value is None else _number(value)
    data["duration_years"] = _number(given.get("duration_years"))
    if data["duration_years"] is None:
        del data["duration_years"]
    link = {"step": step, "indicator": None, "measured_period": None, "measured_respondents": None}

    quantity = _number(given.get("quantity"))
    indicator = given.get("indicator")
    if indicator is not None:
        indicator = Indicator.objects.filter(
            pk=getattr(indicator, "pk", indicator), environment=environment
        ).first()
        measured = latest_measurement(indicator) if indicator is not None else None
        if indicator is None:
            problems.append(("indicator", _("Choose an indicator of this test environment.")))
        elif measured is None:
            problems.append(
                (
                    "indicator",
                    _("%(indicator)s has no measurements yet: type the quantity instead.")
                    % {"indicator": indicator.name},
                )
            )
        else:
            quantity = measured.value
            link |= {
                "indicator": indicator,
                "measured_period": measured.period,
                "measured_respondents": measured.respondents,
            }
    elif quantity is None:
        problems.append(("quantity", _("Give the quantity, or choose an indicator to measure it.")))
    data["quantity"] = 0.0 if quantity is None else quantity

    proxy_value = _number(given.get("proxy_value"))
    source = given.get("proxy_source") or ""
    source = source.strip() if isinstance(source, str) else source
    proxy = given.get("proxy")
    if proxy is not None:
        proxy = Proxy.objects.filter(
            pk=getattr(proxy, "pk", proxy), programme_id=environment.programme_id
        ).first()
        if proxy is None:
            problems.append(("proxy", _("Choose a proxy from this programme's library.")))
        else:
            proxy_value = float(proxy.value) if proxy_value is None else proxy_value
            source = source or proxy_source_text(proxy)
    elif proxy_value is None:
        problems.append(("proxy_value", _("Give the proxy value, or choose one from the library.")))
    link["proxy"] = proxy
    data["proxy_value"] = 0.0 if proxy_value is None else proxy_value
    if isinstance(source, str) and (len(source) > 500 or "\x00" in source):
        problems.append(("proxy_source", _("At most 500 characters, no NUL characters.")))
        source = ""
    for message in _identity_number_errors(source, _("The proxy source")):
        problems.append(("proxy_source", message))
    data["proxy_source"] = source
    return data, link, problems


def _store_rows(impact_case, rows):
    for row in rows:
        row.case = impact_case
    CaseOutcome.objects.bulk_create(rows)


def _state(impact_case, rows) -> dict:
    state = snapshot(impact_case)
    state["outcomes"] = [
        f"{row.name}: {row.quantity:g} × {row.proxy_value:g} SEK, {row.get_payer_display()}"
        for row in rows
    ]
    return state


# --- Results ----------------------------------------------------------------------------------

MIN_PEOPLE = 5
WITHHELD_REASON = _(
    "This case rests on a measurement of fewer than 5 people; its figures are shown only to the "
    "innovator's team."
)


def rests_on_few(rows) -> bool:
    """Whether a quantity of the rows is a measured value resting on fewer than 5 people."""
    return any(
        row.measured
        and row.measured_respondents is not None
        and row.measured_respondents < MIN_PEOPLE
        for row in rows
    )


def withheld(user, impact_case: ImpactCase, rows=None) -> bool:
    """Whether the case's figures are withheld from `user`: outside the innovator's team
    (permissions.in_innovator_team), a case with a quantity on fewer than 5 people shows none of
    its figures — the quantity could be worked back out of any of them (the first-year value,
    the years, the payers, the sensitivity)."""
    rows = list(impact_case.outcomes.all()) if rows is None else rows
    return rests_on_few(rows) and not permissions.in_innovator_team(user, impact_case.environment)


def results(impact_case: ImpactCase, rows=None) -> dict | None:
    """impact/case.py's results for a stored case, or None if it cannot be calculated (no
    outcomes left, e.g. after its steps were removed)."""
    try:
        return core.calculate(impact_case.to_case_input(rows))
    except (core.InvalidCase, ZeroDivisionError):
        return None


def budget_view(impact_case: ImpactCase, rows=None, payer: str = "kommun") -> dict:
    """What `payer`'s budget saves per year (undiscounted and discounted) next to the pilot's
    cost: the case restricted to the outcomes that payer gains from."""
    own = core.for_payer(impact_case.to_case_input(rows), payer)
    table = core.years(own)
    present = core.present_value(own)
    return {
        "years": table,
        "total": sum(row["value"] for row in table),
        "present_value": present,
        "investment": own.investment,
        "net": present - own.investment,
        "ratio": present / own.investment,
        "outcomes": [o.name for o in own.outcomes],
    }
