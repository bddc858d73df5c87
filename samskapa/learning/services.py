"""Recording lessons and approving them for the public lessons library.

Each function is one transaction that checks the actor's permission (accounts/permissions.py),
validates the whole lesson before anything is stored, keeps the search index current and
records the audit entry. A private lesson's text stays out of the audit trail (the programme's
operators read it).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.audit.services import diff, record, snapshot
from samskapa.challenges.models import Tag
from samskapa.challenges.services import _tags
from samskapa.learning.models import Approval, Lesson, Visibility
from samskapa.learning.search import index_lesson

CONTENT_FIELDS = (
    "title",
    "what_happened",
    "what_we_learned",
    "what_we_would_do_differently",
    "phase",
    "concerns",
    "visibility",
)
# Fields the approval is about: a change to one of them asks for approval again.
_APPROVED_CONTENT = frozenset(CONTENT_FIELDS) - {"visibility"}


@transaction.atomic
def create_lesson(programme, *, by: User, themes=(), **fields) -> Lesson:
    permissions.require(by, "lesson.create", programme)
    lesson = Lesson(programme=programme, author=by, **_content(fields))
    lesson.approval = _approval_for(lesson, content_changed=True)
    _validate(lesson, themes)
    lesson.save()
    lesson.themes.set(_tags(themes))
    index_lesson(lesson)
    record(
        actor=by,
        action="learning.lesson.created",
        obj=lesson,
        programme=programme,
        changes=_audited(lesson, diff({}, _state(lesson))),
    )
    return lesson


@transaction.atomic
def update_lesson(lesson: Lesson, *, by: User, themes=None, **fields) -> Lesson:
    """Change the author's own lesson. A change to an approved public lesson's content asks for
    approval again (the library shows only what an operator has read)."""
    permissions.require(by, "lesson.change", lesson)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    before = _state(lesson)
    for name, value in _content(fields).items():
        setattr(lesson, name, value)
    content_changed = any(before.get(n) != _readable(lesson, n) for n in _APPROVED_CONTENT)
    if themes is not None:
        names = sorted({n.strip().lower() for n in themes if n.strip()})
        content_changed |= names != sorted(n.lower() for n in before["themes"])
    lesson.approval = _approval_for(lesson, content_changed=content_changed)
    if lesson.approval != Approval.APPROVED:
        lesson.approval_decided_by = None
        lesson.approval_decided_at = None
    _validate(lesson, themes)
    lesson.save()
    if themes is not None:
        lesson.themes.set(_tags(themes))
    index_lesson(lesson)
    changes = diff(before, _state(lesson))
    if changes:
        record(
            actor=by,
            action="learning.lesson.updated",
            obj=lesson,
            programme=lesson.programme,
            changes=_audited(lesson, changes),
        )
    return lesson


@transaction.atomic
def decide(lesson: Lesson, *, by: User, approve: bool, note: str = "") -> Lesson:
    """An operator's decision on a lesson asked to be public: approved into the lessons
    library, or not (with the reason, which the author reads)."""
    permissions.require(by, "lesson.approve", lesson)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    note = (note or "").strip()
    if lesson.approval != Approval.REQUESTED:
        raise ValidationError(_("This lesson is not awaiting approval."))
    if not approve and not note:
        raise ValidationError(
            {"note": _("Say why the lesson is not approved: the author reads it.")}
        )
    lesson.approval = Approval.APPROVED if approve else Approval.REJECTED
    lesson.approval_decided_by = by
    lesson.approval_decided_at = timezone.now()
    lesson.approval_note = note
    lesson.save(
        update_fields=["approval", "approval_decided_by", "approval_decided_at", "approval_note"]
    )
    record(
        actor=by,
        action="learning.lesson.approved" if approve else "learning.lesson.rejected",
        obj=lesson,
        programme=lesson.programme,
        changes={"approval_note": ["", note]} if note else {},
    )
    return lesson


def _validate(lesson: Lesson, themes) -> None:
    """The whole lesson, themes included, before anything is stored (all errors at once)."""
    errors = {}
    try:
        lesson.full_clean(exclude=["themes"])
    except ValidationError as error:
        errors = error.message_dict
    limit = Tag._meta.get_field("name").max_length
    too_long = [name.strip() for name in themes or () if len(name.strip()) > limit]
    if too_long:
        errors["themes"] = [
            _("A theme can be at most %(limit)s characters long: %(theme)s")
            % {"limit": limit, "theme": too_long[0]}
        ]
    if errors:
        raise ValidationError(errors)


def _content(fields: dict) -> dict:
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a lesson: {', '.join(sorted(unknown))}")
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }


def _approval_for(lesson: Lesson, *, content_changed: bool) -> str:
    if lesson.visibility != Visibility.PUBLIC:
        return Approval.NOT_REQUESTED
    if lesson.approval == Approval.NOT_REQUESTED or content_changed:
        return Approval.REQUESTED
    return lesson.approval


def _readable(lesson: Lesson, name: str):
    return snapshot(lesson).get(name)


def _state(lesson: Lesson) -> dict:
    state = snapshot(lesson, m2m=("themes",) if lesson.pk else ())
    state.pop("search_stems", None)
    state.setdefault("themes", [])
    return state


def _audited(lesson: Lesson, changes: dict) -> dict:
    """A private lesson's entry names what changed, not the text."""
    if lesson.visibility == Visibility.PRIVATE:
        return {name: ["…", "…"] for name in changes}
    return changes
