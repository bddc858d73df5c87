"""The social business model canvas in the API (mounted by samskapa/api/views.py): a journey's
canvas (its latest version), its versions, one version, saving a new version, comparing two,
comments on a version's blocks, and a version as PDF. The same permission module and services as
the pages: only the journey's innovator and the programme's operators see a canvas (404 for
everyone else), bad input answers 422 and a save based on a version that is no longer the newest
409 with the latest version's number (nothing is stored)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Schema, Status

from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.canvas import services
from samskapa.canvas.blocks import BLOCK_KEYS
from samskapa.canvas.models import CanvasComment, CanvasVersion
from samskapa.canvas.views import journey_or_404, pdf_of

router = Router(tags=["business model canvas"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class VersionSummaryOut(Schema):
    number: int
    author_id: int | None
    author_name: str
    created_at: datetime
    note: str

    @staticmethod
    def resolve_author_name(obj):
        return obj.author.full_name if obj.author else ""


class VersionOut(VersionSummaryOut):
    blocks: dict[str, str]

    @staticmethod
    def resolve_blocks(obj):
        return {key: obj.text(key) for key in BLOCK_KEYS}


class CanvasOut(Schema):
    journey_id: int
    programme_id: int
    innovator_name: str
    block_keys: list[str]
    latest_version: VersionOut | None


class VersionIn(Schema):
    base_version: int
    blocks: dict[str, str]
    note: str = ""


class ConflictOut(Schema):
    detail: str
    latest_version: int
    base_version: int


class PieceOut(Schema):
    op: str
    text: str


class BlockDifferenceOut(Schema):
    key: str
    label: str
    changed: bool
    first: str
    second: str
    pieces: list[PieceOut]


class ComparisonOut(Schema):
    first: int
    second: int
    changed_blocks: list[str]
    blocks: list[BlockDifferenceOut]


class CommentIn(Schema):
    block: str
    text: str


class CommentOut(Schema):
    id: int
    version: int
    block: str
    text: str
    author_id: int | None
    author_name: str
    created_at: datetime

    @staticmethod
    def resolve_version(obj):
        return obj.version.number

    @staticmethod
    def resolve_author_name(obj):
        return obj.author.full_name if obj.author else ""


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _versions(journey):
    return CanvasVersion.objects.filter(canvas__journey=journey).select_related("author")


def _version_or_404(journey, number):
    version = _versions(journey).filter(number=number).first()
    if version is None:
        raise Http404
    return version


@router.get("/journeys/{pk}/canvas", response={200: CanvasOut, **READ})
def get_canvas(request, pk: int):
    """The journey's canvas with its latest version (`null` before the first save)."""
    journey = journey_or_404(request.user, pk)
    return {
        "journey_id": journey.pk,
        "programme_id": journey.programme_id,
        "innovator_name": journey.innovator.full_name,
        "block_keys": list(BLOCK_KEYS),
        "latest_version": _versions(journey).order_by("-number").first(),
    }


@router.get("/journeys/{pk}/canvas/versions", response={200: list[VersionSummaryOut], **READ})
def list_versions(request, pk: int):
    """Every version of the canvas, newest first."""
    return _versions(journey_or_404(request.user, pk)).order_by("-number")


@router.get("/journeys/{pk}/canvas/versions/{number}", response={200: VersionOut, **READ})
def get_version(request, pk: int, number: int):
    return _version_or_404(journey_or_404(request.user, pk), number)


@router.post(
    "/journeys/{pk}/canvas/versions",
    response={201: VersionOut, 409: ConflictOut, **WRITE},
)
def save_version(request, pk: int, payload: VersionIn):
    """Save the canvas as a new version. `base_version` is the version the text was based on
    (0 for the first): when someone has saved a newer one since, the answer is 409 with
    `latest_version`; fetch it, merge, and save again based on it. `blocks` maps block keys
    (`block_keys` of the canvas) to text; a missing block is saved empty."""
    journey = journey_or_404(request.user, pk, "canvas.edit")
    try:
        version = services.save_version(
            journey,
            by=request.user,
            blocks=payload.blocks,
            base_version=payload.base_version,
            note=payload.note,
        )
    except services.CanvasConflict as conflict:
        return Status(
            409,
            {
                "detail": str(conflict.message),
                "latest_version": conflict.latest.number,
                "base_version": conflict.base_version,
            },
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, version)


@router.get(
    "/journeys/{pk}/canvas/compare",
    response={200: ComparisonOut, 422: ValidationErrorOut, **READ},
)
def compare(request, pk: int, first: int, second: int):
    """The per-block differences from version `first` to version `second`: both texts, whether
    the block changed, and the word-level pieces (`equal`, `removed`, `added`) in reading
    order."""
    journey = journey_or_404(request.user, pk)
    a, b = _version_or_404(journey, first), _version_or_404(journey, second)
    differences = services.compare(a, b)
    return {
        "first": a.number,
        "second": b.number,
        "changed_blocks": [d.block.key for d in differences if d.changed],
        "blocks": [
            {
                "key": d.block.key,
                "label": str(d.block.label),
                "changed": d.changed,
                "first": d.first,
                "second": d.second,
                "pieces": [{"op": p.op, "text": p.text} for p in d.pieces],
            }
            for d in differences
        ],
    }


@router.get(
    "/journeys/{pk}/canvas/versions/{number}/comments",
    response={200: list[CommentOut], **READ},
)
def list_comments(request, pk: int, number: int):
    """The comments on the version's blocks, oldest first."""
    version = _version_or_404(journey_or_404(request.user, pk), number)
    return CanvasComment.objects.filter(version=version).select_related("author", "version")


@router.post(
    "/journeys/{pk}/canvas/versions/{number}/comments",
    response={201: CommentOut, **WRITE},
)
def add_comment(request, pk: int, number: int, payload: CommentIn):
    """Comment on one block (`block`: one of the canvas's `block_keys`) of the version."""
    journey = journey_or_404(request.user, pk, "canvas.comment")
    version = _version_or_404(journey, number)
    try:
        comment = services.add_comment(
            version, by=request.user, block=payload.block, text=payload.text
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, comment)


@router.get(
    "/journeys/{pk}/canvas/versions/{number}/pdf",
    response={200: None, **READ},
)
def version_pdf(request, pk: int, number: int):
    """The version as a landscape A4 PDF, with its comments."""
    journey = journey_or_404(request.user, pk)
    version = _version_or_404(journey, number)
    return pdf_of(request, journey, version)
