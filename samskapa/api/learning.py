"""The learning log in the API (mounted by samskapa/api/views.py): a programme's lessons (the
ones the caller may see), recording one, the operators' decision on a lesson asked to be public,
the public lessons library (no credentials needed) with its search and filters, and the PDF
booklet of chosen lessons (learning/booklet.py; anyone, each caller getting only what they may
see). The same
permission module and services as the pages: a record outside what the caller may see answers
404, one they may see but not act on 403, bad input 422 with the service's message (nothing is
stored)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from samskapa.accounts import permissions
from samskapa.api.auth import ApiTokenAuth
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.challenges.models import Tag
from samskapa.learning import booklet, services
from samskapa.learning.models import Lesson
from samskapa.learning.portal_views import public_lessons
from samskapa.learning.search import search_lessons
from samskapa.reports.pdf import pdf_response

router = Router(tags=["learning log"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class LessonIn(Schema):
    title: str
    what_happened: str
    what_we_learned: str
    what_we_would_do_differently: str = ""
    phase: int | None = None
    themes: list[str] = []
    concerns: str = ""
    visibility: str = "programme"


class PublicLessonOut(Schema):
    """A lesson of the public library: no author, nothing about its approval but the date."""

    id: int
    programme_id: int
    programme_name: str
    title: str
    what_happened: str
    what_we_learned: str
    what_we_would_do_differently: str
    phase: int | None
    themes: list[str]
    concerns: str
    approved_at: datetime | None

    @staticmethod
    def resolve_programme_name(obj):
        return obj.programme.name

    @staticmethod
    def resolve_themes(obj):
        return [tag.name for tag in obj.themes.all()]

    @staticmethod
    def resolve_approved_at(obj):
        return obj.approval_decided_at


class LessonOut(PublicLessonOut):
    author_id: int
    visibility: str
    approval: str
    approval_note: str
    created_at: datetime


class DecisionIn(Schema):
    approve: bool
    note: str = ""


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _lessons(queryset):
    return queryset.select_related("programme").prefetch_related("themes").defer("search_stems")


@router.get("/programmes/{pk}/lessons", response={200: list[LessonOut], **READ})
@paginate(PageNumberPagination)
def list_lessons(request, pk: int):
    """The programme's lessons the caller may see: their own, the programme's, and the public
    ones; newest first."""
    programme = permissions.programme_or_404(request.user, pk)
    return _lessons(permissions.visible(request.user, programme.lessons.all()))


@router.post("/programmes/{pk}/lessons", response={201: LessonOut, **WRITE})
def create_lesson(request, pk: int, payload: LessonIn):
    """Record a lesson (every role but observers). `visibility`: private, programme or public
    (public asks the programme's operators for approval into the lessons library)."""
    programme = permissions.programme_or_404(request.user, pk, "lesson.create")
    try:
        lesson = services.create_lesson(programme, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _lessons(Lesson.objects.all()).get(pk=lesson.pk))


@router.post("/lessons/{pk}/decision", response={200: LessonOut, **WRITE})
def decide(request, pk: int, payload: DecisionIn):
    """An operator approves a lesson asked to be public, or not (`note` says why, required
    then)."""
    lesson = permissions.get_visible_or_404(
        request.user, Lesson.objects.select_related("programme"), action="lesson.approve", pk=pk
    )
    try:
        services.decide(lesson, by=request.user, approve=payload.approve, note=payload.note)
    except ValidationError as error:
        return _invalid(error)
    return _lessons(Lesson.objects.all()).get(pk=lesson.pk)


@router.get("/lessons/library", response=list[PublicLessonOut], auth=None)
@paginate(PageNumberPagination)
def library(request, q: str = "", phase: int | None = None, theme: str = ""):
    """The public lessons library across programmes, for anyone: `q` searches in Swedish full
    text (every word, any inflection, most relevant first), `phase` (1–4) and `theme` (its name)
    filter."""
    lessons = public_lessons()
    if phase is not None:
        lessons = lessons.filter(phase=phase)
    if theme:
        lessons = lessons.filter(themes__in=Tag.objects.filter(name__iexact=theme))
    return search_lessons(lessons, q[:200])


def _visitor(request):
    """Anyone without credentials (an `Authorization` header that fails still answers 401)."""
    return "HTTP_AUTHORIZATION" not in request.META


@router.get(
    "/lessons/booklet",
    response={422: ValidationErrorOut},
    auth=[ApiTokenAuth(), django_auth, _visitor],
    openapi_extra={
        # Besides the token and the session (added by ninja): nothing at all (public lessons).
        "security": [{}],
        "responses": {
            200: {
                "description": "The booklet: a cover page, a table of contents and the lessons "
                "in the order of `ids`, as a PDF download.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
)
def lessons_booklet(request, ids: Query[list[int]] = None, title: str = ""):
    """The chosen lessons (`ids`, repeated: `?ids=3&ids=7`, at most 200) as a PDF booklet in the
    caller's language (`Accept-Language`), titled `title` (optional, at most 200 characters).
    Without credentials only public, approved lessons go in; signed in or with a token, any
    lesson the caller may see. Other ids are left out without a word; none left, none chosen or
    too many answer 422."""
    if len(title) > booklet.MAX_TITLE_LENGTH:
        return _invalid(
            ValidationError({"title": [f"At most {booklet.MAX_TITLE_LENGTH} characters."]})
        )
    ids = ids or []
    if any(not 0 < pk < 2**31 for pk in ids):
        return _invalid(ValidationError({"ids": ["Not a lesson's id."]}))
    try:
        pdf = booklet.booklet_for(request.user, ids, title=title)
    except ValidationError as error:
        return _invalid(ValidationError({"ids": error.messages}))
    return pdf_response(pdf, title.strip() or booklet.default_title())
