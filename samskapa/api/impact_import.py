"""Importing measurements from a CSV or XLSX file in the API (mounted by samskapa/api/views.py):
upload a file for its preview (its problems as data, and a token), then commit the token. The
same rules and code as the pages (impact/importing.py): nothing is stored before the commit,
the commit stores all rows or none, the same file twice is refused. Only those with
`impact.edit` on the test environment; a test environment the caller cannot see answers 404."""

import contextlib
from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from samskapa.accounts import permissions
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.environments.models import TestEnvironment
from samskapa.impact import importing
from samskapa.impact.models import ImportBatch

router = Router(tags=["impact imports"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class ProblemOut(Schema):
    row: int
    column: str
    code: str
    message: str


class AlreadyImportedOut(Schema):
    batch_id: int
    imported_at: datetime
    imported_by: str | None
    message: str


class SampleRowOut(Schema):
    row: int
    indicator: str
    period: date
    value: float
    people: int | None


class ReplacementOut(Schema):
    row: int
    indicator: str
    period: date
    old: float
    new: float
    old_people: int | None
    new_people: int | None


class PreviewOut(Schema):
    token: str
    filename: str
    sha256: str
    kind: str
    read_as_windows_1252: bool
    rows: int
    skipped: int
    ok: bool
    problem_count: int
    problem_kinds: dict[str, int]
    problems: list[ProblemOut]
    new: int
    changed: int
    unchanged: int
    replacements: list[ReplacementOut]
    sample: list[SampleRowOut]
    ignored_columns: list[str]
    discarded: bool
    already_imported: AlreadyImportedOut | None


class RefusedOut(Schema):
    detail: str
    preview: PreviewOut


class BatchOut(Schema):
    id: int
    environment_id: int
    filename: str
    sha256: str
    rows: int
    imported_at: datetime
    imported_by: str | None

    @staticmethod
    def resolve_imported_by(obj):
        return obj.imported_by.full_name if obj.imported_by else None


class CommitOut(Schema):
    id: int
    environment_id: int
    filename: str
    sha256: str
    rows: int
    imported_at: datetime
    imported_by: str | None
    new: int
    changed: int
    unchanged: int


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _environment(request, pk):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related("programme", "journey"),
        action="impact.edit",
        pk=pk,
    )


@router.get("/environments/{pk}/impact-imports", response={200: list[BatchOut], **READ})
def list_imports(request, pk: int):
    """The test environment's imports, newest first."""
    environment = _environment(request, pk)
    return (
        ImportBatch.objects.filter(environment=environment)
        .select_related("imported_by")
        .order_by("-imported_at", "-pk")
    )


@router.post("/environments/{pk}/impact-imports", response={200: PreviewOut, **WRITE})
def upload(request, pk: int, file: File[UploadedFile] = None):
    """Upload a CSV or XLSX file (multipart, field `file`; the format is on the import page and
    in docs/architecture.md) and get its preview: every row's problem (the first 200, and
    `problem_count` in all), what would be new, replaced or unchanged, and a `token` to commit
    it with. Nothing is stored yet. A file that is not CSV or XLSX answers 422."""
    environment = _environment(request, pk)
    if file is None:
        return _invalid(ValidationError({"file": ["Choose a CSV or XLSX file."]}))
    try:
        pending = importing.receive(file, environment=environment, by=request.user)
    except ValidationError as error:
        return _invalid(ValidationError({"file": error.messages}))
    return importing.preview(pending, environment=environment).as_data()


@router.post(
    "/environments/{pk}/impact-imports/{token}/commit",
    response={201: CommitOut, 409: RefusedOut, **WRITE},
)
def commit(request, pk: int, token: str):
    """Import the file uploaded under `token`: all rows in one transaction, or nothing. A file
    with problems, or one already imported into this test environment, answers 409 with its
    preview; a token that is not waiting (committed, discarded, another person's) 422."""
    environment = _environment(request, pk)
    try:
        pending = importing.pending_file(token, environment=environment, by=request.user)
        result = importing.commit(pending, environment=environment, by=request.user)
    except importing.ImportRefused as refused:
        return Status(
            409, {"detail": " ".join(refused.messages), "preview": refused.preview.as_data()}
        )
    except ValidationError as error:
        return _invalid(error)
    batch = result.batch
    return Status(
        201,
        {
            "id": batch.pk,
            "environment_id": batch.environment_id,
            "filename": batch.filename,
            "sha256": batch.sha256,
            "rows": batch.rows,
            "imported_at": batch.imported_at,
            "imported_by": request.user.full_name,
            "new": result.new,
            "changed": result.changed,
            "unchanged": result.unchanged,
        },
    )


@router.delete("/environments/{pk}/impact-imports/{token}", response={204: None, **READ})
def discard(request, pk: int, token: str):
    """Discard an uploaded file that is waiting for its commit (nothing was stored)."""
    environment = _environment(request, pk)
    with contextlib.suppress(ValidationError):
        importing.discard(importing.pending_file(token, environment=environment, by=request.user))
    return Status(204, None)
