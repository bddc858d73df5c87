"""Swedish sort order for names people read in lists."""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

# PostgreSQL's C.UTF-8 sorts "a z ä å ö"; ICU's Swedish collation sorts "a z å ä ö".
SWEDISH_COLLATION = "sv-SE-x-icu"


def swedish(field: str):
    """An ordering expression for `field` in Swedish alphabetical order where the database can.

    SQLite has no ICU collation; there names sort by code point (Å, Ä, Ö still come after Z,
    but Ä before Å), which is good enough for the embedded default.
    """
    if connection.vendor == "postgresql":
        return Collate(F(field), SWEDISH_COLLATION)
    return F(field)
