"""Importing measurements from a CSV or XLSX file: receive, preview, commit.

The format (also on the import page and in docs/architecture.md):

* The first row names the columns, in any order, in English or Swedish: `indicator`
  (indikator) — the name or the id of one of the test environment's indicators; `period` —
  an ISO date (2026-03-15), a month (2026-03) or a quarter (2026-Q1 or 2026-K1), stored as
  the first day of the indicator's period it falls in (as a value entered by hand is: a day of
  a quarterly indicator is its quarter; only a "before and after" indicator keeps the day);
  `value` (värde) — a number, with a decimal point or a decimal comma ("12,5"), spaces as
  thousands separators allowed; optionally `people`
  (antal personer) — how many people the value rests on, a whole number; and `comment`
  (kommentar) — free text, checked for personal identity numbers and not stored.
* CSV: the delimiter is read from the first row (`;`, `,` or a tab); UTF-8 with or without a
  byte-order mark, else Windows-1252 with a notice. XLSX: the first worksheet.
* Rows with neither a period nor a value are skipped (the template's unfilled rows). Other
  columns are ignored (the preview names them); a personal identity number anywhere — the file
  name, any cell, also one typed as a number — refuses the file, which is then removed at once.

Nothing is stored until the preview has been seen: `receive` keeps the checked file in private
storage under a random token (with a small JSON note of who uploaded it, for which test
environment, and its SHA-256); `preview` streams the file once and lists every row's problem
(the first 200, and how many in all) next to what the import would do; `commit` reads the file
again, checks that its SHA-256 is still the one uploaded, and stores everything in one
transaction or nothing at all.

A value for a period that already has a different value *replaces* it (the preview lists the
replacements before anything is stored, and the commit button says how many); the same value
again is counted as unchanged and not written. The same file (by SHA-256) imported again into
the same test environment is refused with when and by whom it was imported.

On PostgreSQL the commit validates and streams the rows into a temporary table with COPY in one
pass, then moves them with one UPDATE of the stored values that differ and one plain INSERT of
the new ones (should a value entered by hand meanwhile collide with a new one, that INSERT is
rolled back to its savepoint and INSERT … ON CONFLICT DO UPDATE does it instead); on SQLite it
writes the new and changed rows with bulk_create in batches, with the same result.
"""

import codecs
import contextlib
import csv
import json
import math
import operator
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

import openpyxl
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.audit.services import record
from samskapa.calls import uploads
from samskapa.impact import exports
from samskapa.impact.models import (
    Frequency,
    ImportBatch,
    Indicator,
    Measurement,
    MeasurementSource,
)
from samskapa.impact.privacy import identity_numbers_in
from samskapa.impact.services import period_start

MAX_PROBLEMS = 200  # listed; the rest are counted
MAX_REPLACEMENTS = 50
SAMPLE_ROWS = 10
STORAGE_FOLDER = "impact-imports"
COPY_CHUNK_ROWS = 20_000
SQLITE_BATCH = 2_000
MAX_PEOPLE = 2**31 - 1
NULL = "\\N"  # in COPY's text format

COLUMNS = ("indicator", "period", "value", "people", "comment")
REQUIRED = ("indicator", "period", "value")
# The names a column may have in the first row (compared case-insensitively).
HEADER_ALIASES = {
    "indicator": "indicator",
    "indicator id": "indicator",
    "indikator": "indicator",
    "period": "period",
    "date": "period",
    "datum": "period",
    "value": "value",
    "värde": "value",
    "varde": "value",
    "people": "people",
    "number of people": "people",
    "respondents": "people",
    "antal personer": "people",
    "antal": "people",
    "personer": "people",
    "respondenter": "people",
    "comment": "comment",
    "note": "comment",
    "kommentar": "comment",
    "anteckning": "comment",
}
# The template's first row, by language.
TEMPLATE_HEADERS = {
    "en": ["indicator", "period", "value", "people", "comment"],
    "sv": ["indikator", "period", "värde", "antal personer", "kommentar"],
}

COLUMN_LABELS = {
    "indicator": _("indicator"),
    "period": _("period"),
    "value": _("value"),
    "people": _("people"),
    "comment": _("comment"),
}

# What each kind of problem says (params filled in when the message is read).
MESSAGES = {
    "missing_column": _(
        "The column “%(column)s” is missing. The first row must name the columns: "
        "indicator, period, value, and optionally people and comment."
    ),
    "no_rows": _("The file holds no measurements (no row with a period and a value)."),
    "unknown_indicator": _(
        "“%(text)s” is not an indicator of this test environment. Use an indicator's name or "
        "id, as in the template."
    ),
    "ambiguous_indicator": _(
        "Several indicators of this test environment are called “%(text)s”: give the "
        "indicator's id instead."
    ),
    "no_indicator": _("The indicator is missing."),
    "bad_period": _(
        "“%(text)s” is not a period: write a date (2026-03-15), a month (2026-03) or a "
        "quarter (2026-Q1)."
    ),
    "no_period": _("The period is missing."),
    "bad_value": _("“%(text)s” is not a number."),
    "no_value": _("The value is missing."),
    "bad_people": _("“%(text)s” is not a number of people (a whole number, 0 or more)."),
    "duplicate": _(
        "A second value for %(indicator)s in %(period)s: row %(first)s has the same "
        "indicator and period. Keep one of them."
    ),
    "identity_number": _(
        "The column “%(column)s” contains what looks like a personal identity or "
        "coordination number. Impact data must not identify anyone: remove it and try again."
    ),
}


