"""Test environments and their shared workspace in the API (mounted by samskapa/api/views.py):
a programme's test environments (those the caller may see), one of them, setting one up by hand
and changing it (operators), its tasks, meetings, files, the signed agreement and its timeline.
The same permission module and services as the pages: a record outside what the caller may see
answers 404, one they may see but not act on 403, bad input 422 with the service's message
(nothing is stored)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.calls import uploads
from samskapa.environments import services
from samskapa.environments.models import Task, TestEnvironment
from samskapa.environments.views import RELATED

router = Router(tags=["test environments"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
DOWNLOAD = {
    "responses": {
        200: {
            "description": "The file as an attachment, of the type its content was found to be.",
            "content": {"application/octet-stream": {"schema": {"type": "string"}}},
        }
    }
}


class EnvironmentOut(Schema):
    id: int
    programme_id: int
    journey_id: int
    match_id: int | None
    innovator_id: int
    innovator_name: str
    challenge_id: int
    challenge_title: str
    host_department_id: int
    host_department_name: str
    contact_person_id: int | None
    facilitator_id: int | None
    target_group_access: str
    premises: str
    data_offered: str
    staff_time: str
    budget: int | None
    aims: str
    starts_on: date | None
    ends_on: date | None
    data_agreement_signed: bool
    data_agreement_filename: str
    status: str
    created_at: datetime

    @staticmethod
    def resolve_innovator_id(obj):
        return obj.journey.innovator_id

    @staticmethod
    def resolve_innovator_name(obj):
        return obj.journey.innovator.full_name

    @staticmethod
    def resolve_challenge_title(obj):
        return obj.challenge.title

    @staticmethod
    def resolve_host_department_name(obj):
        return obj.host_department.name


class EnvironmentNewIn(Schema):
    innovator_id: int
    challenge_id: int
    target_group_access: str = ""
    premises: str = ""
    data_offered: str = ""
    staff_time: str = ""
    budget: int | None = None
    aims: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class EnvironmentChangeIn(Schema):
    """Only the fields given are changed."""

    contact_person_id: int | None = None
    facilitator_id: int | None = None
    target_group_access: str | None = None
    premises: str | None = None
    data_offered: str | None = None
    staff_time: str | None = None
    budget: int | None = None
    aims: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    data_agreement_signed: bool | None = None
    status: str | None = None


class TaskIn(Schema):
    title: str
    owner_id: int | None = None
    due_on: date | None = None


class TaskOut(Schema):
    id: int
    title: str
    owner_id: int | None
    due_on: date | None
    done: bool
    overdue: bool
    created_at: datetime

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class DoneIn(Schema):
    done: bool = True


class MeetingIn(Schema):
    starts_at: datetime
    place: str = ""
    video_link: str = ""
    agenda: str = ""
    notes: str = ""


class MeetingOut(Schema):
    id: int
    starts_at: datetime
    place: str
    video_link: str
    agenda: str
    notes: str
    created_by_id: int | None


class FileOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: datetime


class TimelineOut(Schema):
    id: int
    at: datetime
    kind: str
    label: str
    subject: str
    actor_id: int | None
    actor_name: str | None

    @staticmethod
    def resolve_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor_name(obj):
        return obj.actor.full_name if obj.actor else None


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user, TestEnvironment.objects.select_related(*RELATED), action=action, pk=pk
    )


def _user_or_invalid(pk, field):
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationError({field: ["No such person."]})
    return user


@router.get("/programmes/{pk}/environments", response={200: list[EnvironmentOut], **READ})
@paginate(PageNumberPagination)
def list_environments(request, pk: int):
    """The programme's test environments the caller takes part in (operators: all)."""
    programme = permissions.programme_or_404(request.user, pk)
    return permissions.visible(request.user, programme.test_environments.all()).select_related(
        *RELATED
    )


@router.post("/programmes/{pk}/environments", response={201: EnvironmentOut, **WRITE})
def create_environment(request, pk: int, payload: EnvironmentNewIn):
    """An operator sets up a test environment by hand for a person of the programme and one of
    its challenges."""
    programme = permissions.programme_or_404(request.user, pk, "environment.create")
    data = payload.dict()
    innovator = (
        permissions.visible(request.user, programme.memberships.select_related("user"))
        .filter(user_id=data.pop("innovator_id"))
        .first()
    )
    challenge = programme.challenges.filter(pk=data.pop("challenge_id")).first()
    errors = {}
    if innovator is None:
        errors["innovator_id"] = ["Choose a person of the programme."]
    if challenge is None:
        errors["challenge_id"] = ["Choose a challenge of the programme."]
    if errors:
        return _invalid(ValidationError(errors))
    try:
        environment = services.create_by_hand(
            programme, by=request.user, innovator=innovator.user, challenge=challenge, **data
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _environment(request, environment.pk))


