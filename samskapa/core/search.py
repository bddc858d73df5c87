"""Case-insensitive "contains" that also folds Swedish letters (Ä/ä, Å/å, Ö/ö) on both databases.

PostgreSQL's ILIKE folds every letter; SQLite's LIKE folds only A–Z, so on SQLite we compare
through a `casefold` function that core/apps.py registers on each new connection.
"""

from django.db import connection
from django.db.models import F, Func, QuerySet


class Casefold(Func):
    function = "casefold"


def register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "casefold",
            1,
            lambda text: text.casefold() if text is not None else None,
            deterministic=True,
        )


def filter_contains(queryset: QuerySet, field: str, text: str) -> QuerySet:
    if connection.vendor == "sqlite":
        return queryset.alias(_folded=Casefold(F(field))).filter(_folded__contains=text.casefold())
    return queryset.filter(**{f"{field}__icontains": text})
