"""Matching in the API (mounted by samskapa/api/views.py): a call's runs, running the engine,
one run, confirming it, the confirmed matches. The same permission ("call.match", operators of
the call's programme) and services as the pages: a record outside what the caller may see
answers 404, one they may see but not act on 403, bad input 422 with the service's message
(nothing is stored).

The applicants' gender is never returned per applicant: a run's input comes without it, and the
gender figures are aggregate and withheld for small groups, as on the pages (the output's
`gender_shares` included: services.gender_shares)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.calls.models import Call
from samskapa.matching import services
from samskapa.matching.models import LARGE_FIELDS, Match, MatchingRun

router = Router(tags=["matching"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ChallengeSettingIn(Schema):
    capacity: int | None = None
    min_filled: int | None = None


class GenderBalanceIn(Schema):
    scope: str = "overall"
    genders: list[str] = ["woman", "man"]
    min_share: float = 0.4


class RunIn(Schema):
    """A run's settings. Left out: the defaults (room for everyone spread evenly, no minimum,
    preference weight 1, at least 40 % women and 40 % men among the placed women and men);
    `gender_balance: null` asks for no balance. Pairs are [application id, challenge id]."""

    label: str = ""
    mode: str = "optimal"
    preference_weight: float | None = None
    challenges: dict[int, ChallengeSettingIn] = {}
    gender_balance: GenderBalanceIn | None = None
    locked: list[list[int]] = []
    excluded: list[list[int]] = []
    based_on: int | None = None


class _RunFields(Schema):
    id: int
    call_id: int
    number: int
    label: str
    created_by: str | None
    created_at: datetime
    based_on_id: int | None
    mode: str
    candidates: str
    feasible: bool
    objective: float
    placed: int
    unplaced: int


class RunSummaryOut(_RunFields):
    """A run in the list, read from its columns (not its input and output)."""

    @staticmethod
    def resolve_created_by(run: MatchingRun) -> str | None:
        return run.created_by.full_name if run.created_by else None

    @staticmethod
    def resolve_placed(run: MatchingRun) -> int:
        return run.placed_count

    @staticmethod
    def resolve_unplaced(run: MatchingRun) -> int:
        return run.unplaced_count


class PlacementOut(Schema):
    application_id: int
    applicant_name: str
    challenge_id: int | None
    score: float | None
    choice: int | None
    locked: bool
    explanation: str


class GenderRowOut(Schema):
    gender: str
    placed: int
    placed_share: float | None


class RunOut(_RunFields):
    settings: dict
    input: dict  # the engine's input without the applicants' gender
    output: dict  # the engine's output, its gender shares withheld for small groups
    placements: list[PlacementOut]
    relaxed: list[str]
    gender_balance: list[GenderRowOut]  # empty when withheld
    gender_balance_withheld: bool  # fewer than 5 placed applicants have a gender
    stale: list[str]


class ConfirmIn(Schema):
    accept_relaxed: bool = False


class MatchOut(Schema):
    id: int
    call_id: int
    application_id: int
    applicant_name: str
    challenge_id: int
    challenge_title: str
    run_id: int
    run_number: int
    confirmed_by: str | None
    confirmed_at: datetime


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _call(request, pk: int) -> Call:
    return permissions.get_visible_or_404(
        request.user, Call.objects.select_related("programme"), action="call.match", pk=pk
    )


def _run(request, pk: int) -> MatchingRun:
    runs = MatchingRun.objects.select_related("call__programme", "created_by")
    return permissions.get_visible_or_404(request.user, runs, action="call.match", pk=pk)


def _summary(run: MatchingRun) -> dict:
    return {
        "id": run.pk,
        "call_id": run.call_id,
        "number": run.number,
        "label": run.label,
        "created_by": run.created_by.full_name if run.created_by else None,
        "created_at": run.created_at,
        "based_on_id": run.based_on_id,
        "mode": run.mode,
        "candidates": run.candidates,
        "feasible": run.feasible,
        "objective": run.objective,
        "placed": run.placed_count,
        "unplaced": run.unplaced_count,
    }


def _detail(run: MatchingRun) -> dict:
    board = services.whiteboard(run)
    cards = [(column["pk"], card) for column in board["columns"] for card in column["cards"]]
    cards += [(None, card) for card in board["unplaced"]]
    genders = services.gender_summary(run)
    withheld = dict(
        run.input,
        applicants=[
            {key: value for key, value in applicant.items() if key != "gender"}
            for applicant in run.input["applicants"]
        ],
    )
    return {
        **_summary(run),
        "settings": run.settings,
        "input": withheld,
        "output": dict(run.output, gender_shares=services.gender_shares(run)),
        "placements": [
            {
                "application_id": card["pk"],
                "applicant_name": card["name"],
                "challenge_id": challenge,
                "score": card["score"],
                "choice": card["choice"],
                "locked": card["locked"],
                "explanation": card["explanation"],
            }
            for challenge, card in sorted(cards, key=lambda item: item[1]["pk"])
        ],
        "relaxed": board["relaxed"],
        "gender_balance": [
            {"gender": row["code"], "placed": row["placed"], "placed_share": row["placed_share"]}
            for row in genders["rows"]
        ],
        "gender_balance_withheld": not genders["shown"],
        "stale": [] if Match.objects.filter(call=run.call).exists() else services.staleness(run),
    }


def _match(match: Match) -> dict:
    return {
        "id": match.pk,
        "call_id": match.call_id,
        "application_id": match.application_id,
        "applicant_name": services.application_name(match.application),
        "challenge_id": match.challenge_id,
        "challenge_title": match.challenge.title,
        "run_id": match.run_id,
        "run_number": match.run.number,
        "confirmed_by": match.confirmed_by.full_name if match.confirmed_by else None,
        "confirmed_at": match.confirmed_at,
    }


def _matches(call: Call):
    return [_match(match) for match in services.confirmed_matches(call)]


@router.get("/calls/{pk}/matching-runs", response={200: list[RunSummaryOut], **READ})
@paginate(PageNumberPagination)
def list_runs(request, pk: int):
    """The call's runs, the newest first, a page at a time."""
    call = _call(request, pk)
    return call.matching_runs.select_related("created_by").defer(*LARGE_FIELDS).order_by("-number")


