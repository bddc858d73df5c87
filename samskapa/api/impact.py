"""Measuring effects in the API (mounted by samskapa/api/views.py): a test environment's theory
of change and its links, its indicators, the programme's indicator library, measurements per
indicator, and the dashboards per test environment and per challenge as data.

The same permission module and services as the pages: a record outside what the caller may see
answers 404, one they may see but not act on 403, bad input 422 with the service's message
(nothing is stored). Figures resting on fewer than 5 people come as `null` with `suppressed`
true to anyone outside the innovator's own team, as on the pages."""

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.challenges.models import Challenge
from samskapa.environments.models import TestEnvironment
from samskapa.impact import dashboards, services
from samskapa.impact.models import ChangeStep, Indicator, LibraryIndicator

router = Router(tags=["measuring effects"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related("programme", "journey", "challenge"),
        action=action,
        pk=pk,
    )


def _step(request, pk, action=None):
    step = get_object_or_404(ChangeStep.objects.select_related("theory"), pk=pk)
    step.theory.environment = _environment(request, step.theory.environment_id, action)
    return step


def _indicator(request, pk, action=None):
    indicator = permissions.get_visible_or_404(
        request.user, Indicator.objects.select_related("outcome", "library_indicator"), pk=pk
    )
    indicator.environment = _environment(request, indicator.environment_id, action)
    return indicator


# The theory of change -----------------------------------------------------------------------


class LinkOut(Schema):
    id: int
    kind: str
    text: str
    stakeholder: str
    position: int
    indicator_ids: list[int]

    @staticmethod
    def resolve_indicator_ids(obj):
        return [i.pk for i in obj.indicators.all()]


class TheoryOut(Schema):
    environment_id: int
    links: list[LinkOut]


class LinkIn(Schema):
    kind: str
    text: str
    stakeholder: str = ""


class LinkPatch(Schema):
    kind: str | None = None
    text: str | None = None
    stakeholder: str | None = None


@router.get("/environments/{pk}/theory-of-change", response={200: TheoryOut, **READ})
def theory_of_change(request, pk: int):
    """The chain inputs → activities → outputs → outcomes → impact, each link in its column's
    order (`kind`, then `position`); outcomes name their stakeholder group and indicators."""
    environment = _environment(request, pk)
    theory = services.theory_of(environment)
    links = (
        list(theory.steps.prefetch_related("indicators").order_by("position", "pk"))
        if theory
        else []
    )
    order = {
        kind: index
        for index, kind in enumerate(["input", "activity", "output", "outcome", "impact"])
    }
    links.sort(key=lambda s: (order[s.kind], s.position, s.pk))
    return {"environment_id": environment.pk, "links": links}


@router.post("/environments/{pk}/theory-of-change/links", response={201: LinkOut, **WRITE})
def add_link(request, pk: int, payload: LinkIn):
    """Add a link at the end of its column (`kind`: input, activity, output, outcome, impact;
    outcomes need `stakeholder`). Text with a personal identity number is refused."""
    environment = _environment(request, pk, "impact.edit")
    try:
        step = services.add_step(environment, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, ChangeStep.objects.prefetch_related("indicators").get(pk=step.pk))


@router.patch("/theory-of-change/links/{pk}", response={200: LinkOut, **WRITE})
def update_link(request, pk: int, payload: LinkPatch):
    step = _step(request, pk, "impact.edit")
    fields = payload.dict(exclude_unset=True)
    try:
        services.update_step(
            step,
            by=request.user,
            text=fields.get("text", step.text),
            stakeholder=fields.get("stakeholder", step.stakeholder),
            kind=fields.get("kind") or step.kind,
        )
    except ValidationError as error:
        return _invalid(error)
    return ChangeStep.objects.prefetch_related("indicators").get(pk=step.pk)


@router.delete("/theory-of-change/links/{pk}", response={204: None, **WRITE})
def remove_link(request, pk: int):
    """Remove a link (refused for an outcome whose indicators hold measurements)."""
    step = _step(request, pk, "impact.edit")
    try:
        services.remove_step(step, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return Status(204, None)


# Indicators and the library ----------------------------------------------------------------


class IndicatorOut(Schema):
    id: int
    environment_id: int
    outcome_id: int
    library_indicator_id: int | None
    name: str
    definition: str
    unit: str
    direction: str
    baseline_value: float | None
    baseline_date: date | None
    target_value: float | None
    target_date: date | None
    frequency: str
    data_source: str


class IndicatorIn(Schema):
    library_indicator_id: int | None = None
    name: str = ""
    definition: str = ""
    unit: str = ""
    direction: str = "higher"
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    target_date: date | None = None
    frequency: str = "quarterly"
    data_source: str = ""


class IndicatorPatch(Schema):
    name: str | None = None
    definition: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    target_date: date | None = None
    frequency: str | None = None
    data_source: str | None = None


@router.get("/environments/{pk}/indicators", response={200: list[IndicatorOut], **READ})
def list_indicators(request, pk: int):
    environment = _environment(request, pk)
    return Indicator.objects.filter(environment=environment).order_by("name", "pk")


@router.post("/theory-of-change/links/{pk}/indicators", response={201: IndicatorOut, **WRITE})
def create_indicator(request, pk: int, payload: IndicatorIn):
    """An indicator on an outcome. With `library_indicator_id` (the programme's, for every
    challenge or this environment's) its name, definition, unit and direction fill in those
    left empty."""
    step = _step(request, pk, "impact.edit")
    fields = payload.dict()
    library_id = fields.pop("library_indicator_id")
    library = None
    if library_id is not None:
        library = services.library_for(step.theory.environment).filter(pk=library_id).first()
        if library is None:
            return _invalid(
                ValidationError(
                    {"library_indicator_id": ["Not a library indicator for this challenge."]}
                )
            )
    try:
        indicator = services.create_indicator(
            step, by=request.user, library_indicator=library, **fields
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, indicator)


@router.patch("/indicators/{pk}", response={200: IndicatorOut, **WRITE})
def update_indicator(request, pk: int, payload: IndicatorPatch):
    indicator = _indicator(request, pk, "impact.edit")
    try:
        return services.update_indicator(
            indicator, by=request.user, **payload.dict(exclude_unset=True)
        )
    except ValidationError as error:
        return _invalid(error)


class LibraryOut(Schema):
    id: int
    programme_id: int
    challenge_id: int | None
    name: str
    definition: str
    unit: str
    direction: str
    iris_code: str


class LibraryIn(Schema):
    name: str
    definition: str
    unit: str
    direction: str = "higher"
    challenge_id: int | None = None
    iris_code: str = ""


@router.get("/programmes/{pk}/indicator-library", response={200: list[LibraryOut], **READ})
def list_library(request, pk: int):
    programme = permissions.programme_or_404(request.user, pk)
    return permissions.visible(request.user, LibraryIndicator.objects.filter(programme=programme))


@router.post("/programmes/{pk}/indicator-library", response={201: LibraryOut, **WRITE})
def create_library_indicator(request, pk: int, payload: LibraryIn):
    """Operators add an indicator to the programme's library (`iris_code` optional, like
    PI4060; `challenge_id` empty: for every challenge)."""
    programme = permissions.programme_or_404(request.user, pk, "indicator_library.manage")
    fields = payload.dict()
    challenge_id = fields.pop("challenge_id")
    challenge = None
    if challenge_id is not None:
        challenge = programme.challenges.filter(pk=challenge_id).first()
        if challenge is None:
            return _invalid(
                ValidationError({"challenge_id": ["Not a challenge of this programme."]})
            )
    try:
        item = services.create_library_indicator(
            programme, by=request.user, challenge=challenge, **fields
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, item)


# Measurements -------------------------------------------------------------------------------


class PointOut(Schema):
    period: date
    value: float | None
    respondents: int | None
    suppressed: bool
    environments: int | None = None


class MeasurementIn(Schema):
    period: date
    value: float
    respondents: int | None = None
    replace: bool = False


class ConflictOut(Schema):
    detail: str
    existing: PointOut


def _point(point):
    return {
        "period": point.period,
        "value": point.value,
        "respondents": point.respondents,
        "suppressed": point.suppressed,
        "environments": point.environments,
    }


@router.get("/indicators/{pk}/measurements", response={200: list[PointOut], **READ})
def list_measurements(request, pk: int):
    """Every period's value, oldest first (figures on fewer than 5 people suppressed outside
    the innovator's team)."""
    indicator = _indicator(request, pk)
    series = dashboards.indicator_series(request.user, indicator, indicator.environment)
    return [_point(p) for p in series.points]


@router.post(
    "/indicators/{pk}/measurements",
    response={200: PointOut, 201: PointOut, 409: ConflictOut, **WRITE},
)
def add_measurement(request, pk: int, payload: MeasurementIn):
    """A value for the period `period` falls in (stored as the period's first day by the
    indicator's frequency). When the period already holds one: 409 with it, unless `replace`
    is true (200, the old value replaced and audited)."""
    indicator = _indicator(request, pk, "impact.edit")
    try:
        measurement = services.record_measurement(indicator, by=request.user, **payload.dict())
    except services.ReplaceNeeded as needed:
        existing = needed.existing
        return Status(
            409,
            {
                "detail": needed.messages[0],
                "existing": {
                    "period": existing.period,
                    "value": existing.value,
                    "respondents": existing.respondents,
                    "suppressed": False,
                },
            },
        )
    except ValidationError as error:
        return _invalid(error)
    out = {
        "period": measurement.period,
        "value": measurement.value,
        "respondents": measurement.respondents,
        "suppressed": False,
    }
    return Status(200 if payload.replace else 201, out)


# Dashboards ---------------------------------------------------------------------------------


class SeriesOut(Schema):
    key: str
    name: str
    unit: str
    direction: str
    subtitle: str
    iris_code: str
    indicator_id: int | None
    baseline: float | None
    baseline_date: date | None
    target: float | None
    target_date: date | None
    aggregated: bool
    environments_using: int
    truncated: bool
    points: list[PointOut]


class EnvironmentDashboardOut(Schema):
    environment_id: int
    suppressed_outside_team: bool
    indicators: list[SeriesOut]


class ChallengeDashboardOut(Schema):
    challenge_id: int
    environment_ids: list[int]
    common: list[SeriesOut]
    own: list[SeriesOut]


def _series(series):
    return {
        "key": series.key,
        "name": series.name,
        "unit": series.unit,
        "direction": series.direction,
        "subtitle": series.subtitle,
        "iris_code": series.iris_code,
        "indicator_id": series.indicator.pk if series.indicator else None,
        "baseline": series.baseline,
        "baseline_date": series.baseline_date,
        "target": series.target,
        "target_date": series.target_date,
        "aggregated": series.aggregated,
        "environments_using": series.uses,
        "truncated": series.truncated,
        "points": [_point(p) for p in series.points],
    }


@router.get("/environments/{pk}/impact-dashboard", response={200: EnvironmentDashboardOut, **READ})
def environment_dashboard(request, pk: int, all_periods: bool = False):
    """Each indicator of the test environment over time with its baseline and target: the last
    36 periods, or all with `all_periods`."""
    environment = _environment(request, pk)
    limit = None if all_periods else dashboards.PERIODS_SHOWN
    series = dashboards.environment_dashboard(request.user, environment, limit=limit)
    return {
        "environment_id": environment.pk,
        "suppressed_outside_team": not permissions.in_innovator_team(request.user, environment),
        "indicators": [_series(s) for s in series],
    }


@router.get("/challenges/{pk}/impact-dashboard", response={200: ChallengeDashboardOut, **READ})
def challenge_dashboard(request, pk: int, all_periods: bool = False):
    """The challenge's environments' indicators: library indicators averaged across the
    environments by period (`common`, the last 36 periods), and each environment's own (`own`,
    the last 12); every period with `all_periods`."""
    challenge = permissions.get_visible_or_404(
        request.user,
        Challenge.objects.select_related("programme"),
        action="impact.view_challenge",
        pk=pk,
    )
    limit = None if all_periods else dashboards.PERIODS_SHOWN
    board = dashboards.challenge_dashboard(request.user, challenge, limit=limit)
    return {
        "challenge_id": challenge.pk,
        "environment_ids": [env.pk for env in board.environments],
        "common": [_series(s) for s in board.shared],
        "own": [_series(s) for s in board.own],
    }