class ImportRefused(ValidationError):
    """A commit refused: the file has problems, or was imported before. Nothing is stored;
    `preview` says why (shown again on the page, returned as data by the API)."""

    def __init__(self, preview):
        self.preview = preview
        if preview.already_imported is not None:
            message = preview.already_message
        else:
            message = _("The file has %(count)s problem(s): nothing was imported.") % {
                "count": preview.problem_count
            }
        super().__init__(message, code="import_refused")


@dataclass
class Problem:
    row: int
    column: str
    code: str
    params: dict

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % {
            **self.params,
            "column": COLUMN_LABELS.get(self.column, self.column),
        }

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, self.column or ""))

    def as_data(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Preview:
    """What importing a file would do, and every problem that stops it."""

    filename: str
    sha256: str
    kind: str  # "csv" or "xlsx"
    token: str = ""
    encoding_notice: bool = False
    delimiter: str = ""
    rows: int = 0  # rows with a measurement (not the header, not skipped ones)
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    problem_kinds: dict[str, int] = field(default_factory=dict)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    replacements: list[dict] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)
    already_imported: ImportBatch | None = None
    ignored_columns: list[str] = field(default_factory=list)  # named in the header, not read
    discarded: bool = False  # the file was removed at once (it identifies someone)

    @property
    def ok(self) -> bool:
        return not self.problem_count and self.already_imported is None

    @property
    def ignored_names(self) -> str:
        return "”, “".join(self.ignored_columns)

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def already_message(self) -> str:
        batch = self.already_imported
        if batch is None:
            return ""
        when = timezone.localtime(batch.imported_at).date().isoformat()
        who = batch.imported_by.full_name if batch.imported_by else "–"
        return str(
            _(
                "This file was already imported into this test environment on %(date)s by "
                "%(name)s: nothing was imported again."
            )
            % {"date": when, "name": who}
        )

    def add(self, row: int, column: str, code: str, **params):
        self.problem_count += 1
        self.problem_kinds[code] = self.problem_kinds.get(code, 0) + 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, code, params))

    def as_data(self) -> dict:
        batch = self.already_imported
        return {
            "token": self.token,
            "filename": self.filename,
            "sha256": self.sha256,
            "kind": self.kind,
            "read_as_windows_1252": self.encoding_notice,
            "rows": self.rows,
            "skipped": self.skipped,
            "ok": self.ok,
            "problem_count": self.problem_count,
            "problem_kinds": self.problem_kinds,
            "problems": [problem.as_data() for problem in self.problems],
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "replacements": self.replacements,
            "sample": self.sample,
            "ignored_columns": self.ignored_columns,
            "discarded": self.discarded,
            "already_imported": None
            if batch is None
            else {
                "batch_id": batch.pk,
                "imported_at": batch.imported_at,
                "imported_by": batch.imported_by.full_name if batch.imported_by else None,
                "message": self.already_message,
            },
        }


@dataclass
class Result:
    batch: ImportBatch
    new: int
    changed: int
    unchanged: int


# --- Receiving a file ---


@dataclass
class Pending:
    """A checked upload waiting in private storage between its preview and its commit."""

    token: str
    environment_id: int
    user_id: int
    filename: str
    sha256: str
    kind: str
    size: int

    @property
    def stored_name(self) -> str:
        return f"{STORAGE_FOLDER}/{self.token}.{self.kind}"

    @property
    def note_name(self) -> str:
        return f"{STORAGE_FOLDER}/{self.token}.json"

    @property
    def path(self) -> str:
        return uploads.private_storage.path(self.stored_name)


_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# Binary formats people pick by mistake: refused by name rather than read as text.
_BINARY_SIGNATURES = {
    b"%PDF-": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls) / Word 97-2003 (.doc)",
    b"\x1f\x8b": "gzip",
    b"7z\xbc\xaf": "7-Zip",
    b"Rar!": "RAR",
}


def max_mb() -> int:
    return uploads.ceiling_mb()


