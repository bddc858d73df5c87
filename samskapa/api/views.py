"""The HTTP API under /api/. Every endpoint asks accounts/permissions.py, as the pages do."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Prefetch, Q, Value, When
from ninja import NinjaAPI, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership
from samskapa.api.auth import ApiTokenAuth
from samskapa.api.review_panel import router as review_router
from samskapa.api.schemas import (
    ApplicationOut,
    CallOut,
    ChallengeOut,
    ErrorOut,
    MembershipOut,
    OrganisationIn,
    OrganisationOut,
    PhaseOut,
    ProgrammeOut,
    ValidationErrorOut,
)
from samskapa.calls import uploads
from samskapa.calls.models import Application, Call
from samskapa.challenges.models import Challenge
from samskapa.organisations import services as organisation_services
from samskapa.organisations.models import County, Municipality, Organisation
from samskapa.programmes.models import GateCriterion, Phase, Programme
from samskapa.recruitment.api import router as recruitment_router

api = NinjaAPI(
    title="Samskapa API",
    version="1",
    description="Programmes, phases, memberships and organisations. Authenticate with "
    "`Authorization: Bearer <token>` (create a token under *API tokens* when signed in).",
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


def _validation_response(request, error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return api.create_response(
        request, {"detail": "The input is not valid.", "errors": errors}, status=422
    )


@api.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginate(PageNumberPagination)
def list_organisations(request, kind: str | None = None):
    permissions.require(request.user, "organisation.view")
    organisations = Organisation.objects.visible_to(request.user)
    return organisations.filter(kind=kind) if kind else organisations


@api.get(
    "/organisations/{pk}", response={200: OrganisationOut, 404: ErrorOut}, tags=["organisations"]
)
def get_organisation(request, pk: int):
    return permissions.get_visible_or_404(request.user, Organisation.objects.all(), pk=pk)


@api.post(
    "/organisations",
    response={201: OrganisationOut, 403: ErrorOut, 422: ValidationErrorOut},
    tags=["organisations"],
)
def create_organisation(request, payload: OrganisationIn):
    permissions.require(request.user, "organisation.create")
    data = payload.dict()
    fields = {
        key: data[key]
        for key in ("name", "kind", "legal_form", "org_number", "website", "description")
    }
    try:
        fields["municipality"] = _reference(Municipality, data["municipality_code"], "municipality")
        fields["county"] = _reference(County, data["county_code"], "county")
        fields["parent"] = _reference(Organisation, data["parent_id"], "parent")
        organisation = organisation_services.create_organisation(by=request.user, **fields)
    except ValidationError as error:
        return _validation_response(request, error)
    return Status(201, organisation)


def _reference(model, key, field):
    if key in (None, ""):
        return None
    found = model.objects.filter(pk=key).first()
    if found is None:
        raise ValidationError({field: [f"Unknown {field}: {key}"]})
    return found


@api.get("/programmes", response=list[ProgrammeOut], tags=["programmes"])
@paginate(PageNumberPagination)
def list_programmes(request):
    return Programme.objects.visible_to(request.user).prefetch_related(
        Prefetch("needs_owners", queryset=Organisation.objects.only("id"))
    )


def _programme(request, pk):
    return permissions.get_visible_or_404(request.user, Programme.objects.all(), pk=pk)


@api.get("/programmes/{pk}", response={200: ProgrammeOut, 404: ErrorOut}, tags=["programmes"])
def get_programme(request, pk: int):
    return _programme(request, pk)


@api.get(
    "/programmes/{pk}/phases", response={200: list[PhaseOut], 404: ErrorOut}, tags=["programmes"]
)
def list_phases(request, pk: int):
    programme = _programme(request, pk)
    return Phase.objects.filter(programme=programme).prefetch_related(
        Prefetch("criteria", queryset=GateCriterion.objects.order_by("position", "id"))
    )


@api.get("/programmes/{pk}/memberships", response=list[MembershipOut], tags=["programmes"])
@paginate(PageNumberPagination)
def list_memberships(request, pk: int, role: str | None = None):
    programme = _programme(request, pk)
    memberships = permissions.visible(
        request.user, Membership.objects.filter(programme=programme)
    ).select_related("user")
    return memberships.filter(role=role) if role else memberships


def _challenges(request):
    return permissions.visible(request.user, Challenge.objects.all()).prefetch_related(
        "tags", "strategy_documents"
    )


@api.get("/programmes/{pk}/challenges", response=list[ChallengeOut], tags=["challenges"])
@paginate(PageNumberPagination)
def list_challenges(request, pk: int, status: str | None = None):
    """The programme's challenges the caller may see: drafts only for those who work on them."""
    challenges = _challenges(request).filter(programme=_programme(request, pk))
    return challenges.filter(status=status) if status else challenges


