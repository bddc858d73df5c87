"""The review panel in the API: the rubric, a reviewer's work (declare, score), and the
operator's summary, shortlist and decision. Same permission module and services as the pages:
an application outside what the caller may see answers 404, one they may see but not act on 403,
bad input 422 with the service's message (nothing is stored)."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.calls import services
from samskapa.calls.models import Application, Call, ConflictDeclaration, Review

router = Router(tags=["review panel"])


class CriterionOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    scale_max: int


class AssignedOut(Schema):
    """An application given to the reviewer, and how far they have got with it."""

    application_id: int
    call_id: int
    call_title: str
    declared: bool
    conflicted: bool
    reviewed: bool


class DeclarationIn(Schema):
    conflicted: bool
    note: str = ""


class DeclarationOut(Schema):
    application_id: int
    conflicted: bool
    note: str
    declared_at: datetime


class ScoreIn(Schema):
    value: int
    comment: str = ""


class ReviewIn(Schema):
    scores: dict[int, ScoreIn]  # criterion id → score


class ReviewOut(Schema):
    id: int
    application_id: int
    submitted_at: datetime


class SummaryRowOut(Schema):
    """One submitted application as the operators see it after review (operators see who
    applied even in a blind call, as on the pages)."""

    application_id: int
    applicant_name: str
    reviews: int
    mean: float | None
    spread: float | None
    disagreement: bool
    shortlisted: bool
    decision: str


class ShortlistIn(Schema):
    shortlisted: bool


class DecisionIn(Schema):
    decision: str
    rationale: str


class DecisionOut(Schema):
    application_id: int
    shortlisted: bool
    decision: str
    decision_rationale: str
    decided_at: datetime | None


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _call(request, pk: int) -> Call:
    return permissions.get_visible_or_404(
        request.user, Call.objects.select_related("programme"), pk=pk
    )


def _given(request, pk: int) -> Application:
    """An application given to the caller as reviewer (404 for everyone else)."""
    given = permissions.reviewable_applications(request.user).select_related("call__programme")
    application = given.filter(pk=pk).first()
    if application is None:
        raise Http404
    # Before declaring, the reviewer may not read the application yet but must be able to
    # declare; the service refuses scoring without a declaration of no conflict (422).
    permissions.require(request.user, "application.review", application)
    return application


def _decidable(request, pk: int) -> Application:
    applications = Application.objects.select_related("call__programme")
    return permissions.get_visible_or_404(
        request.user, applications, action="application.decide", pk=pk
    )


@router.get("/calls/{pk}/criteria", response={200: list[CriterionOut], 404: ErrorOut})
def list_criteria(request, pk: int):
    """The call's rubric, for anyone who may see the call."""
    return list(_call(request, pk).criteria.all())


@router.get("/reviews/assigned", response=list[AssignedOut])
def list_assigned(request):
    """The applications given to the caller to review, with their declaration and review."""
    given = permissions.reviewable_applications(request.user).select_related("call")
    declared = dict(
        ConflictDeclaration.objects.filter(reviewer=request.user).values_list(
            "application_id", "conflicted"
        )
    )
    reviewed = set(
        Review.objects.filter(reviewer=request.user).values_list("application_id", flat=True)
    )
    return [
        {
            "application_id": application.pk,
            "call_id": application.call_id,
            "call_title": application.call.title,
            "declared": application.pk in declared,
            "conflicted": declared.get(application.pk, False),
            "reviewed": application.pk in reviewed,
        }
        for application in given.order_by("call_id", "pk")
    ]


@router.post(
    "/applications/{pk}/conflict-declaration",
    response={201: DeclarationOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def declare_conflict(request, pk: int, payload: DeclarationIn):
    application = _given(request, pk)
    try:
        declaration = services.declare_conflict(
            application, by=request.user, conflicted=payload.conflicted, note=payload.note
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, declaration)


@router.post(
    "/applications/{pk}/reviews",
    response={201: ReviewOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def submit_review(request, pk: int, payload: ReviewIn):
    application = _given(request, pk)
    scores = {key: score.dict() for key, score in payload.scores.items()}
    try:
        review = services.submit_review(application, by=request.user, scores=scores)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, review)


@router.get(
    "/calls/{pk}/review-summary",
    response={200: list[SummaryRowOut], 403: ErrorOut, 404: ErrorOut},
)
def review_summary(request, pk: int):
    call = _call(request, pk)
    permissions.require(request.user, "call.manage_reviews", call)
    return [
        {
            "application_id": row["application"].pk,
            "applicant_name": row["application"].applicant.full_name,
            "reviews": row["reviews"],
            "mean": row["mean"],
            "spread": row["spread"],
            "disagreement": row["disagreement"],
            "shortlisted": row["application"].shortlisted,
            "decision": row["application"].decision,
        }
        for row in services.review_summary(call)
    ]


@router.post(
    "/applications/{pk}/shortlist",
    response={200: DecisionOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def shortlist(request, pk: int, payload: ShortlistIn):
    try:
        application = services.set_shortlisted(
            _decidable(request, pk), by=request.user, shortlisted=payload.shortlisted
        )
    except ValidationError as error:
        return _invalid(error)
    return _decision_out(application)


@router.post(
    "/applications/{pk}/decision",
    response={200: DecisionOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def decide(request, pk: int, payload: DecisionIn):
    try:
        application = services.decide(
            _decidable(request, pk),
            by=request.user,
            decision=payload.decision,
            rationale=payload.rationale,
        )
    except ValidationError as error:
        return _invalid(error)
    return _decision_out(application)


def _decision_out(application: Application) -> dict:
    return {
        "application_id": application.pk,
        "shortlisted": application.shortlisted,
        "decision": application.decision,
        "decision_rationale": application.decision_rationale,
        "decided_at": application.decided_at,
    }