def receive(upload, *, environment, by) -> Pending:
    """Check an uploaded CSV or XLSX file (size, type from its content, text that decodes)
    and keep it in private storage for its preview. Raises ValidationError (nothing kept)."""
    permissions.require(by, "impact.edit", environment)
    if upload is None:
        raise ValidationError(_("Choose a CSV or XLSX file."))
    name = uploads.original_name(upload)
    refuse_identifying_filename(name)
    extension = PurePath(name).suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise ValidationError(
            _("“%(name)s” is not a CSV or XLSX file: choose a file ending in .csv or .xlsx.")
            % {"name": name}
        )
    if extension == ".xlsx":
        inspected = uploads.inspect(upload, allowed=["xlsx"], max_mb=max_mb())
        kind = "xlsx"
    else:
        inspected = _inspect_text(upload, name)
        kind = "csv"
    try:
        pending = Pending(
            token=secrets.token_hex(16),
            environment_id=environment.pk,
            user_id=by.pk,
            filename=inspected.original_name,
            sha256=inspected.sha256,
            kind=kind,
            size=inspected.size,
        )
        inspected.copy.seek(0)
        _remove_stale()
        uploads.private_storage.save(pending.stored_name, File(inspected.copy))
        note = json.dumps({**pending.__dict__, "created": timezone.now().isoformat()})
        uploads.private_storage.save(pending.note_name, File(_bytes_file(note.encode())))
    finally:
        inspected.close()
    return pending


def refuse_identifying_filename(name: str) -> None:
    """A file name is stored (the import's record, the audit log): one holding a personal
    identity number is refused, without repeating it."""
    if identity_numbers_in(name or ""):
        raise ValidationError(
            _(
                "The file name contains what looks like a personal identity or coordination "
                "number. Impact data must not identify anyone: rename the file and try again."
            ),
            code="identity_number",
        )


def stage_path(path, *, filename, environment, by) -> Pending:
    """A file already on this machine (the benchmark, a management command) staged as if it
    had been uploaded, through the same checks."""

    class _Upload:
        name = filename

        def __init__(self):
            self.handle = open(path, "rb")  # noqa: SIM115
            self.handle.seek(0, 2)
            self.size = self.handle.tell()
            self.handle.seek(0)

        def seek(self, offset):
            self.handle.seek(offset)

        def chunks(self, size=1024 * 1024):
            while chunk := self.handle.read(size):
                yield chunk

        def read(self, *args):
            return self.handle.read(*args)

    upload = _Upload()
    try:
        return receive(upload, environment=environment, by=by)
    finally:
        upload.handle.close()


def _bytes_file(content: bytes):
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — File() closes it when saved
    handle.write(content)
    handle.seek(0)
    return handle


@dataclass
class _Checked:
    original_name: str
    size: int
    sha256: str
    copy: object

    def close(self):
        self.copy.close()


def _inspect_text(upload, name) -> _Checked:
    """A CSV upload: within the size limit, not a binary format, text in UTF-8 or
    Windows-1252. The same neutral, hashed copy as uploads.inspect keeps."""
    limit = max_mb() * uploads.MB
    if getattr(upload, "oversize", False) or upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB, the most an import accepts.")
            % {"name": name, "max": max_mb()}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    copy, size, digest = uploads._neutral_copy(upload)
    try:
        head = copy.read(16)
        copy.seek(0)
        for signature, label in _BINARY_SIGNATURES.items():
            if head.startswith(signature):
                raise ValidationError(
                    _("“%(name)s” is not a CSV file: its content is %(found)s.")
                    % {"name": name, "found": label}
                )
        if head.startswith(uploads.ZIP_SIGNATURE):
            raise ValidationError(
                _(
                    "“%(name)s” is not a CSV file: it is an archive or a workbook. Save a "
                    "workbook as .xlsx, or export it as CSV."
                )
                % {"name": name}
            )
        if _text_encoding(copy.name) is None:
            raise ValidationError(
                _("“%(name)s” is not a text file: a CSV file must be text (UTF-8).")
                % {"name": name}
            )
    except BaseException:
        copy.close()
        raise
    return _Checked(original_name=name, size=size, sha256=digest, copy=copy)


def _text_encoding(path) -> str | None:
    """ "utf-8-sig" when the whole file decodes as UTF-8, "cp1252" when it decodes as
    Windows-1252, None for something that is not text (NUL bytes, undecodable)."""
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as stream:
                while chunk := stream.read(1024 * 1024):
                    if b"\x00" in chunk:
                        return None
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    return None


def pending_file(token: str, *, environment, by) -> Pending:
    """The file `by` uploaded for `environment` under `token`, or a ValidationError when there
    is none (never another person's or another test environment's)."""
    gone = ValidationError(
        _("The uploaded file is no longer waiting to be imported: upload it again."),
        code="gone",
    )
    if not _TOKEN.match(token or ""):
        raise gone
    try:
        with uploads.private_storage.open(f"{STORAGE_FOLDER}/{token}.json", "rb") as note:
            data = json.loads(note.read())
    except (FileNotFoundError, ValueError):
        raise gone from None
    data.pop("created", None)
    pending = Pending(**data)
    if (
        pending.environment_id != environment.pk
        or pending.user_id != by.pk
        or not uploads.private_storage.exists(pending.stored_name)
    ):
        raise gone
    return pending