@router.post("/calls/{pk}/matching-runs", response={201: RunOut, **WRITE})
def create_run(request, pk: int, payload: RunIn):
    """Run the matching on the call's candidates (the selected applications, or while none is
    selected the shortlisted ones) and store the run. Only once the call has closed."""
    call = _call(request, pk)
    given = payload.dict(exclude_unset=True)
    based_on = None
    if payload.based_on is not None:
        based_on = MatchingRun.objects.filter(pk=payload.based_on, call=call).first()
        if based_on is None:
            return _invalid(ValidationError({"based_on": ["No such run of this call."]}))
    settings = {key: value for key, value in given.items() if key != "based_on"}
    if "challenges" in settings:
        settings["challenges"] = {
            str(key): {k: v for k, v in value.items() if v is not None}
            for key, value in settings["challenges"].items()
        }
    try:
        run = services.run_matching(call, by=request.user, settings=settings, based_on=based_on)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _detail(_run(request, run.pk)))


@router.get("/matching-runs/{pk}", response={200: RunOut, **READ})
def get_run(request, pk: int):
    """One run: its settings, input (without gender), output, the placements with their
    explanations, the constraints that had to give, the gender figures in aggregate and whether
    it is out of date."""
    return _detail(_run(request, pk))


@router.post("/matching-runs/{pk}/confirm", response={201: list[MatchOut], **WRITE})
def confirm_run(request, pk: int, payload: ConfirmIn):
    """Confirm the run's proposal as the call's matches (refused when the call already has
    confirmed matches, when the run is out of date, or when a constraint had to give and
    `accept_relaxed` is not true)."""
    run = _run(request, pk)
    try:
        services.confirm_run(run, by=request.user, accept_relaxed=payload.accept_relaxed)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _matches(run.call))


@router.get("/calls/{pk}/matches", response={200: list[MatchOut], **READ})
def list_matches(request, pk: int):
    """The call's confirmed matches."""
    return _matches(_call(request, pk))
