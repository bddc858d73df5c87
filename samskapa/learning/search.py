"""Swedish full-text search over lessons: the challenges' search (challenges/search.py) applied
to a lesson's text — the same words, stop words and Snowball stems on SQLite and PostgreSQL.

The title weighs most (A), then what was learned, what we would do differently and the themes
(B), then what happened and who it concerns (C).
"""

from django.db import connection
from django.db.models import QuerySet

from samskapa.challenges import search as common


def weighted_texts(lesson) -> dict[str, str]:
    return {
        "A": lesson.title,
        "B": " ".join(
            [
                lesson.what_we_learned,
                lesson.what_we_would_do_differently,
                *(tag.name for tag in lesson.themes.all()),
            ]
        ),
        "C": " ".join([lesson.what_happened, lesson.concerns]),
    }


def index_lesson(lesson) -> None:
    """Store the searchable form of `lesson`'s current content (one UPDATE of its row)."""
    texts = weighted_texts(lesson)
    if connection.vendor == "postgresql":
        common._store_vector(lesson, texts)
    else:
        lesson.search_stems = common.stems_column(texts)
        type(lesson)._base_manager.filter(pk=lesson.pk).update(search_stems=lesson.search_stems)


def search_lessons(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the lessons containing every word of `text` (in any inflection),
    most relevant first; blank text leaves it as it is, text without a searchable word matches
    nothing."""
    if not text or not text.strip():
        return queryset
    query_words = [w for w in common.words(text) if w not in common.STOP_WORDS]
    query_words = query_words[: common.MAX_QUERY_WORDS]
    if not query_words:
        return queryset.none()
    if connection.vendor == "postgresql":
        queryset = common._postgresql_search(queryset, query_words)
    else:
        queryset = common._sqlite_search(queryset, common.stems(" ".join(query_words)))
    return queryset.order_by("-rank", "-approval_decided_at", "-pk")