def discard(pending: Pending) -> None:
    for name in (pending.stored_name, pending.note_name):
        with contextlib.suppress(FileNotFoundError):
            uploads.private_storage.delete(name)


def _remove_stale(max_age_hours=24):
    """Files uploaded for a preview and never committed are removed after a day."""
    storage = uploads.private_storage
    try:
        _folders, names = storage.listdir(STORAGE_FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    for name in names:
        with contextlib.suppress(FileNotFoundError, OSError):
            if storage.get_modified_time(f"{STORAGE_FOLDER}/{name}") < cutoff:
                storage.delete(f"{STORAGE_FOLDER}/{name}")


# --- Reading rows ---


class _Fatal(Exception):
    """The file cannot be read row by row (no header with the required columns)."""


def _rows(path, kind, preview):
    """(indicator, period, value, people, comment) for each row after the header, cells as the
    file has them (text from CSV; numbers and dates from XLSX); the first is the spreadsheet's
    row 2 (the header is row 1)."""
    if kind == "xlsx":
        return _xlsx_rows(path, preview)
    return _csv_rows(path, preview)


def _header(cells, preview) -> tuple:
    positions = {}
    for index, cell in enumerate(cells):
        name = str(cell or "").strip().lstrip("\ufeff").casefold()
        column = HEADER_ALIASES.get(name)
        if column and column not in positions:
            positions[column] = index
        elif name:
            # Not read (said on the preview); never as a stand-in for an absent column
            preview.ignored_columns.append(_shown(str(cell).strip().lstrip("\ufeff")))
    missing = [column for column in REQUIRED if column not in positions]
    for column in missing:
        preview.add(1, column, "missing_column")
    if missing:
        raise _Fatal
    return tuple(positions.get(column) for column in COLUMNS)


def _csv_rows(path, preview):
    encoding = _text_encoding(path) or "utf-8-sig"
    preview.encoding_notice = encoding == "cp1252"
    with open(path, encoding=encoding, newline="") as stream:
        first = stream.readline()
        counts = {delimiter: first.count(delimiter) for delimiter in (";", ",", "\t")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
        preview.delimiter = delimiter
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        header = next(reader, None)
        if header is None:
            preview.add(1, "indicator", "missing_column")
            raise _Fatal
        positions = _header(header, preview)
        yield from _picked(reader, positions, len(header))


def _xlsx_rows(path, preview):
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValidationError(_("The workbook cannot be read.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            preview.add(1, "indicator", "missing_column")
            raise _Fatal
        positions = _header(header, preview)
        yield from _picked(rows, positions, len(header))
    finally:
        workbook.close()


def _picked(rows, positions, header_width):
    """Each row's (indicator, period, value, people, comment), picked at C level; a cell past
    the row's end reads None. An absent column reads None too: it is picked from just past
    the header's width, where a row is cut off and padded (so an extra column, named or not,
    is never read as people or comment)."""
    if None not in positions:
        pick = operator.itemgetter(*positions)
        need = max(positions) + 1
        padding = (None,) * need
        for row in rows:
            yield pick(row) if len(row) >= need else pick((*row, *padding))
        return
    width = max(header_width, max(p for p in positions if p is not None) + 1)
    pick = operator.itemgetter(*(width if p is None else p for p in positions))
    padding = (None,) * (width + 1)
    for row in rows:
        if len(row) == width:
            yield pick((*row, None))
        elif len(row) > width:
            yield pick((*row[:width], None))
        else:
            yield pick((*row, *padding[len(row) :]))


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[QqKk]([1-4])$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


def parse_period(text: str) -> date | None:
    """The first day of the period `text` names, or None."""
    text = text.strip()
    try:
        if m := _DATE.match(text):
            day = date(int(m[1]), int(m[2]), int(m[3]))
        elif m := _MONTH.match(text):
            day = date(int(m[1]), int(m[2]), 1)
        elif m := _QUARTER.match(text):
            day = date(int(m[1]), 3 * int(m[2]) - 2, 1)
        else:
            return None
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2100 else None


_QUOTED_FORMULA = {"'=", "'+", "'-", "'@", "'\t", "'\r"}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


def parse_number(cell) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        text = str(cell).strip()
        try:
            value = float(text)
        except ValueError:
            text = _SPACES.sub("", text)
            if "," in text and "." not in text:
                text = text.replace(",", ".")
            try:
                value = float(text)
            except ValueError:
                return None
        if "_" in text:
            return None  # float() accepts 1_000; a person would not write it
    return value if math.isfinite(value) else None


def _shown(cell) -> str:
    """A cell as a problem message may quote it: short, and never an identity number."""
    text = str(cell).strip()
    if identity_numbers_in(text):
        return "…"
    return text if len(text) <= 60 else text[:57] + "…"


def _identifies(cell) -> bool:
    """Whether a cell holds a personal identity or coordination number — also one typed as
    a number ("198112189876", "8112189876"). Only a cell of 10 characters or more can."""
    if cell.__class__ is str:
        return len(cell) >= 10 and bool(identity_numbers_in(cell))
    if cell.__class__ in (int, float) and abs(cell) >= 1e9 and float(cell).is_integer():
        return bool(identity_numbers_in(str(int(cell))))
    return False


# --- Validating ---


def _lookup(environment) -> tuple[dict, dict]:
    """The environment's indicators by id (as text) and by name (case-folded; None when two
    share a name). One query."""
    by_id, by_name = {}, {}
    indicators = Indicator.objects.filter(environment=environment).only("id", "name", "frequency")
    for indicator in indicators:
        by_id[str(indicator.pk)] = indicator
        key = indicator.name.strip().casefold()
        by_name[key] = None if key in by_name else indicator
    return by_id, by_name


def _key(indicator_id: int, period: date | None) -> int:
    """One integer for (indicator, period); with no period, the indicator's base (add the
    period's ordinal to it)."""
    return indicator_id * 1_000_000 + (0 if period is None else period.toordinal())


def _indicator_of(cell, by_id, by_name, starts=None) -> tuple:
    """(indicator, its id, its key base, None, its periods) for a cell naming one of the
    environment's indicators, else (None, 0, 0, (problem code, params), None). Its periods:
    `starts`' dict for the indicator's frequency (None when its periods are days as written)."""
    if _blank(cell):
        return None, 0, 0, ("no_indicator", {}), None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    indicator = by_id.get(text) if text.isdigit() else None
    if indicator is None:
        key = text.casefold()
        indicator = by_name.get(key)
        if indicator is None:
            if identity_numbers_in(text):
                return None, 0, 0, ("identity_number", {}), None
            if key in by_name:
                return None, 0, 0, ("ambiguous_indicator", {"text": text}), None
            if text[:2] in _QUOTED_FORMULA:  # the template's CSV keeps formulas as text
                return _indicator_of(text[1:], by_id, by_name, starts)
            return None, 0, 0, ("unknown_indicator", {"text": _shown(text)}), None
    periods = None if starts is None else starts.get(indicator.frequency)
    return indicator, indicator.pk, _key(indicator.pk, None), None, periods


def _period_of(cell) -> tuple:
    """(first day, its ordinal, None) for a period cell, else (None, 0, (code, params)) —
    the code "no_period" for a blank cell."""
    if isinstance(cell, datetime):
        period = cell.date()
    elif isinstance(cell, date):
        period = cell
    elif _blank(cell):
        return None, 0, ("no_period", {})
    else:
        text = str(cell)
        period = parse_period(text)
        if period is None:
            if _identifies(cell):
                return None, 0, ("identity_number", {})
            return None, 0, ("bad_period", {"text": _shown(text)})
    return period, period.toordinal(), None


def _people_of(cell) -> tuple:
    """(number of people or None, problem code or None) for a people cell (blank: nobody
    said)."""
    if _blank(cell):
        return None, None
    if _identifies(cell):
        return None, "identity_number"
    number_of = parse_number(cell)
    if number_of is None or not number_of.is_integer() or not 0 <= number_of <= MAX_PEOPLE:
        return None, "bad_people"
    return int(number_of), None


CACHE_LIMIT = 100_000  # distinct cells remembered per column (periods, people, indicators)


def _validate(path, kind, environment, preview, *, existing=None, sink=None, lookup=None):
    """One streaming pass over the file: every problem into `preview`; each good row compared
    with `existing` ({key: (value, people)}, when given) and handed to `sink` (when given).
    No query while it runs when `lookup` is given (a COPY may be under way on the connection).

    The happy path costs a few dictionary look-ups a row: indicator, period and people cells
    repeat, so each distinct text is parsed once (cached by the text as written); a value is
    one float() (a decimal comma turned into a point first)."""
    by_id, by_name = lookup or _lookup(environment)
    indicators: dict = {}
    periods: dict = {}
    peoples: dict = {}
    # {frequency: {ordinal as written: (its period's first day, ordinal)}}; a "before and
    # after" indicator's periods are the days written
    starts = {frequency: {} for frequency in Frequency if frequency != Frequency.ONCE}
    seen: dict[int, int] = {}
    add = preview.add
    rows = skipped = new = changed = unchanged = 0
    sample = preview.sample
    replacements = preview.replacements
    try:
        numbered = enumerate(_rows(path, kind, preview), start=2)
        for number, (ind_cell, per_cell, val_cell, ppl_cell, com_cell) in numbered:
            # Period (first: a row with neither period nor value is skipped)
            if per_cell.__class__ is str:
                period_of = periods.get(per_cell)
                if period_of is None:
                    period_of = _period_of(per_cell)
                    if len(periods) < CACHE_LIMIT:
                        periods[per_cell] = period_of
            else:
                period_of = _period_of(per_cell)
            period, ordinal, period_problem = period_of
            # Value: one float() on the happy path ("12,5" read as 12.5)
            value = None
            if val_cell.__class__ is str and "_" not in val_cell:
                try:
                    value = float(val_cell if "." in val_cell else val_cell.replace(",", "."))
                except ValueError:
                    pass
                else:
                    if value - value:  # inf or nan: let parse_number refuse it
                        value = None
            if value is None:
                if _blank(val_cell):
                    if period_problem is not None and period_problem[0] == "no_period":
                        if not (_blank(ind_cell) and _blank(ppl_cell) and _blank(com_cell)):
                            skipped += 1
                        continue
                    value_problem = ("no_value", {})
                else:
                    value = parse_number(val_cell)
                    if value is not None:
                        value_problem = None
                    elif _identifies(val_cell):
                        value_problem = ("identity_number", {})
                    else:
                        value_problem = ("bad_value", {"text": _shown(val_cell)})
            else:
                value_problem = None
            # A number of 10 digits or more may be an identity number typed as a number
            if (
                value is not None
                and (len(val_cell) >= 10 if val_cell.__class__ is str else abs(value) >= 1e9)
                and _identifies(val_cell)
            ):
                value, value_problem = None, ("identity_number", {})
            rows += 1
            # Indicator
            if ind_cell.__class__ is str:
                indicator_of = indicators.get(ind_cell)
                if indicator_of is None:
                    indicator_of = _indicator_of(ind_cell, by_id, by_name, starts)
                    if len(indicators) < CACHE_LIMIT:
                        indicators[ind_cell] = indicator_of
            else:
                indicator_of = _indicator_of(ind_cell, by_id, by_name, starts)
            indicator, indicator_id, base, indicator_problem, its_periods = indicator_of
            # People
            if ppl_cell is None:
                people, bad_people = None, None
            elif ppl_cell.__class__ is str:
                people_of = peoples.get(ppl_cell)
                if people_of is None:
                    people_of = _people_of(ppl_cell)
                    if len(peoples) < CACHE_LIMIT:
                        peoples[ppl_cell] = people_of
                people, bad_people = people_of
            else:
                people, bad_people = _people_of(ppl_cell)
            # Comment (never stored; refused when it identifies someone)
            bad_comment = (
                com_cell is not None
                and not _blank(com_cell)
                and bool(identity_numbers_in(str(com_cell)))
            )
            bad = False
            if indicator_problem is not None or period_problem is not None:
                bad = True
                if indicator_problem is not None:
                    add(number, "indicator", indicator_problem[0], **indicator_problem[1])
                if period_problem is not None:
                    add(number, "period", period_problem[0], **period_problem[1])
            if value_problem is not None or bad_people or bad_comment:
                bad = True
                if value_problem is not None:
                    add(number, "value", value_problem[0], **value_problem[1])
                if bad_people is not None:
                    if bad_people == "bad_people":
                        add(number, "people", "bad_people", text=_shown(ppl_cell))
                    else:
                        add(number, "people", bad_people)
                if bad_comment:
                    add(number, "comment", "identity_number")
            if indicator is None or period is None:
                continue
            # The period as the indicator counts it (2032-05-15 of a quarterly one: 2032-04-01)
            if its_periods is not None:
                normalised = its_periods.get(ordinal)
                if normalised is None:
                    start = period_start(period, indicator.frequency)
                    normalised = its_periods[ordinal] = (start, start.toordinal())
                period, ordinal = normalised
            key = base + ordinal
            first = seen.get(key)
            if first is not None:
                add(
                    number,
                    "period",
                    "duplicate",
                    indicator=indicator.name,
                    period=period.isoformat(),
                    first=first,
                )
                continue
            seen[key] = number
            if bad:
                continue
            if len(sample) < SAMPLE_ROWS:
                sample.append(
                    {
                        "row": number,
                        "indicator": indicator.name,
                        "period": period,
                        "value": value,
                        "people": people,
                    }
                )
            if existing is not None:
                before = existing.get(key)
                if before is None:
                    new += 1
                elif before == (value, people):
                    unchanged += 1
                    continue
                else:
                    changed += 1
                    if len(replacements) < MAX_REPLACEMENTS:
                        replacements.append(
                            {
                                "row": number,
                                "indicator": indicator.name,
                                "period": period,
                                "old": before[0],
                                "new": value,
                                "old_people": before[1],
                                "new_people": people,
                            }
                        )
            if sink is not None and not preview.problem_count:
                sink(indicator_id, period, value, people)
    except _Fatal:
        return
    finally:
        preview.rows += rows
        preview.skipped += skipped
        preview.new += new
        preview.changed += changed
        preview.unchanged += unchanged
    if not preview.rows and not preview.problem_count:
        preview.add(1, "", "no_rows")


def _existing(environment) -> dict:
    """The environment's stored measurements: {key: (value, people)}. One query, streamed."""
    rows = Measurement.objects.filter(indicator__environment=environment).values_list(
        "indicator_id", "period", "value", "respondents"
    )
    return {_key(i, p): (v, r) for i, p, v, r in rows.iterator(chunk_size=10_000)}


def _already(environment, sha256) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(environment=environment, sha256=sha256)
        .select_related("imported_by")
        .order_by("imported_at", "pk")
        .first()
    )


def preview(pending: Pending, *, environment) -> Preview:
    """What importing the pending file would do: every problem, the new, replaced and unchanged
    values. Stores nothing. A constant number of queries, whatever the file's length."""
    result = Preview(
        filename=pending.filename, sha256=pending.sha256, kind=pending.kind, token=pending.token
    )
    result.already_imported = _already(environment, pending.sha256)
    _validate(pending.path, pending.kind, environment, result, existing=_existing(environment))
    _discard_if_identifying(pending, result)
    _remove_stale()
    return result


def _discard_if_identifying(pending: Pending, result: Preview) -> None:
    """A file holding an identity number is not kept a moment longer: it must be fixed and
    uploaded again anyway."""
    if result.problem_kinds.get("identity_number"):
        discard(pending)
        result.discarded = True


# --- Committing ---


def commit(pending: Pending, *, environment, by) -> Result:
    """Import the pending file: all rows in one transaction, or nothing (ImportRefused with
    the problems). Its SHA-256 must still be the uploaded file's."""
    permissions.require(by, "impact.edit", environment)
    digest = _sha256(pending.path)
    if digest != pending.sha256:
        discard(pending)
        raise ValidationError(
            _("The uploaded file has changed since its preview: upload it again."),
            code="changed",
        )
    try:
        result = import_file(
            pending.path,
            kind=pending.kind,
            filename=pending.filename,
            sha256=digest,
            environment=environment,
            by=by,
        )
    except ImportRefused as refused:
        refused.preview.token = pending.token
        _discard_if_identifying(pending, refused.preview)
        raise
    discard(pending)
    return result


def _sha256(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(path, *, kind, filename, sha256, environment, by) -> Result:
    """Validate and store the file's measurements in one transaction (the view's commit and the
    benchmark both come here)."""
    permissions.require(by, "impact.edit", environment)
    refuse_identifying_filename(filename)
    check = Preview(filename=filename, sha256=sha256, kind=kind)
    with transaction.atomic():
        # One import at a time per test environment: the same-file check and the upsert see
        # each other's results.
        type(environment).objects.select_for_update().filter(pk=environment.pk).first()
        check.already_imported = _already(environment, sha256)
        if check.already_imported is not None:
            raise ImportRefused(check)
        batch = ImportBatch.objects.create(
            environment=environment, filename=filename[:255], sha256=sha256, rows=0, imported_by=by
        )
        if connection.vendor == "postgresql":
            new, changed = _load_postgresql(path, kind, environment, check, batch)
        else:
            new, changed = _load_sqlite(path, kind, environment, check, batch)
        batch.rows = check.rows
        batch.save(update_fields=["rows"])
        unchanged = check.rows - new - changed
        record(
            actor=by,
            action="impact.import.committed",
            obj=batch,
            programme=environment.programme,
            changes={
                "file": [None, filename],
                "rows": [None, check.rows],
                "new": [None, new],
                "replaced": [None, changed],
                "unchanged": [None, unchanged],
            },
        )
    return Result(batch=batch, new=new, changed=changed, unchanged=unchanged)


def _refuse_if_problems(check):
    if check.problem_count:
        raise ImportRefused(check)


def _load_postgresql(path, kind, environment, check, batch) -> tuple[int, int]:
    table = Measurement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS impact_import_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE impact_import_rows (indicator_id bigint, period date, "
            "value double precision, respondents integer) ON COMMIT DROP"
        )
        lines: list[str] = []
        lookup = _lookup(environment)  # before the COPY: no other query may run during it
        with cursor.cursor.copy("COPY impact_import_rows FROM STDIN") as copy:

            def sink(indicator_id, period, value, people):
                count = NULL if people is None else people
                lines.append(f"{indicator_id}\t{period.isoformat()}\t{value!r}\t{count}\n")
                if len(lines) >= COPY_CHUNK_ROWS:
                    copy.write("".join(lines))
                    lines.clear()

            _validate(path, kind, environment, check, sink=sink, lookup=lookup)
            if lines and not check.problem_count:
                copy.write("".join(lines))
        _refuse_if_problems(check)
        params = [MeasurementSource.IMPORT, batch.pk]
        # The changed values first (unchanged ones are not touched), then the new ones with a
        # plain INSERT — cheaper than INSERT … ON CONFLICT's speculative insertion, row by row.
        cursor.execute(
            f"""
            UPDATE {table} AS m
            SET value = t.value, respondents = t.respondents, source = %s, import_batch_id = %s
            FROM impact_import_rows AS t
            WHERE m.indicator_id = t.indicator_id AND m.period = t.period
              AND (m.value IS DISTINCT FROM t.value
                   OR m.respondents IS DISTINCT FROM t.respondents)
            """,
            params,
        )
        changed = cursor.rowcount
        params.append(timezone.now())
        try:
            # A measurement entered by hand meanwhile for one of the new periods (other
            # imports wait for the environment's lock) would break the plain INSERT: then the
            # rows go in through INSERT … ON CONFLICT DO UPDATE, with the same result.
            with transaction.atomic():
                cursor.execute(
                    f"""
                    INSERT INTO {table}
                        (indicator_id, period, value, respondents, source, import_batch_id,
                         created_at)
                    SELECT indicator_id, period, value, respondents, %s, %s, %s
                    FROM impact_import_rows AS t
                    WHERE NOT EXISTS (
                        SELECT FROM {table} AS m
                        WHERE m.indicator_id = t.indicator_id AND m.period = t.period
                    )
                    """,
                    params,
                )
                new = cursor.rowcount
        except IntegrityError:
            cursor.execute(
                f"""
                WITH written AS (
                    INSERT INTO {table} AS m
                        (indicator_id, period, value, respondents, source, import_batch_id,
                         created_at)
                    SELECT indicator_id, period, value, respondents, %s, %s, %s
                    FROM impact_import_rows
                    ON CONFLICT (indicator_id, period) DO UPDATE
                        SET value = EXCLUDED.value, respondents = EXCLUDED.respondents,
                            source = EXCLUDED.source, import_batch_id = EXCLUDED.import_batch_id
                        WHERE m.value IS DISTINCT FROM EXCLUDED.value
                           OR m.respondents IS DISTINCT FROM EXCLUDED.respondents
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
                FROM written
                """,
                params,
            )
            new, changed_meanwhile = cursor.fetchone()
            changed += changed_meanwhile
    return new, changed


def _load_sqlite(path, kind, environment, check, batch) -> tuple[int, int]:
    existing = _existing(environment)
    rows: list[Measurement] = []
    now = timezone.now()

    def sink(indicator_id, period, value, people):
        rows.append(
            Measurement(
                indicator_id=indicator_id,
                period=period,
                value=value,
                respondents=people,
                source=MeasurementSource.IMPORT,
                import_batch=batch,
                created_at=now,
            )
        )

    _validate(path, kind, environment, check, existing=existing, sink=sink)
    _refuse_if_problems(check)
    for start in range(0, len(rows), SQLITE_BATCH):
        Measurement.objects.bulk_create(
            rows[start : start + SQLITE_BATCH],
            update_conflicts=True,
            unique_fields=["indicator", "period"],
            update_fields=["value", "respondents", "source", "import_batch"],
        )
    return check.new, check.changed


# --- The template ---


def _template_period(indicator, today) -> str:
    if indicator.frequency == Frequency.MONTHLY:
        return f"{today.year}-{today.month:02d}"
    if indicator.frequency == Frequency.QUARTERLY:
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    if indicator.frequency == Frequency.HALF_YEARLY:
        return f"{today.year}-{1 if today.month <= 6 else 7:02d}-01"
    if indicator.frequency == Frequency.YEARLY:
        return f"{today.year}-01-01"
    return today.isoformat()


def template_rows(environment) -> tuple[list[str], list[list]]:
    """The template's header (in the reader's language) and one row per indicator of the test
    environment: its name and this period, the value to be filled in."""
    language = "sv" if (get_language() or "sv").startswith("sv") else "en"
    today = timezone.localdate()
    indicators = Indicator.objects.filter(environment=environment).order_by("name", "pk")
    rows = [[i.name, _template_period(i, today), "", "", ""] for i in indicators]
    return TEMPLATE_HEADERS[language], rows


def _csv_safe(cell):
    """A text cell a spreadsheet would read as a formula (=, +, -, @, a tab or a carriage
    return first) is kept as text with a leading apostrophe; the import reads it back."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def template_csv(environment) -> bytes:
    """UTF-8 with a byte-order mark and `;` between the columns: what Excel in Swedish opens
    and saves without asking."""
    import io

    header, rows = template_rows(environment)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_csv_safe(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(environment) -> bytes:
    import io

    header, rows = template_rows(environment)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(_("Measurements"))[:31]
    sheet.append(header)
    for row in rows:
        exports._append(sheet, row)  # an indicator named "=…" stays text
    sheet.column_dimensions["A"].width = 40
    for letter in "BCDE":
        sheet.column_dimensions[letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def size_label() -> str:
    return filesizeformat(max_mb() * uploads.MB)
