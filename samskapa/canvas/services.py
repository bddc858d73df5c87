"""Saving canvas versions, commenting on blocks, comparing versions.

Each state change is one transaction that checks the actor's permission
(accounts/permissions.py), validates everything before storing anything and records one audit
entry. A save names the version it was based on; when someone saved a newer version meanwhile
it is refused with `CanvasConflict` (which carries the newer version), so that nobody's text is
silently overwritten. The journey's row is locked while the next number is taken, and the
unique (canvas, number) constraint backs that up.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.audit.services import record
from samskapa.canvas.blocks import BLOCK_KEYS, BLOCK_MAX_LENGTH, BLOCKS, BY_KEY, Block
from samskapa.canvas.diff import Piece, changed, word_diff
from samskapa.canvas.models import Canvas, CanvasComment, CanvasVersion
from samskapa.journeys.models import Journey

NOTE_MAX_LENGTH = CanvasVersion._meta.get_field("note").max_length
COMMENT_MAX_LENGTH = 2000


class CanvasConflict(Exception):
    """A save based on a version that is no longer the newest."""

    def __init__(self, latest: CanvasVersion, base_version: int):
        self.latest = latest
        self.base_version = base_version
        super().__init__(
            f"The canvas was saved as version {latest.number} after version {base_version}."
        )

    @property
    def message(self):
        return conflict_message(self.latest)


def conflict_message(latest: CanvasVersion) -> str:
    return _(
        "Someone saved a newer version of the canvas (version %(number)s, by %(author)s) while "
        "you were editing. Nothing of yours was saved: compare the texts below, then save again."
    ) % {
        "number": latest.number,
        "author": latest.author.full_name if latest.author else "–",
    }


def canvas_of(journey: Journey) -> Canvas | None:
    return Canvas.objects.filter(journey=journey).first()


def latest_version(journey: Journey) -> CanvasVersion | None:
    return (
        CanvasVersion.objects.filter(canvas__journey=journey)
        .select_related("author")
        .order_by("-number")
        .first()
    )


def save_version(
    journey: Journey, *, by: User, blocks: dict, base_version: int, note: str = ""
) -> CanvasVersion:
    """Save the canvas of `journey` as its next version, based on version `base_version` (0 for
    a canvas without versions). Refused with CanvasConflict when that is no longer the newest,
    with ValidationError on bad input or when nothing changed."""
    permissions.require(by, "canvas.edit", journey)
    blocks, note = _validated(blocks, note)
    try:
        with transaction.atomic():
            return _save(journey, by=by, blocks=blocks, base_version=base_version, note=note)
    except IntegrityError:
        # Another save took the same number between our check and our insert (a database that
        # does not honour the row lock): the constraint caught it; answer as a conflict.
        latest = latest_version(journey)
        if latest is None or latest.number == base_version:
            raise
        raise CanvasConflict(latest, base_version) from None


def _lock(journey):
    """Hold the journey's row until the transaction ends: saves of one canvas take turns."""
    Journey.objects.select_for_update().get(pk=journey.pk)


def _save(journey, *, by, blocks, base_version, note):
    _lock(journey)
    canvas, _created = Canvas.objects.get_or_create(
        journey=journey, defaults={"programme_id": journey.programme_id}
    )
    latest = canvas.versions.select_related("author").order_by("-number").first()
    latest_number = latest.number if latest else 0
    if base_version != latest_number:
        if latest is None or base_version > latest_number:
            raise ValidationError(
                _("Version %(number)s of this canvas does not exist.") % {"number": base_version}
            )
        raise CanvasConflict(latest, base_version)
    before = latest.blocks if latest else {}
    if latest is not None and all(before.get(k, "") == blocks[k] for k in BLOCK_KEYS):
        raise ValidationError(
            _("Nothing has changed since version %(number)s.") % {"number": latest_number}
        )
    version = CanvasVersion.objects.create(
        canvas=canvas, number=latest_number + 1, blocks=blocks, note=note, author=by
    )
    changes = {
        str(BY_KEY[key].label): [before.get(key, ""), blocks[key]]
        for key in BLOCK_KEYS
        if before.get(key, "") != blocks[key]
    }
    changes["version"] = [latest_number or None, version.number]
    if note:
        changes["note"] = ["", note]
    record(
        actor=by,
        action="canvas.version.saved",
        obj=canvas,
        programme=journey.programme,
        changes=changes,
    )
    return version


def _validated(blocks: dict, note: str) -> tuple[dict, str]:
    """Every block's text (trimmed, "" when missing) and the note, or a ValidationError naming
    each problem (nothing is stored)."""
    errors: dict[str, list] = {}
    unknown = sorted(set(blocks or {}) - set(BLOCK_KEYS))
    if unknown:
        errors["blocks"] = [
            _("Not a block of the canvas: %(names)s") % {"names": ", ".join(unknown)}
        ]
    cleaned = {}
    for key in BLOCK_KEYS:
        value = (blocks or {}).get(key) or ""
        if not isinstance(value, str):
            errors[key] = [_("Write the block as text.")]
            continue
        value = value.replace("\x00", "").replace("\r\n", "\n").strip()
        if len(value) > BLOCK_MAX_LENGTH:
            errors[key] = [
                _("A block can hold at most %(limit)s characters (this one has %(count)s).")
                % {"limit": BLOCK_MAX_LENGTH, "count": len(value)}
            ]
        cleaned[key] = value
    note = (note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [
            _("The note can be at most %(limit)s characters long.") % {"limit": NOTE_MAX_LENGTH}
        ]
    if not errors and not any(cleaned.values()):
        errors["blocks"] = [_("Write something in at least one block.")]
    if errors:
        raise ValidationError(errors)
    return cleaned, note


@transaction.atomic
def add_comment(version: CanvasVersion, *, by: User, block: str, text: str) -> CanvasComment:
    journey = version.canvas.journey
    permissions.require(by, "canvas.comment", journey)
    text = (text or "").replace("\x00", "").strip()
    errors = {}
    if block not in BY_KEY:
        errors["block"] = [_("Choose a block of the canvas.")]
    if not text:
        errors["text"] = [_("Write a comment.")]
    elif len(text) > COMMENT_MAX_LENGTH:
        errors["text"] = [
            _("A comment can be at most %(limit)s characters long.") % {"limit": COMMENT_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    comment = CanvasComment.objects.create(version=version, block=block, text=text, author=by)
    record(
        actor=by,
        action="canvas.comment.added",
        obj=version.canvas,
        programme=journey.programme,
        changes={"comment": ["", f"{BY_KEY[block].label} (v{version.number}): {text}"]},
    )
    return comment


@dataclass(frozen=True)
class BlockDifference:
    block: Block
    first: str
    second: str
    pieces: list[Piece]

    @property
    def changed(self) -> bool:
        return changed(self.pieces)


def compare(first: CanvasVersion, second: CanvasVersion) -> list[BlockDifference]:
    """Per block, in the canvas's order: both texts and the word-level changes from `first` to
    `second`."""
    return [
        BlockDifference(
            block,
            first.text(block.key),
            second.text(block.key),
            word_diff(first.text(block.key), second.text(block.key)),
        )
        for block in BLOCKS
    ]
