"""Impact cases in the API (mounted by samskapa/api/views.py): a programme's library of
financial proxies (every member reads it, operators add to it), a test environment's cases
(whoever sees the environment), one case with its results — impact/case.py's output, plus what
the municipality's budget saves per year — and building or changing one ("impact.edit"). The
same permission module and services as the pages: 404 outside what the caller may see, 403 for
what they see but may not do, 422 with every problem at once (nothing is stored)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.cases import services
from samskapa.cases.models import CaseOutcome, ImpactCase
from samskapa.environments.models import TestEnvironment

router = Router(tags=["impact cases"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ProxyIn(Schema):
    name: str
    value: float
    unit: str
    source: str
    year: int
    payer: str


class ProxyOut(ProxyIn):
    id: int
    programme_id: int


class OutcomeIn(Schema):
    """One outcome of the environment's theory of change (`step`: its id). `quantity`, or
    `indicator` for its latest measured value; `proxy` (a library proxy's id), or
    `proxy_value` (SEK per unit); shares from 0 to 1; `starts`: during or after; `payer`:
    kommun, region, stat, Försäkringskassan, Arbetsförmedlingen, individual or other."""

    step: int
    quantity: float | None = None
    indicator: int | None = None
    proxy: int | None = None
    proxy_value: float | None = None
    proxy_source: str = ""
    deadweight: float = 0
    attribution: float = 0
    displacement: float = 0
    drop_off: float = 0
    duration_years: int = 1
    starts: str = "during"
    payer: str


class CaseIn(Schema):
    title: str
    investment: float
    discount_rate: float = 0.035
    outcomes: list[OutcomeIn]


class OutcomeOut(Schema):
    step_id: int | None
    name: str
    stakeholder: str
    quantity: float | None
    indicator_id: int | None
    measured_period: date | None
    proxy_id: int | None
    proxy_value: float
    proxy_source: str
    deadweight: float
    attribution: float
    displacement: float
    drop_off: float
    duration_years: int
    starts: str
    payer: str


class CaseSummaryOut(Schema):
    id: int
    environment_id: int
    title: str
    kind: str
    follows_id: int | None
    investment: float
    discount_rate: float
    present_value: float | None
    sroi_ratio: float | None
    withheld_reason: str | None
    created_at: datetime
    updated_at: datetime


class CaseOut(CaseSummaryOut):
    """`results` and `municipality` are null, with `withheld_reason` saying why, when the case
    rests on a measurement of fewer than 5 people and the caller is outside the innovator's
    team; so are the summary's figures."""

    outcomes: list[OutcomeOut]
    results: dict | None
    municipality: dict | None


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _cases():
    return ImpactCase.objects.select_related(
        "environment__journey", "environment__programme", "programme"
    ).prefetch_related(Prefetch("outcomes", queryset=CaseOutcome.objects.all()))


def _summary(impact_case: ImpactCase, user) -> dict:
    rows = list(impact_case.outcomes.all())
    withheld = services.withheld(user, impact_case, rows)
    results = None if withheld else services.results(impact_case, rows)
    return {
        "id": impact_case.pk,
        "environment_id": impact_case.environment_id,
        "title": impact_case.title,
        "kind": impact_case.kind,
        "follows_id": impact_case.follows_id,
        "investment": float(impact_case.investment),
        "discount_rate": impact_case.discount_rate,
        "present_value": results["present_value"] if results else None,
        "sroi_ratio": results["sroi_ratio"] if results else None,
        "withheld_reason": str(services.WITHHELD_REASON) if withheld else None,
        "created_at": impact_case.created_at,
        "updated_at": impact_case.updated_at,
        "_rows": rows,
        "_results": results,
    }


def _full(impact_case: ImpactCase, user) -> dict:
    summary = _summary(impact_case, user)
    rows, results = summary.pop("_rows"), summary.pop("_results")
    team = permissions.in_innovator_team(user, impact_case.environment)
    outcomes = []
    for row in rows:
        hidden = not team and services.rests_on_few([row])
        outcomes.append(
            {
                **{name: getattr(row, name) for name in OutcomeOut.model_fields},
                "quantity": None if hidden else row.quantity,
            }
        )
    return {
        **summary,
        "outcomes": outcomes,
        "results": results,
        "municipality": (
            None if summary["withheld_reason"] else services.budget_view(impact_case, rows)
        ),
    }


def _case(request, pk, action=None) -> ImpactCase:
    impact_case = permissions.get_visible_or_404(request.user, _cases(), pk=pk)
    if action:
        permissions.require(request.user, action, impact_case.environment)
    return impact_case


def _payload(payload: CaseIn) -> dict:
    data = payload.dict()
    return {**data, "outcomes": [dict(o) for o in data["outcomes"]]}


# --- Proxies ----------------------------------------------------------------------------------


@router.get("/programmes/{pk}/proxies", response={200: list[ProxyOut], **READ})
@paginate(PageNumberPagination)
def list_proxies(request, pk: int):
    """The programme's financial proxies (every member)."""
    programme = permissions.programme_or_404(request.user, pk)
    return permissions.visible(request.user, programme.case_proxies.all())


@router.post("/programmes/{pk}/proxies", response={201: ProxyOut, **WRITE})
def create_proxy(request, pk: int, payload: ProxyIn):
    """Add a proxy to the library (operators)."""
    programme = permissions.programme_or_404(request.user, pk, "proxy_library.manage")
    try:
        proxy = services.create_proxy(programme, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    proxy.refresh_from_db()
    return Status(201, proxy)


# --- Cases ------------------------------------------------------------------------------------


@router.get("/environments/{pk}/cases", response={200: list[CaseSummaryOut], **READ})
@paginate(PageNumberPagination)
def list_cases(request, pk: int):
    """The test environment's cases, forecasts and evaluations (whoever sees the environment)."""
    environment = permissions.get_visible_or_404(request.user, TestEnvironment.objects, pk=pk)
    return [
        _summary(c, request.user)
        for c in _cases().filter(environment=environment).order_by("created_at", "pk")
    ]


@router.post("/environments/{pk}/cases", response={201: CaseOut, **WRITE})
def create_case(request, pk: int, payload: CaseIn):
    """Build a forecast from the environment's theory of change (innovator, operators)."""
    environment = permissions.get_visible_or_404(
        request.user, TestEnvironment.objects, action="impact.edit", pk=pk
    )
    try:
        impact_case = services.create_case(environment, by=request.user, **_payload(payload))
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _full(_case(request, impact_case.pk), request.user))


@router.get("/cases/{pk}", response={200: CaseOut, **READ})
def get_case(request, pk: int):
    """A case with its results (impact/case.py's output: present value, net present value,
    ratio, payback, years, by payer, sensitivity) and what the municipality saves per year."""
    return _full(_case(request, pk), request.user)


@router.put("/cases/{pk}", response={200: CaseOut, **WRITE})
def update_case(request, pk: int, payload: CaseIn):
    """Replace a case's figures and outcomes."""
    impact_case = _case(request, pk, "impact.edit")
    try:
        services.update_case(impact_case, by=request.user, **_payload(payload))
    except ValidationError as error:
        return _invalid(error)
    return _full(_case(request, pk), request.user)


@router.post("/cases/{pk}/evaluation", response={201: CaseOut, **WRITE})
def start_evaluation(request, pk: int):
    """An evaluative case that follows this forecast (its outcomes copied)."""
    forecast = _case(request, pk, "impact.edit")
    try:
        evaluation = services.start_evaluation(forecast, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _full(_case(request, evaluation.pk), request.user))
