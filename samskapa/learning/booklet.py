"""The lessons booklet: chosen lessons as one PDF — the material operators take to a conference
or hand to another municipality.

A cover page (title, date, number of lessons, the programmes they come from), a table of
contents with page numbers, then each lesson in the order it was chosen. Only lessons the
requester may see go in: anonymous visitors get the public, approved ones; any other id in the
request is left out without a word (saying so would tell that it exists). The headings come in
the active language (the visitor's).

The lessons are read in a fixed number of queries, whatever their number (one for the lessons
with their programmes, one for their themes, and what the permission module needs).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.learning.models import Lesson
from samskapa.reports.pdf import render_pdf

MAX_LESSONS = 200
MAX_TITLE_LENGTH = 200


def visible_lessons(user, queryset=None):
    """The lessons `user` may see (anonymous visitors: the public lessons library)."""
    queryset = Lesson.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated:
        return queryset.public()
    return permissions.visible(user, queryset)


def check_choice(ids) -> list[int]:
    """The chosen ids, in order and each once; a ValidationError with a message the person can act
    on when none is chosen or too many are."""
    chosen = list(dict.fromkeys(ids))
    if not chosen:
        raise ValidationError(_("Choose at least one lesson for the booklet."), code="empty")
    if len(chosen) > MAX_LESSONS:
        raise ValidationError(
            _("A booklet holds at most %(limit)s lessons; you chose %(count)s. Choose fewer.")
            % {"limit": MAX_LESSONS, "count": len(chosen)},
            code="too_many",
        )
    return chosen


def chosen_lessons(user, ids, *, queryset=None) -> list[Lesson]:
    """The lessons of `ids` that `user` may see, in the order of `ids` (others left out).

    Raises ValidationError when the choice is empty, too large, or holds no lesson the user
    may see."""
    chosen = check_choice(ids)
    lessons = (
        visible_lessons(user, queryset)
        .filter(pk__in=chosen)
        .select_related("programme")
        .prefetch_related("themes")
        .defer("search_stems")
    )
    by_id = {lesson.pk: lesson for lesson in lessons}
    found = [by_id[pk] for pk in chosen if pk in by_id]
    if not found:
        raise ValidationError(_("Choose at least one lesson for the booklet."), code="empty")
    return found


def default_title() -> str:
    return _("Lessons from Samskapa")


def render_booklet(lessons, *, title: str = "", request=None) -> bytes:
    """The booklet of `lessons` (as returned by `chosen_lessons`) as PDF bytes."""
    programmes = list(dict.fromkeys(lesson.programme.name for lesson in lessons))
    context = {
        "title": (title or "").strip()[:MAX_TITLE_LENGTH] or default_title(),
        "today": timezone.localdate(),
        "lessons": lessons,
        "programmes": programmes,
    }
    return render_pdf("learning/booklet_pdf.html", context, request=request)


def booklet_for(user, ids, *, title: str = "", queryset=None, request=None) -> bytes:
    """The booklet of the chosen lessons `user` may see (see `chosen_lessons`)."""
    return render_booklet(
        chosen_lessons(user, ids, queryset=queryset), title=title, request=request
    )
