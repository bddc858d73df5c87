"""Word-level differences between two texts (pure Python, no Django): what a canvas block lost
and gained from one version to another."""

import difflib
import re
from dataclasses import dataclass

# Words and the whitespace between them, so that joining the pieces gives the text back.
_TOKENS = re.compile(r"\s+|[^\s]+")

EQUAL, REMOVED, ADDED = "equal", "removed", "added"


@dataclass(frozen=True)
class Piece:
    op: str  # EQUAL, REMOVED or ADDED
    text: str


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text or "")


def word_diff(before: str, after: str) -> list[Piece]:
    """The pieces of `before` kept (EQUAL) or dropped (REMOVED) and of `after` added (ADDED),
    in reading order; a replaced run of words is its removal followed by its addition.
    Joining the EQUAL and REMOVED pieces gives `before`; EQUAL and ADDED give `after`."""
    old, new = tokens(before), tokens(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece(EQUAL, "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece(REMOVED, "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece(ADDED, "".join(new[j1:j2])))
    return pieces


def changed(pieces: list[Piece]) -> bool:
    return any(piece.op != EQUAL for piece in pieces)
