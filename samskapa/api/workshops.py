"""The toolbox and workshops in the API (mounted by samskapa/api/views.py): the tools a caller
may see (the starter set and their programmes' own; a phase filter), adding a tool (operators),
a tool's template; a programme's workshops (operators all, members those they are invited to),
creating and changing one, inviting, recording attendance, follow-ups and the .ics. The same
permission module and services as the pages: a record outside what the caller may see answers
404, one they may see but not act on 403, bad input 422 with the service's message (nothing is
stored)."""

from datetime import date, datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Router, Schema, Status

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.calls import uploads
from samskapa.reports.pdf import pdf_response
from samskapa.workshops import ics, services
from samskapa.workshops.models import FollowUp, Tool, Workshop, WorkshopInvitation
from samskapa.workshops.views import tool_worksheet, toolbox_of, workshops_of

router = Router(tags=["toolbox and workshops"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
FILE = {
    "responses": {
        200: {
            "description": "The template: the uploaded file, or a generated worksheet (PDF).",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    }
}
CALENDAR = {
    "responses": {
        200: {
            "description": "The workshop as iCalendar (PUBLISH, or CANCEL once cancelled).",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    }
}


class ToolOut(Schema):
    id: int
    programme_id: int | None
    starter: bool
    name: str
    purpose: str
    phases: list[int]
    how_to: str
    duration: str
    materials: str
    has_uploaded_template: bool

    @staticmethod
    def resolve_starter(obj):
        return obj.is_starter

    @staticmethod
    def resolve_name(obj):
        return str(obj.title)

    @staticmethod
    def resolve_purpose(obj):
        return str(obj.purpose_text)

    @staticmethod
    def resolve_phases(obj):
        return obj.phase_list

    @staticmethod
    def resolve_how_to(obj):
        return str(obj.how_to_text)

    @staticmethod
    def resolve_duration(obj):
        return str(obj.duration_text)

    @staticmethod
    def resolve_materials(obj):
        return str(obj.materials_text)


class ToolIn(Schema):
    name: str
    purpose: str
    phases: list[int]
    how_to: str = ""
    duration: str = ""
    materials: str = ""


class InvitationOut(Schema):
    person_id: int
    name: str
    attended: bool

    @staticmethod
    def resolve_name(obj):
        return str(obj.person)


class FollowUpOut(Schema):
    id: int
    text: str
    owner_id: int | None
    due_on: date | None
    done: bool


class WorkshopListOut(Schema):
    id: int
    programme_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    video_url: str
    status: str


class WorkshopOut(WorkshopListOut):
    agenda: str
    notes: str
    sequence: int
    tool_ids: list[int]
    invitations: list[InvitationOut]
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_tool_ids(obj):
        return [tool.pk for tool in obj.tools.all()]

    @staticmethod
    def resolve_invitations(obj):
        return list(obj.invitations.all())

    @staticmethod
    def resolve_follow_ups(obj):
        return list(obj.follow_ups.all())


class WorkshopIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    video_url: str = ""
    agenda: str = ""
    tool_ids: list[int] = []
    invited_ids: list[int] = []


class WorkshopPatch(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    video_url: str | None = None
    agenda: str | None = None
    notes: str | None = None
    tool_ids: list[int] | None = None
    invited_ids: list[int] | None = None


class InviteIn(Schema):
    person_ids: list[int]


class AttendanceIn(Schema):
    attended_ids: list[int]
    notes: str | None = None


class FollowUpIn(Schema):
    text: str
    owner_id: int | None = None
    due_on: date | None = None


class FollowUpPatch(Schema):
    done: bool


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _full(pk: int) -> Workshop:
    return (
        Workshop.objects.select_related("programme")
        .prefetch_related("tools", "invitations__person", "follow_ups")
        .get(pk=pk)
    )


def _workshop(request, pk: int, action: str | None = None) -> Workshop:
    workshop = permissions.get_visible_or_404(
        request.user, Workshop.objects.select_related("programme"), pk=pk
    )
    if action:
        permissions.require(request.user, action, workshop.programme)
    return workshop


# --- The toolbox ---


@router.get("/programmes/{pk}/tools", response={200: list[ToolOut], **READ})
def list_tools(request, pk: int, phase: int | None = None):
    """The programme's toolbox: the starter set and its own tools; `phase` (1–4) filters."""
    programme = permissions.programme_or_404(request.user, pk)
    tools = toolbox_of(request.user, programme)
    return tools.in_phase(phase) if phase else tools


@router.post("/programmes/{pk}/tools", response={201: ToolOut, **WRITE})
def create_tool(request, pk: int, payload: ToolIn):
    """Add a tool to the programme's toolbox (operators). A template file is uploaded on the
    tool's page; without one, the template is a generated worksheet."""
    programme = permissions.programme_or_404(request.user, pk, "toolbox.manage")
    try:
        tool = services.create_tool(programme, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, tool)


@router.get("/tools/{pk}", response={200: ToolOut, **READ})
def get_tool(request, pk: int):
    return permissions.get_visible_or_404(request.user, Tool.objects.all(), pk=pk)


@router.get("/tools/{pk}/template", response={404: ErrorOut}, openapi_extra=FILE)
def tool_template(request, pk: int):
    """The tool's template: the uploaded file, or its worksheet as a PDF."""
    tool = permissions.get_visible_or_404(request.user, Tool.objects.all(), pk=pk)
    if tool.has_uploaded_template:
        stored = SimpleNamespace(
            file=tool.template_file, content_type=tool.template_content_type, pk=tool.pk
        )
        return uploads.file_response(stored, tool.template_name)
    return pdf_response(tool_worksheet(tool), str(tool.title))


# --- Workshops ---


@router.get("/programmes/{pk}/workshops", response={200: list[WorkshopListOut], **READ})
def list_workshops(request, pk: int):
    """The programme's workshops the caller may see (operators all, members those they are
    invited to), latest first."""
    programme = permissions.programme_or_404(request.user, pk)
    return workshops_of(request.user, programme)


@router.post("/programmes/{pk}/workshops", response={201: WorkshopOut, **WRITE})
def create_workshop(request, pk: int, payload: WorkshopIn):
    """A workshop (operators): the end after the start, a place, a video link or both; the
    invited (members of the programme) get the calendar invitation by e-mail."""
    programme = permissions.programme_or_404(request.user, pk, "workshop.manage")
    fields = payload.dict()
    tools, invited = fields.pop("tool_ids"), fields.pop("invited_ids")
    try:
        workshop = services.create_workshop(
            programme, by=request.user, tools=tools, invited=invited, **fields
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _full(workshop.pk))


@router.get("/workshops/{pk}", response={200: WorkshopOut, **READ})
def get_workshop(request, pk: int):
    return _full(_workshop(request, pk).pk)


@router.patch("/workshops/{pk}", response={200: WorkshopOut, **WRITE})
def update_workshop(request, pk: int, payload: WorkshopPatch):
    """Change a workshop (operators): fields left out stay; `tool_ids` and `invited_ids`
    replace the lists when given. The invited get the updated calendar event."""
    workshop = _workshop(request, pk, "workshop.manage")
    fields = payload.dict(exclude_unset=True)
    tools, invited = fields.pop("tool_ids", None), fields.pop("invited_ids", None)
    try:
        services.update_workshop(workshop, by=request.user, tools=tools, invited=invited, **fields)
    except ValidationError as error:
        return _invalid(error)
    return _full(workshop.pk)


@router.post("/workshops/{pk}/invitations", response={200: WorkshopOut, **WRITE})
def invite(request, pk: int, payload: InviteIn):
    """Invite more members of the programme (operators)."""
    workshop = _workshop(request, pk, "workshop.manage")
    try:
        services.invite(workshop, payload.person_ids, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return _full(workshop.pk)


@router.post("/workshops/{pk}/attendance", response={200: WorkshopOut, **WRITE})
def record_attendance(request, pk: int, payload: AttendanceIn):
    """Who attended (among the invited, once the workshop has begun) and the notes."""
    workshop = _workshop(request, pk, "workshop.manage")
    try:
        services.record_attendance(
            workshop, by=request.user, attended=payload.attended_ids, notes=payload.notes
        )
    except ValidationError as error:
        return _invalid(error)
    return _full(workshop.pk)


@router.post("/workshops/{pk}/cancel", response={200: WorkshopOut, **WRITE})
def cancel(request, pk: int):
    """Cancel the workshop (operators): the invited get METHOD:CANCEL."""
    workshop = _workshop(request, pk, "workshop.manage")
    try:
        services.cancel_workshop(workshop, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return _full(workshop.pk)


@router.post("/workshops/{pk}/follow-ups", response={201: FollowUpOut, **WRITE})
def add_follow_up(request, pk: int, payload: FollowUpIn):
    workshop = _workshop(request, pk, "workshop.manage")
    try:
        follow_up = services.add_follow_up(
            workshop,
            by=request.user,
            text=payload.text,
            owner=payload.owner_id,
            due_on=payload.due_on,
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, follow_up)


@router.patch("/follow-ups/{pk}", response={200: FollowUpOut, **WRITE})
def update_follow_up(request, pk: int, payload: FollowUpPatch):
    """Mark a follow-up done or not: the operators, or the follow-up's owner."""
    follow_up = FollowUp.objects.select_related("workshop__programme").filter(pk=pk).first()
    if follow_up is None:
        return Status(404, {"detail": "Not found."})
    _workshop(request, follow_up.workshop_id)
    return services.set_follow_up_done(follow_up, by=request.user, done=payload.done)


@router.get("/workshops/{pk}/calendar.ics", response={404: ErrorOut}, openapi_extra=CALENDAR)
def calendar(request, pk: int):
    workshop = _workshop(request, pk)
    invited = WorkshopInvitation.objects.filter(workshop=workshop, person=request.user).exists()
    method = ics.CANCEL if workshop.is_cancelled else ics.PUBLISH
    body = ics.workshop_calendar(workshop, method, person=request.user if invited else None)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="samskapa-workshop.ics"'
    return response
