"""Swedish full-text search over challenges, on PostgreSQL and on SQLite.

Two entry points:

* `index_challenge(challenge)` stores the searchable form of a challenge's current content. The
  challenge services call it after each save; `manage.py reindex_challenges` rebuilds them all.
* `search_challenges(queryset, text)` filters a queryset to the challenges that contain every
  word of `text` (in any inflection) and orders it by relevance.

Both databases see the same words: text is split into words here, in Python, and the words are
stemmed with the Swedish Snowball algorithm, which PostgreSQL's `swedish` configuration also
uses ("ensamheten" and "ensamhet" both become "ensam"). The title weighs most (A), then the
need, target group, desired effects and themes (B), then the rest (C).

* PostgreSQL: a tsvector column `search_vector` with a GIN index, added by migration 0002 on
  PostgreSQL only (SQLite has no such type, so it is not a model field; that also keeps a
  challenge's save() from writing back a stale vector). Queries are `plainto_tsquery` matches
  ranked with `ts_rank`.
* SQLite: `Challenge.search_stems` holds each stem once per weight, as " A:ensam B:ensam C:… ";
  a query matches when each of its stems occurs, and ranks by the best weight each stem has,
  with the weights `ts_rank` uses by default.
"""

import functools
import operator
import re

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact
from django.contrib.postgres.search import SearchVectorField as _TsVector
from django.db import connection
from django.db.models import Case, FloatField, QuerySet, Value, When
from django.db.models.expressions import Col

CONFIG = "swedish"
VECTOR_COLUMN = "search_vector"
# ts_rank's default weights for A, B and C; SQLite ranks with the same.
WEIGHTS = {"A": 1.0, "B": 0.4, "C": 0.2}
# Enough words for any real question; bounds the work a crafted query can cause.
MAX_QUERY_WORDS = 12

# PostgreSQL's (Snowball's) Swedish stop words, so that both databases ignore the same words.
_STOP_WORDS = """
    och det att i en jag hon som han på den med var sig för så till är men ett om hade de av
    icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej vid kunde
    något från ut när efter upp vi dem vara vad över än dig kan sina här ha mot alla under
    någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen mitt ni bli
    blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom
    mellan sådant varför varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra
    ert era vilkas
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Letters and digits: PostgreSQL's parser also splits words at underscores.
_WORD = re.compile(r"[^\W_]+")


def _stemmer():
    # A stemmer keeps its working state on itself, so threads must not share one; a new one
    # costs well under a microsecond.
    return snowballstemmer.stemmer("swedish")


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order; punctuation and NUL bytes are dropped."""
    return _WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    """The distinct Swedish stems of `text`'s words that are not stop words, in order."""
    kept = [word for word in words(text) if word not in STOP_WORDS]
    return list(dict.fromkeys(_stemmer().stemWords(kept)))


# --- Indexing ---------------------------------------------------------------------------


def weighted_texts(challenge) -> dict[str, str]:
    """The searchable content of a challenge by weight (uses prefetched tags and documents)."""
    return {
        "A": challenge.title,
        "B": " ".join(
            [
                challenge.need,
                challenge.target_group,
                challenge.desired_effects,
                *(tag.name for tag in challenge.tags.all()),
            ]
        ),
        "C": " ".join(
            [
                challenge.already_tried,
                challenge.target_group_access,
                challenge.premises,
                challenge.data_offered,
                *(document.title for document in challenge.strategy_documents.all()),
            ]
        ),
    }


def index_challenge(challenge) -> None:
    """Store the searchable form of `challenge`'s current content (tags and documents included).

    Idempotent, and cheap: two small reads (none when tags and documents are prefetched) and
    one UPDATE of this row, which leaves `updated_at` and any signals alone.
    """
    texts = weighted_texts(challenge)
    if connection.vendor == "postgresql":
        _store_vector(challenge, texts)
    else:
        challenge.search_stems = stems_column(texts)
        type(challenge)._base_manager.filter(pk=challenge.pk).update(
            search_stems=challenge.search_stems
        )


def stems_column(texts: dict[str, str]) -> str:
    """Each stem once per weight, as " A:stem A:stem B:stem … ", padded with spaces so that a
    whole stem can be matched with LIKE '%:stem %'."""
    tokens = [f"{weight}:{stem}" for weight, text in texts.items() for stem in stems(text)]
    return f" {' '.join(tokens)} " if tokens else ""


def _store_vector(challenge, texts: dict[str, str]) -> None:
    # The words are joined by spaces, so that PostgreSQL's parser sees the words SQLite sees.
    table = connection.ops.quote_name(challenge._meta.db_table)
    parts = " || ".join(
        f"setweight(to_tsvector(%s::regconfig, %s), '{weight}')" for weight in texts
    )
    params = [value for text in texts.values() for value in (CONFIG, " ".join(words(text)))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {VECTOR_COLUMN} = {parts} WHERE id = %s",
            [*params, challenge.pk],
        )


# --- Searching --------------------------------------------------------------------------


def search_challenges(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the challenges matching `text`, most relevant first.

    Blank text leaves the queryset as it is; text without a searchable word (only punctuation
    or stop words) matches nothing. The relevance is annotated as `rank`.
    """
    if not text or not text.strip():
        return queryset
    query_words = [w for w in words(text) if w not in STOP_WORDS][:MAX_QUERY_WORDS]
    if not query_words:
        return queryset.none()
    if connection.vendor == "postgresql":
        queryset = _postgresql_search(queryset, query_words)
    else:
        queryset = _sqlite_search(queryset, stems(" ".join(query_words)))
    return queryset.order_by("-rank", "-published_at", "pk")


def _postgresql_search(queryset: QuerySet, query_words: list[str]) -> QuerySet:
    queryset = queryset.all()  # a copy: the column is bound to this query's table alias
    vector = Col(queryset.query.get_initial_alias(), _vector_field(), _TsVector())
    query = SearchQuery(" ".join(query_words), config=CONFIG, search_type="plain")
    return queryset.filter(SearchVectorExact(vector, query)).annotate(
        rank=SearchRank(vector, query)
    )


@functools.cache
def _vector_field() -> _TsVector:
    """A field standing for the PostgreSQL-only column, so that the ORM can name it."""
    field = _TsVector()
    field.column = VECTOR_COLUMN
    return field


def _sqlite_search(queryset: QuerySet, query_stems: list[str]) -> QuerySet:
    for stem in query_stems:
        queryset = queryset.filter(search_stems__contains=f":{stem} ")
    best_weights = [
        Case(
            *(
                When(search_stems__contains=f" {weight}:{stem} ", then=Value(value))
                for weight, value in WEIGHTS.items()
            ),
            default=Value(0.0),
            output_field=FloatField(),
        )
        for stem in query_stems
    ]
    return queryset.annotate(rank=functools.reduce(operator.add, best_weights))


def reindex_all(batch_size: int = 500) -> int:
    """Index every challenge again (after a change to how challenges are indexed); the count."""
    from samskapa.challenges.models import Challenge

    pks = list(Challenge.objects.order_by("pk").values_list("pk", flat=True))
    # In batches of primary keys rather than one open cursor: SQLite would see its own writes.
    for start in range(0, len(pks), batch_size):
        batch = Challenge.objects.filter(pk__in=pks[start : start + batch_size])
        for challenge in batch.prefetch_related("tags", "strategy_documents"):
            index_challenge(challenge)
    return len(pks)
