"""In-process timings of the public portal on the national dataset (issue 3's bar: p95 < 100 ms).

Builds the same fresh database as run_bench.py (demo + national dataset, which includes 2,000
challenges, 100 calls and 20,000 applications), then times each portal URL and the operator's
pages of a call with 200 applications through Django's test client — no network, no other
process — and prints p50/p95 and the SQL queries per request. The floor, measured in the same
run, is /healthz (the middleware and one query): the ratio column is p95 / the floor's p95.
Run: `make bench-portal`.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run_bench import (  # noqa: E402
    configure_environment,
    prepare_database,
    seed,
    signed_in_client,
)

REQUESTS = 100
URLS = [
    "/portal/",
    "/portal/?q=ensamheten",
    "/portal/?q=unga+innovat%C3%B6rer",
    "/portal/?theme={theme}",
    "/portal/?q=trygghet&status=published&page=2",
    "/portal/feed/",
    "/portal/calls/feed/",
    "/portal/calls/deadlines.ics",
    "/calls/{call}/",
]
# The operator's pages of the generated call the operator runs (200 applications).
OPERATOR_URLS = [
    "/calls/{call}/applications/",
    "/calls/{call}/reviews/",
    "/calls/mine/",
]
FLOOR_URL = "/healthz"


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


def main() -> None:
    vendor, database_url = prepare_database(os.environ.get("DATABASE_URL"))
    configure_environment(database_url)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.test import Client

    from samskapa.calls.models import Application, Call
    from samskapa.challenges.models import Challenge, Tag

    print(f"Building the {vendor} database (demo + national dataset) …", flush=True)
    seed()
    public = Challenge.objects.public().count()
    theme = Tag.objects.order_by("name").first().pk
    # The largest call the demo operator runs among the generated programmes.
    call = (
        Call.objects.filter(programme__memberships__user__email="operator@demo.samskapa.se")
        .exclude(programme__name="Den inkluderande staden")
        .order_by("-closes_at", "pk")
        .first()
    )
    client = Client()
    client.get("/portal/")  # warm the templates and the connection
    operator = signed_in_client()
    floor = time_url(client, FLOOR_URL)
    print(
        f"\n{vendor}: {Challenge.objects.count()} challenges ({public} public), "
        f"{Call.objects.count()} calls, {Application.objects.count()} applications "
        f"({call.applications.count()} in the call timed), {REQUESTS} requests per URL, "
        f"in-process; floor {FLOOR_URL} p95 {floor['p95']:.1f} ms\n"
    )
    print(f"| {'URL':<45} | queries | p50 ms | p95 ms | × floor |")
    print(f"|{'-' * 47}|---------|--------|--------|---------|")
    rows = [time_url(client, url.format(theme=theme, call=call.pk)) for url in URLS]
    rows += [time_url(operator, url.format(call=call.pk)) for url in OPERATOR_URLS]
    for row in rows:
        print(
            f"| {row['url']:<45} | {row['queries']:>7} | {row['p50']:>6.1f} | {row['p95']:>6.1f} "
            f"| {row['p95'] / floor['p95']:>7.1f} |"
        )


if __name__ == "__main__":
    main()
