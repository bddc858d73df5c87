"""In-process timings of the programme board (issue 5's bar: 50 innovators, p95 < 100 ms).

Builds a fresh database (SQLite in a temporary folder, or with DATABASE_URL=postgres://… on a
loopback server a database `samskapa_bench_board`, dropped and made again) with one programme
of 50 innovator journeys, each with a gate history made through the services: a "go" from
phase 2 to 3 for all, an "iterate" back for every third, a gate awaiting the steering group's
decision for every second. Then times, through Django's test client (no network, no other
process), the board page, its API and one journey's page with its history, signed in as a
steering-group member: p50/p95 over 200 requests each and the SQL queries per request. The
floor, measured in the same run, is /healthz (the middleware and one query); the ratio column
is p95 / the floor's p95. Fails (exit 1) when the board's p95 is 100 ms or more.

Run: `make bench-board` (or `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make
bench-board`).
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run_bench import LOOPBACK, configure_environment  # noqa: E402

JOURNEYS = 50
REQUESTS = 200
LIMIT_MS = 100
DB_NAME = "samskapa_bench_board"


def prepare_database(database_url: str | None) -> tuple[str, str]:
    if not database_url or urlsplit(database_url).scheme == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="samskapa-bench-board-"))
        return "sqlite", f"sqlite:///{folder / 'board.sqlite3'}"
    import psycopg

    parts = urlsplit(database_url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"bench/board.py: refusing to drop a database on {parts.hostname!r}")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return "postgresql", parts._replace(path=f"/{DB_NAME}").geturl()


def build():
    """The programme, its operator and steering group, and the journeys with their gates."""
    from django.core.management import call_command

    from samskapa.accounts.models import Membership, Role, User
    from samskapa.journeys import services
    from samskapa.journeys.models import Journey
    from samskapa.organisations.models import Organisation, OrganisationKind
    from samskapa.programmes.services import create_programme

    call_command("migrate", verbosity=0)
    operator = User.objects.create_user(email="op@bench.se", full_name="Olle Operatör")
    support = Organisation.objects.create(
        name="Innovationsstöd", kind=OrganisationKind.INNOVATION_SUPPORT
    )
    programme = create_programme(
        by=operator,
        name="Bänkprogrammet",
        narrative="Den inkluderande staden",
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        operator_organisation=support,
    )
    steering = []
    for n in range(5):
        person = User.objects.create_user(email=f"sg{n}@bench.se", full_name=f"Styrgrupp {n}")
        Membership.objects.create(programme=programme, user=person, role=Role.STEERING_GROUP)
        steering.append(person)

    def gate(journey, decision=None, recommendation="go"):
        opened = services.open_gate(journey, by=operator)
        checks = {
            c.pk: {"met": True, "evidence_url": "https://example.se/bevis"}
            for c in opened.checks.all()
        }
        services.update_checklist(opened, by=operator, checks=checks)
        services.recommend(opened, by=operator, recommendation=recommendation, text="Skäl")
        if decision:
            services.decide(
                opened,
                by=steering[0],
                decision=decision,
                rationale="Motivering",
                decided_on=date(2025, 9, 1),
                members_present=steering[:3],
            )

    for n in range(JOURNEYS):
        innovator = User.objects.create_user(
            email=f"innovator{n}@bench.se", full_name=f"Innovatör {n:02d}"
        )
        Membership.objects.create(programme=programme, user=innovator, role=Role.INNOVATOR)
        journey = Journey.objects.create(programme=programme, innovator=innovator)
        gate(journey, "go")
        if n % 3 == 0:
            gate(journey, "iterate", "iterate")
        if n % 2 == 0:
            gate(journey)
    return programme, steering[0], Journey.objects.filter(programme=programme).first()


def time_url(client, url: str) -> dict:
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "url": url,
        "queries": len(executed),
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
    }


def main() -> int:
    vendor, database_url = prepare_database(os.environ.get("DATABASE_URL"))
    configure_environment(database_url)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.test import Client

    print(f"Building the {vendor} database ({JOURNEYS} innovator journeys) …", flush=True)
    programme, member, journey = build()
    from samskapa.journeys.models import Gate

    client = Client()
    client.force_login(member)
    board_url = f"/journeys/programme/{programme.pk}/board/"
    client.get(board_url)  # warm the templates and the connection
    floor = time_url(client, "/healthz")
    rows = [
        time_url(client, url)
        for url in (
            board_url,
            f"/api/programmes/{programme.pk}/board",
            f"/journeys/{journey.pk}/",
        )
    ]
    print(
        f"\n{vendor}: {programme.journeys.count()} journeys, {Gate.objects.count()} gates "
        f"({Gate.objects.filter(decision='').count()} awaiting a decision), {REQUESTS} requests "
        f"per URL, in-process; floor /healthz p50 {floor['p50']:.1f} ms, p95 "
        f"{floor['p95']:.1f} ms\n"
    )
    print(f"| {'URL':<32} | queries | p50 ms | p95 ms | × floor |")
    print(f"|{'-' * 34}|---------|--------|--------|---------|")
    for row in rows:
        print(
            f"| {row['url']:<32} | {row['queries']:>7} | {row['p50']:>6.1f} | {row['p95']:>6.1f} "
            f"| {row['p95'] / floor['p95']:>7.1f} |"
        )
    board = rows[0]
    if board["p95"] >= LIMIT_MS:
        print(f"\nThe board's p95 {board['p95']:.1f} ms is not under {LIMIT_MS} ms.")
        return 1
    print(f"\nThe board's p95 {board['p95']:.1f} ms is under {LIMIT_MS} ms.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
