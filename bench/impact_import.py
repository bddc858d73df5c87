"""Importing 1,000,000 measurement rows from CSV into PostgreSQL, next to PostgreSQL's own COPY
of the same file (issue 6's bar: at least 0.3 of COPY's rows per second).

Makes the database named in DATABASE_URL afresh (loopback only; default
postgres://postgres@127.0.0.1:5432/import_bench), migrates it, and sets up one test environment
with 20 indicators through the services. Writes a CSV the way Excel in Swedish saves one (`;`
between columns, a decimal comma, a byte-order mark): 20 indicators × 50,000 days = 1,000,000
rows, every fifth with a number of people. Then times, in this process:

* **ours** — the same code the import page runs (impact/importing.py): `stage_path` (the upload
  checks: type, text decoding, SHA-256, the copy into private storage), `preview` (one streaming
  pass: every problem, new / replaced / unchanged against what is stored) and `commit` (the
  SHA-256 again, one validating pass streamed into a temporary table with COPY, one INSERT …
  ON CONFLICT DO UPDATE … WHERE the value differs, the ImportBatch and the audit entry in the
  same transaction);
* **the floor** — PostgreSQL's own `COPY … FROM STDIN (FORMAT csv)` of the same file into a
  plain table of five text columns (no parsing, no checks, no index), through psycopg's
  `cursor.copy`;
* for scale, PostgreSQL's `COPY` of the same rows, already in its text format, straight into
  `impact_measurement` (unique index, two foreign-key indexes, both foreign keys checked): what
  the table itself costs, with no parsing or checks in front of it;
* a second import of the same rows from a different file (every value unchanged: nothing is
  written).

Prints rows per second for each and the ratios. Fails (exit 1) when the commit is below 0.3 of
COPY. Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench .venv/bin/python
bench/impact_import.py [ROWS]`.
"""

import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run_bench import LOOPBACK, configure_environment  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/import_bench"
INDICATORS = 20
ROWS = 1_000_000
AIM = 0.3