@router.get("/environments/{pk}", response={200: EnvironmentOut, **READ})
def get_environment(request, pk: int):
    return _environment(request, pk)


@router.patch("/environments/{pk}", response={200: EnvironmentOut, **WRITE})
def change_environment(request, pk: int, payload: EnvironmentChangeIn):
    """An operator changes a test environment: only the fields given. An end before the start
    is refused (422) and nothing is stored."""
    environment = _environment(request, pk, "environment.change")
    fields = payload.dict(exclude_unset=True)
    try:
        for key in ("contact_person_id", "facilitator_id"):
            if key in fields:
                fields[key.removesuffix("_id")] = _user_or_invalid(fields.pop(key), key)
        services.update_environment(environment, by=request.user, **fields)
    except ValidationError as error:
        return _invalid(error)
    return _environment(request, pk)


@router.get("/environments/{pk}/agreement", response={404: ErrorOut}, openapi_extra=DOWNLOAD)
def download_agreement(request, pk: int):
    """The signed data-sharing agreement, to whoever may see the test environment."""
    environment = _environment(request, pk)
    stored = services.agreement_download(environment)
    if stored is None:
        return Status(404, {"detail": "Not found."})
    return uploads.file_response(stored, environment.data_agreement_filename)


@router.post("/environments/{pk}/agreement", response={200: EnvironmentOut, **WRITE})
def attach_agreement(request, pk: int, file: File[UploadedFile]):
    """An operator attaches the signed agreement (PDF, PNG or JPEG): it marks it signed."""
    environment = _environment(request, pk, "environment.change")
    try:
        services.update_environment(environment, by=request.user, agreement=file)
    except ValidationError as error:
        return _invalid(error)
    return _environment(request, pk)


@router.get("/environments/{pk}/tasks", response={200: list[TaskOut], **READ})
def list_tasks(request, pk: int):
    """The workspace's tasks, open ones first by due date; `overdue`: open and past due."""
    return _environment(request, pk).tasks.all()


@router.post("/environments/{pk}/tasks", response={201: TaskOut, **WRITE})
def add_task(request, pk: int, payload: TaskIn):
    environment = _environment(request, pk, "workspace.contribute")
    try:
        owner = _user_or_invalid(payload.owner_id, "owner_id")
        task = services.add_task(
            environment, by=request.user, title=payload.title, owner=owner, due_on=payload.due_on
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, task)


@router.post("/environments/{pk}/tasks/{task_pk}/done", response={200: TaskOut, **WRITE})
def mark_task(request, pk: int, task_pk: int, payload: DoneIn):
    """Mark a task done (`done: true`) or not done after all (`done: false`)."""
    environment = _environment(request, pk, "workspace.contribute")
    task = Task.objects.filter(environment=environment, pk=task_pk).first()
    if task is None:
        return Status(404, {"detail": "Not found."})
    return services.set_task_done(task, by=request.user, done=payload.done)


@router.get("/environments/{pk}/meetings", response={200: list[MeetingOut], **READ})
def list_meetings(request, pk: int):
    return _environment(request, pk).meetings.all()


@router.post("/environments/{pk}/meetings", response={201: MeetingOut, **WRITE})
def add_meeting(request, pk: int, payload: MeetingIn):
    """A meeting: when, where or a video link (at least one), agenda, notes."""
    environment = _environment(request, pk, "workspace.contribute")
    try:
        meeting = services.add_meeting(environment, by=request.user, **payload.dict())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, meeting)


@router.get("/environments/{pk}/files", response={200: list[FileOut], **READ})
def list_files(request, pk: int):
    return _environment(request, pk).files.all()


@router.post("/environments/{pk}/files", response={201: FileOut, **WRITE})
def upload_file(request, pk: int, file: File[UploadedFile]):
    """Share a file (multipart, field `file`): PDF, Word, OpenDocument text, Excel, PNG or
    JPEG, told by its content; anything else is refused (422)."""
    environment = _environment(request, pk, "workspace.contribute")
    try:
        stored = services.add_file(environment, by=request.user, upload=file)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, stored)


@router.get("/environments/{pk}/files/{file_pk}", response={404: ErrorOut}, openapi_extra=DOWNLOAD)
def download_file(request, pk: int, file_pk: int):
    environment = _environment(request, pk)
    stored = environment.files.filter(pk=file_pk).first()
    if stored is None:
        return Status(404, {"detail": "Not found."})
    return uploads.file_response(stored, stored.original_name)


@router.get("/environments/{pk}/timeline", response={200: list[TimelineOut], **READ})
def timeline(request, pk: int):
    """Everything that happened in the test environment and its workspace, oldest first."""
    return _environment(request, pk).timeline.select_related("actor")