@api.get("/challenges/{pk}", response={200: ChallengeOut, 404: ErrorOut}, tags=["challenges"])
def get_challenge(request, pk: int):
    return permissions.get_visible_or_404(request.user, _challenges(request), pk=pk)


@api.get("/programmes/{pk}/calls", response=list[CallOut], tags=["calls"])
@paginate(PageNumberPagination)
def list_calls(request, pk: int):
    programme = _programme(request, pk)
    return permissions.visible(
        request.user, Call.objects.filter(programme=programme)
    ).prefetch_related("challenges")


@api.get("/calls/{pk}", response={200: CallOut, 404: ErrorOut}, tags=["calls"])
def get_call(request, pk: int):
    calls = permissions.visible(request.user, Call.objects.prefetch_related("challenges"))
    return permissions.get_visible_or_404(request.user, calls, pk=pk)


@api.get("/calls/{pk}/applications", response=list[ApplicationOut], tags=["calls"])
@paginate(PageNumberPagination)
def list_applications(request, pk: int):
    """The call's applications the caller may see (their own; all submitted ones for operators;
    their department's after the deadline for needs owners)."""
    call = permissions.get_visible_or_404(request.user, Call.objects.all(), pk=pk)
    applications = permissions.visible(
        request.user, call.applications.select_related("applicant").prefetch_related("files")
    )
    names_shown = not call.blind_review or permissions.can(request.user, "call.change", call)
    own = Q(applicant_id=request.user.pk)
    return applications.annotate(
        show_applicant=Case(When(own, then=Value(True)), default=Value(names_shown))
    )


@api.get(
    "/applications/{pk}/files/{file_pk}",
    response={404: ErrorOut},
    tags=["calls"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with the type its content was "
                "checked to be.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_application_file(request, pk: int, file_pk: int):
    """A file of an application the caller may see (the same rule as the application's page);
    404 otherwise. With blind review the name is neutral for those who may not know who
    applied."""
    application = permissions.get_visible_or_404(
        request.user, Application.objects.select_related("call__programme"), pk=pk
    )
    stored = application.files.filter(pk=file_pk).first()
    if stored is None:
        return Status(404, {"detail": "Not found."})
    return uploads.file_response(stored, stored.name_for(request.user, application=application))


# The review panel's endpoints live in their own module (same permissions, same services).
api.add_router("/", review_router)


# The recruitment lab and the funnel: samskapa/recruitment/api.py (same permissions, services).
api.add_router("/", recruitment_router)
api.add_router("/", "samskapa.api.matching.router")
api.add_router("/", "samskapa.api.learning.router")
api.add_router("/", "samskapa.api.canvas.router")
api.add_router("/", "samskapa.api.journeys.router")
api.add_router("/", "samskapa.api.environments.router")
api.add_router("/", "samskapa.api.workshops.router")
api.add_router("/", "samskapa.api.cases.router")
api.add_router("/", "samskapa.api.impact.router")
api.add_router("/", "samskapa.api.impact_import.router")
api.add_router("/", "samskapa.api.surveys.router")