def prepare_database(database_url: str) -> str:
    import psycopg

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("bench/impact_import.py measures PostgreSQL: give a postgres:// URL")
    name = parts.path.lstrip("/")
    if parts.hostname not in LOOPBACK or name in ("", "postgres", "template0", "template1"):
        raise SystemExit(f"bench/impact_import.py: refusing to drop {name!r} on {parts.hostname}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url


def build():
    from django.core.management import call_command

    from tests import factories

    call_command("migrate", verbosity=0)
    operator = factories.person("op@bench.se", full_name="Olle Operatör", operator_group=True)
    programme = factories.programme(operator=operator, name="Bänkprogrammet")
    environment = factories.environment(programme, by=operator)
    indicators = [
        factories.indicator(environment, name=f"Indikator {n:02d}", frequency="once")
        for n in range(INDICATORS)
    ]
    return operator, environment, indicators


def write_csv(path: Path, indicators, rows: int, *, header="indikator;period;värde;antal personer"):
    days = rows // len(indicators)
    start = date(1900, 1, 1)
    periods = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    rng = random.Random(6)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write(header + "\r\n")
        lines = []
        for indicator in indicators:
            for d, period in enumerate(periods):
                value = f"{rng.randrange(0, 100000) / 100}".replace(".", ",")
                people = str(5 + d % 40) if d % 5 == 0 else ""
                lines.append(f"{indicator.name};{period};{value};{people}\r\n")
                if len(lines) >= 50_000:
                    out.write("".join(lines))
                    lines.clear()
        out.write("".join(lines))
    return days * len(indicators)


def copy_floor(path: Path) -> float:
    """Seconds for PostgreSQL's COPY of the file into a plain table (rolled back)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE copy_floor (indicator text, period text, value text, people text)"
        )
        started = time.perf_counter()
        with (
            open(path, "rb") as source,
            cursor.cursor.copy(
                "COPY copy_floor FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';', "
                "ENCODING 'UTF8')"
            ) as copy,
        ):
            source.read(3)  # the byte-order mark (COPY would take it as part of the header)
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM copy_floor")
        copied = cursor.fetchone()[0]
        transaction.set_rollback(True)
    return seconds, copied


def copy_into_measurements(indicators, rows: int, environment, operator) -> float:
    """Seconds for PostgreSQL's COPY of the same rows, already in its text format, straight into
    impact_measurement (its unique index, its two foreign-key indexes and foreign keys checked:
    SET CONSTRAINTS ALL IMMEDIATE, as the transaction is rolled back) — the floor for the table
    itself, whatever the checks in front of it."""
    from django.db import connection, transaction

    from samskapa.impact.models import ImportBatch

    days = rows // len(indicators)
    start = date(1900, 1, 1)
    periods = [(start + timedelta(days=d)).isoformat() for d in range(days)]
    rng = random.Random(6)
    with transaction.atomic(), connection.cursor() as cursor:
        batch = ImportBatch.objects.create(
            environment=environment, filename="floor", sha256="0" * 64, rows=0, imported_by=operator
        )
        tail = f"\timport\t{batch.pk}\t2026-01-01 00:00:00+00\n"
        text = "".join(
            f"{indicator.pk}\t{period}\t{rng.randrange(0, 100000) / 100!r}\t"
            f"{5 + d % 40 if d % 5 == 0 else chr(92) + 'N'}{tail}"
            for indicator in indicators
            for d, period in enumerate(periods)
        ).encode()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY impact_measurement (indicator_id, period, value, respondents, source, "
            "import_batch_id, created_at) FROM STDIN"
        ) as copy:
            for offset in range(0, len(text), 1024 * 1024):
                copy.write(text[offset : offset + 1024 * 1024])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    database_url = prepare_database(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    configure_environment(database_url)
    os.environ["UPLOAD_MAX_MB"] = "500"  # the page's ceiling does not apply to this file
    folder = Path(tempfile.mkdtemp(prefix="samskapa-bench-import-"))
    os.environ["PRIVATE_MEDIA_ROOT"] = str(folder / "private")
    import django

    django.setup()
    from django.db import connection

    from samskapa.impact import importing
    from samskapa.impact.models import Measurement

    operator, environment, indicators = build()
    path = folder / "matningar.csv"
    rows = write_csv(path, indicators, rows)
    size_mb = path.stat().st_size / 1024 / 1024
    version = connection.cursor().connection.info.server_version
    print(
        f"PostgreSQL {version // 10000}.{version % 10000}: {rows:,} rows, {len(indicators)} "
        f"indicators, {size_mb:.1f} MB CSV (';', decimal comma, BOM)\n",
        flush=True,
    )

    # The floor first (a cold file cache would otherwise favour whoever goes second: warm it).
    path.read_bytes()
    copy_seconds, copied = copy_floor(path)
    assert copied == rows, copied
    table_seconds = copy_into_measurements(indicators, rows, environment, operator)

    pending, stage_seconds = timed(
        lambda: importing.stage_path(path, filename=path.name, environment=environment, by=operator)
    )
    preview, preview_seconds = timed(lambda: importing.preview(pending, environment=environment))
    assert preview.ok and preview.new == rows, preview.as_data()["problems"][:3]
    result, commit_seconds = timed(
        lambda: importing.commit(pending, environment=environment, by=operator)
    )
    assert result.new == rows and Measurement.objects.count() == rows

    # The same rows from another file (its header in English): nothing to write.
    again_path = folder / "samma-varden.csv"
    write_csv(again_path, indicators, rows, header="indicator;period;value;people")
    again = importing.stage_path(
        again_path, filename=again_path.name, environment=environment, by=operator
    )
    second, again_seconds = timed(
        lambda: importing.commit(again, environment=environment, by=operator)
    )
    assert (second.new, second.changed, second.unchanged) == (0, 0, rows)

    def rate(seconds):
        return rows / seconds

    floor = rate(copy_seconds)
    lines = [
        ("PostgreSQL COPY (csv → plain table), the floor", copy_seconds),
        ("PostgreSQL COPY (text → impact_measurement, FKs checked)", table_seconds),
        ("ours: receive (checks, SHA-256, private copy)", stage_seconds),
        ("ours: preview (every problem; new/replaced/unchanged)", preview_seconds),
        ("ours: commit (validate + COPY + upsert, one transaction)", commit_seconds),
        (
            "ours: receive + preview + commit, end to end",
            stage_seconds + preview_seconds + commit_seconds,
        ),
        ("ours: commit of the same rows again (all unchanged)", again_seconds),
    ]
    print(f"| {'step':<58} | seconds | rows/s     | × COPY |")
    print(f"|{'-' * 60}|---------|------------|--------|")
    for label, seconds in lines:
        per_second = rate(seconds)
        print(
            f"| {label:<58} | {seconds:>7.2f} | {per_second:>10,.0f} | {per_second / floor:>6.2f} |"
        )
    ratio = rate(commit_seconds) / floor
    verdict = "meets" if ratio >= AIM else "misses"
    print(f"\nThe commit runs at {ratio:.2f} of COPY: {verdict} the aim of {AIM}.")
    print(
        f"It runs at {table_seconds / commit_seconds:.2f} of COPY straight into "
        f"impact_measurement ({table_seconds / copy_seconds:.0f}× the plain COPY's time)."
    )
    return 0 if ratio >= AIM else 1


if __name__ == "__main__":
    sys.exit(main())
