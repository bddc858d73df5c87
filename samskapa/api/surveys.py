"""Surveys in the API (mounted by samskapa/api/views.py): a test environment's surveys, creating
one, its questions, respondent codes, opening and closing, updating the fed indicators, and the
results with the same suppression as the page (figures on fewer than 5 respondents as
"fewer_than_5" outside the innovator's own team, no free text). The respondents' answering is a
page only (/s/<token>/). The same permission module and services as the pages: a record outside
what the caller may see answers 404, one they may see but not act on 403, bad input 422 with the
service's message (nothing is stored)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.environments.models import TestEnvironment
from samskapa.surveys import services
from samskapa.surveys.models import Survey
from samskapa.surveys.results import results as survey_results

router = Router(tags=["surveys"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class OptionOut(Schema):
    sv: str
    en: str = ""


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    text_sv: str
    text_en: str
    required: bool
    scale_max: int | None
    low_label_sv: str
    low_label_en: str
    high_label_sv: str
    high_label_en: str
    min_value: float | None
    max_value: float | None
    options: list[OptionOut]
    indicator_id: int | None
    counted_options: list[int]


class QuestionIn(Schema):
    kind: str
    text_sv: str
    text_en: str = ""
    required: bool = False
    scale_max: int | None = None
    low_label_sv: str = ""
    low_label_en: str = ""
    high_label_sv: str = ""
    high_label_en: str = ""
    min_value: float | None = None
    max_value: float | None = None
    options: list[OptionOut] = []
    indicator_id: int | None = None
    counted_options: list[int] = []


class SurveyOut(Schema):
    id: int
    environment_id: int
    programme_id: int
    title_sv: str
    title_en: str
    intro_sv: str
    intro_en: str
    status: str
    round: str
    period: date | None
    created_at: datetime
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.all())


class SurveyWithLinkOut(SurveyOut):
    """For the innovator's team: the link respondents answer at."""

    public_path: str | None = None

    @staticmethod
    def resolve_public_path(obj):
        return getattr(obj, "public_path", None)


class SurveyIn(Schema):
    title_sv: str
    title_en: str = ""
    intro_sv: str = ""
    intro_en: str = ""
    round: str = ""
    period: date | None = None


class StatusIn(Schema):
    status: str


class CodesIn(Schema):
    count: int


class CodeOut(Schema):
    code: str
    created_at: datetime


class MeasurementOut(Schema):
    indicator_id: int
    period: date
    value: float
    respondents: int | None


class NotReplacedOut(Schema):
    indicator_id: int
    period: date
    source: str
    message: str

    @staticmethod
    def resolve_indicator_id(obj):
        return obj.indicator.pk


class FeedOut(Schema):
    """The survey measurements written, and the periods left alone because they already hold
    an entered or imported value (never replaced by a survey's)."""

    measurements: list[MeasurementOut]
    not_replaced: list[NotReplacedOut]


class CountOut(Schema):
    shown: str
    count: int | None


class CellOut(Schema):
    label: str
    shown: str
    count: int | None
    share: float | None


class PairedOut(Schema):
    shown: str
    n: int | None
    before: float | None = None
    after: float | None = None
    change: float | None = None


class QuestionResultOut(Schema):
    id: int
    kind: str
    text: str
    answers: CountOut
    mean: float | None
    smallest: float | None
    largest: float | None
    distribution: list[CellOut]
    texts: list[str] | None
    paired: PairedOut | None


class ResultsOut(Schema):
    exact: bool
    responses: CountOut
    questions: list[QuestionResultOut]


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _survey(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        Survey.objects.select_related("environment__journey", "environment__programme"),
        action=action,
        pk=pk,
    )


def _with_link(request, survey):
    if permissions.can(request.user, "impact.edit", survey):
        survey.public_path = survey.get_public_url()
    return survey


def _question_fields(payload: QuestionIn) -> dict:
    fields = payload.dict()
    fields["options"] = [
        {"sv": o["sv"], "en": o.get("en", "")} for o in fields.pop("options") or []
    ]
    return fields


@router.get("/environments/{pk}/surveys", response={200: list[SurveyOut], **READ})
def list_surveys(request, pk: int):
    """The test environment's surveys with their questions."""
    environment = permissions.get_visible_or_404(request.user, TestEnvironment.objects, pk=pk)
    return environment.surveys.prefetch_related("questions")


@router.post("/environments/{pk}/surveys", response={201: SurveyWithLinkOut, **WRITE})
def create_survey(request, pk: int, payload: SurveyIn):
    """The innovator or a facilitator creates a survey (a draft: its link answers 404 until it
    is opened)."""
    environment = permissions.get_visible_or_404(
        request.user, TestEnvironment.objects, action="impact.edit", pk=pk
    )
    try:
        survey = services.create_survey(environment, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _with_link(request, survey))


@router.get("/surveys/{pk}", response={200: SurveyWithLinkOut, **READ})
def get_survey(request, pk: int):
    return _with_link(request, _survey(request, pk))


@router.post("/surveys/{pk}/questions", response={201: QuestionOut, **WRITE})
def add_question(request, pk: int, payload: QuestionIn):
    """Add a question; refused (422) once the survey has answers."""
    survey = _survey(request, pk, "impact.edit")
    try:
        question = services.add_question(survey, by=request.user, **_question_fields(payload))
    except ValidationError as error:
        return _invalid(error)
    return Status(201, question)


@router.post("/surveys/{pk}/status", response={200: SurveyWithLinkOut, **WRITE})
def set_status(request, pk: int, payload: StatusIn):
    """`open` (it needs a question) or `closed` (the link then says the survey is closed)."""
    survey = _survey(request, pk, "impact.edit")
    try:
        services.set_status(survey, by=request.user, status=payload.status)
    except ValidationError as error:
        return _invalid(error)
    return _with_link(request, _survey(request, pk))


@router.get("/surveys/{pk}/codes", response={200: list[CodeOut], **READ})
def list_codes(request, pk: int):
    return _survey(request, pk, "impact.edit").codes.all()


@router.post("/surveys/{pk}/codes", response={201: list[CodeOut], **WRITE})
def generate_codes(request, pk: int, payload: CodesIn):
    """Generate 1–500 random respondent codes (like K7P-3QX) to hand out."""
    survey = _survey(request, pk, "impact.edit")
    try:
        return Status(201, services.generate_codes(survey, by=request.user, count=payload.count))
    except ValidationError as error:
        return _invalid(error)


@router.post("/surveys/{pk}/indicators", response={200: FeedOut, **WRITE})
def update_indicators(request, pk: int):
    """Compute the fed indicators' survey measurements again from all answers. A period that
    already holds a value entered by hand or imported keeps it: it is listed in
    `not_replaced`."""
    survey = _survey(request, pk, "impact.edit")
    feed = services.update_indicators(survey, by=request.user)
    return {"measurements": feed.written, "not_replaced": feed.not_replaced}


@router.get("/surveys/{pk}/results", response={200: ResultsOut, **READ})
def results(request, pk: int):
    """Counts, means, distributions and before/after among paired codes. Outside the
    innovator's own team, figures on fewer than 5 respondents are `fewer_than_5` (distributions
    by the funnel's rule: `hidden` where the total would give a small group away) and free
    text is left out (`texts`: null)."""
    return survey_results(_survey(request, pk), request.user)
