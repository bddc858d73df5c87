"""Load benchmark: Samskapa's pages against gunicorn, measured with wrk. Run it with `make bench`.

It builds a fresh database (PostgreSQL `samskapa_bench` when DATABASE_URL points at a local
PostgreSQL server, otherwise a SQLite file under var/bench/), loads the demo and the national
dataset, serves the app with gunicorn on 127.0.0.1 and measures each page next to the "framework
floor": a trivial view returning the same number of bytes from memory (bench/urls.py).
docs/performance.md explains the figures.
"""

import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ on the path; `bench.settings` needs the repository root.
sys.path.insert(0, str(REPO))

BENCH_DIR = REPO / "var" / "bench"
BENCH_DB_NAME = "samskapa_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HOST = "127.0.0.1"  # the only address this script ever loads

# Every wrk run is bounded by time; with these the whole run takes about four minutes.
WRK_THREADS = 2
WRK_CONNECTIONS = 8
# Each URL runs ROUNDS times, alternating with its floor; the table shows the best round.
WRK_SECONDS = 4
ROUNDS = 5
WARMUP_SECONDS = 2
GUNICORN_WORKERS = 2
STARTUP_TIMEOUT_S = 60

# How many generated programmes the demo operator also operates, so the dashboard lists a
# realistic number of cards rather than one.
EXTRA_PROGRAMMES = 10
DEMO_OPERATOR = "operator@demo.samskapa.se"
DEMO_PROGRAMME = "Den inkluderande staden"


@dataclass
class Target:
    name: str
    path: str
    signed_in: bool  # send the operator's session cookie
    size: int = 0
    queries: int | None = None


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    non2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


# --- Database ------------------------------------------------------------------------------------


def prepare_database(database_url: str | None) -> tuple[str, str]:
    """Return (vendor, URL) of an empty database made for this run."""
    if not database_url:
        return "sqlite", fresh_sqlite()
    scheme = urlsplit(database_url).scheme
    if scheme.startswith("postgres"):
        return "postgresql", fresh_postgres(database_url)
    if scheme == "sqlite":
        return "sqlite", fresh_sqlite()
    raise SystemExit(f"run_bench: unsupported DATABASE_URL scheme {scheme!r}")


def fresh_sqlite() -> str:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / "bench.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def fresh_postgres(server_url: str) -> str:
    """Drop and recreate `samskapa_bench` on the server DATABASE_URL names (loopback only)."""
    import psycopg

    parts = urlsplit(server_url)
    if parts.hostname not in LOOPBACK:
        # Dropping a database is only ever safe on a throwaway local server.
        raise SystemExit(f"run_bench: refusing to drop a database on {parts.hostname!r}")
    # Connect to the named database to drop ours, unless it is ours (one cannot drop one's own).
    admin_db = parts.path.lstrip("/") or "postgres"
    if admin_db == BENCH_DB_NAME:
        admin_db = "postgres"
    with psycopg.connect(parts._replace(path=f"/{admin_db}").geturl(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB_NAME}")
    return parts._replace(path=f"/{BENCH_DB_NAME}").geturl()


def configure_environment(database_url: str) -> None:
    """The settings gunicorn and this process share: production-like, plain HTTP, no 2FA."""
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS=HOST,
        # Seeding must never mail the fictional people, whatever mailer the environment names.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # Otherwise the operator would be sent to the second-factor set-up on every page.
        REQUIRE_OPERATOR_2FA="false",
    )
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # With the manifest storage pages would need collectstatic first; finders serve static here.
    os.environ.pop("MANIFEST_STATIC", None)


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())  # only prints the logins
    call_command("generate_dataset", scale="national", verbosity=0)
    add_operator_to_generated_programmes()


def add_operator_to_generated_programmes() -> None:
    """Bulk-inserted like the dataset itself: seed data, so no audit trail or welcome e-mail."""
    from samskapa.accounts.models import Membership, Role, User
    from samskapa.programmes.models import Programme

    operator = User.objects.get(email=DEMO_OPERATOR)
    generated = Programme.objects.exclude(name=DEMO_PROGRAMME).order_by("pk")[:EXTRA_PROGRAMMES]
    Membership.objects.bulk_create(
        Membership(programme=p, user=operator, role=Role.OPERATOR) for p in generated
    )


# --- Session and query counts --------------------------------------------------------------------


def signed_in_client():
    """A test Client logged in as the demo operator; its session cookie also serves wrk."""
    from django.test import Client

    from samskapa.accounts.models import User

    client = Client(HTTP_HOST=HOST)
    client.force_login(
        User.objects.get(email=DEMO_OPERATOR),
        # Named, because the first configured backend (axes) is not the one that loads users.
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return client


def session_cookie(client) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def count_queries(client, target: Target) -> int:
    """SQL queries one request makes, in-process on the same database (after a warming one)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    requester = client if target.signed_in else Client(HTTP_HOST=HOST)
    requester.get(target.path)
    with CaptureQueriesContext(connection) as captured:
        response = requester.get(target.path)
    if response.status_code != 200:
        raise SystemExit(f"run_bench: {target.path} answered {response.status_code} in-process")
    return len(captured.captured_queries)


def demo_programme_path() -> str:
    from samskapa.programmes.models import Programme

    return Programme.objects.get(name=DEMO_PROGRAMME).get_absolute_url()


def generated_members_path() -> str:
    """The member list of a national-scale programme the operator runs (120 members)."""
    from django.urls import reverse

    from samskapa.programmes.models import Programme

    operated = Programme.objects.filter(memberships__user__email=DEMO_OPERATOR)
    programme = operated.exclude(name=DEMO_PROGRAMME).order_by("pk").first()
    return reverse("programmes:members", args=[programme.pk])


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server():
    """Serve the app on a free loopback port; always stop the server, also on errors."""
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "samskapa.wsgi:application"),
        *("--bind", f"{HOST}:{port}", "--workers", str(GUNICORN_WORKERS)),
        # Import the app before forking, so no worker pays the first-request import.
        *("--preload", "--log-level", "warning"),
    ]
    # Its own session, so that stopping it reaches the workers and nothing else.
    server = subprocess.Popen(command, cwd=REPO, env=os.environ.copy(), start_new_session=True)
    try:
        wait_until_serving(server, port)
        yield port
    finally:
        stop(server)


def wait_until_serving(server, port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"run_bench: gunicorn exited with {server.returncode}")
        try:
            if fetch(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise SystemExit("run_bench: gunicorn did not answer /healthz in time")


def stop(server) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # gunicorn's graceful shutdown stops its workers too
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    """One GET that does not follow redirects: a redirect to the login page must not pass."""
    conn = HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- wrk -----------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing Debian's wrk (needs root) …", flush=True)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=apt_env, stdout=subprocess.DEVNULL).returncode != 0:
        # A fresh image may have no package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], env=apt_env, check=True)
        subprocess.run(install, env=apt_env, stdout=subprocess.DEVNULL, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("run_bench: wrk is still not on PATH")
    return found


def run_wrk(wrk: str, port: int, path: str, cookie: str | None, seconds: int) -> Result:
    command = [
        *(wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency"),
        # wrk would count a response slower than its 2 s default as an error.
        "--timeout=10s",
        *("-s", str(REPO / "bench" / "report.lua")),
        *(("-H", f"Cookie: {cookie}") if cookie else ()),
        f"http://{HOST}:{port}{path}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    match = re.search(r"^BENCH (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or not match:
        raise SystemExit(f"run_bench: wrk failed on {path}:\n{done.stdout}{done.stderr}")
    fields = dict(pair.split("=") for pair in match.group(1).split())
    return Result(
        requests=int(fields["requests"]),
        seconds=int(fields["duration_us"]) / 1e6,
        p50_ms=float(fields["p50_us"]) / 1000,
        p95_ms=float(fields["p95_us"]) / 1000,
        p99_ms=float(fields["p99_us"]) / 1000,
        errors=int(fields["errors"]),
        non2xx=int(fields["non2xx"]),
    )


# --- The run -------------------------------------------------------------------------------------


def check_and_size(port: int, target: Target, cookie: str) -> None:
    """Each URL must answer 200 before it is loaded; its body size picks the floor to compare."""
    status, body = fetch(port, target.path, cookie if target.signed_in else None)
    if status != 200:
        raise SystemExit(f"run_bench: {target.path} answered {status}, not 200; not loading it")
    target.size = len(body)


def measure(wrk: str, port: int, targets: list[Target], cookie: str) -> list[dict]:
    rows = []
    for target in targets:
        check_and_size(port, target, cookie)
        floor = Target(f"floor {target.size} B", f"/bench/floor/{target.size}", target.signed_in)
        check_and_size(port, floor, cookie)
        # Other processes on a two-core machine take CPU from gunicorn and wrk alike.
        busy = busy_cores()
        print(f"  {target.path} and its floor: {ROUNDS} rounds of {WRK_SECONDS} s …", flush=True)
        page_runs, floor_runs = compare(wrk, port, target, floor, cookie)
        page_best, floor_best = best(page_runs), best(floor_runs)
        rows.append(
            {
                "page": asdict(target),
                "page_result": {**asdict(page_best), "rps": page_best.rps},
                "floor_result": {**asdict(floor_best), "rps": floor_best.rps},
                "ratio": page_best.rps / floor_best.rps,
                "page_rps_rounds": [round(r.rps) for r in page_runs],
                "floor_rps_rounds": [round(r.rps) for r in floor_runs],
                "busy_cores_before": round(busy, 2),
            }
        )
    return rows


def compare(wrk, port, target: Target, floor: Target, cookie: str):
    """Alternate page and floor runs, so that both meet the same background load."""
    sent = cookie if target.signed_in else None
    for path in (target.path, floor.path):
        run_wrk(wrk, port, path, sent, WARMUP_SECONDS)  # warm caches and both workers
    page_runs, floor_runs = [], []
    for _ in range(ROUNDS):
        page_runs.append(checked(run_wrk(wrk, port, target.path, sent, WRK_SECONDS), target))
        floor_runs.append(checked(run_wrk(wrk, port, floor.path, sent, WRK_SECONDS), floor))
    return page_runs, floor_runs


def checked(result: Result, target: Target) -> Result:
    if result.errors or result.non2xx:
        print(f"  warning: {result.errors} socket errors, {result.non2xx} non-2xx on {target.path}")
    return result


def best(runs: list[Result]) -> Result:
    """Other work on the machine only ever slows a run down, so the fastest round is the truest."""
    return max(runs, key=lambda r: r.rps)


def busy_cores(seconds: float = 1.0) -> float:
    """Cores' worth of CPU the rest of the machine uses while this benchmark sits idle."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split()[1:9]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return (os.cpu_count() or 1) * (1 - (idle1 - idle0) / max(total1 - total0, 1))


def describe_setup(vendor: str, floor_queries: dict) -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        db_version = cursor.fetchone()[0]
    return {
        "date": date.today().isoformat(),
        "database": f"{vendor} {db_version}",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "load": f"wrk {WRK_THREADS} threads, {WRK_CONNECTIONS} connections, best of {ROUNDS} "
        f"rounds of {WRK_SECONDS} s after {WARMUP_SECONDS} s warm-up; "
        f"gunicorn {GUNICORN_WORKERS} sync workers",
        "floor_queries": floor_queries,
    }


def print_table(setup: dict, rows: list[dict]) -> None:
    print(f"\n{setup['date']} · {setup['database']} · {setup['cores']} cores · {setup['load']}\n")
    header = ("URL", "bytes", "queries", "req/s", "p50 ms", "p95 ms", "floor req/s", "ratio")
    table = [header, *(table_row(row) for row in rows)]
    widths = [max(len(str(cells[i])) for cells in table) for i in range(len(header))]
    for n, cells in enumerate(table):
        aligned = (
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        print("| " + " | ".join(aligned) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print(
        "\nreq/s and latencies: the best round (all rounds in the JSON file); ratio = page req/s"
        "\n÷ floor req/s, the floor being a view returning as many bytes from memory with the"
        f"\nsame cookie: {setup['floor_queries']['signed in']} SQL query signed in (the session), "
        f"{setup['floor_queries']['anonymous']} anonymous."
    )
    for row in rows:
        print(
            f"  {row['page']['path']}: page rounds {row['page_rps_rounds']}, floor rounds "
            f"{row['floor_rps_rounds']}, other processes used {row['busy_cores_before']} cores"
        )


def table_row(row: dict) -> tuple:
    page, result = row["page"], row["page_result"]
    return (
        page["path"],
        page["size"],
        page["queries"],
        f"{result['rps']:.0f}",
        f"{result['p50_ms']:.1f}",
        f"{result['p95_ms']:.1f}",
        f"{row['floor_result']['rps']:.0f}",
        f"{row['ratio']:.2f}",
    )


def build_targets(client) -> tuple[list[Target], dict]:
    targets = [
        Target("dashboard", "/dashboard/", signed_in=True),
        Target("programme", demo_programme_path(), signed_in=True),
        # The heaviest page an operator opens at national scale, for comparison.
        Target("members", generated_members_path(), signed_in=True),
        Target("healthz", "/healthz", signed_in=False),
    ]
    for target in targets:
        target.queries = count_queries(client, target)
    floor_queries = {
        "signed in": count_queries(client, Target("floor", "/bench/floor/100", True)),
        "anonymous": count_queries(client, Target("floor", "/bench/floor/100", False)),
    }
    return targets, floor_queries


def main() -> None:
    # A SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so gunicorn is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("run_bench: terminated"))
    vendor, database_url = prepare_database(os.environ.get("DATABASE_URL"))
    configure_environment(database_url)
    import django

    django.setup()
    from django.db import connections

    print(f"Building the {vendor} database (demo + national dataset) …", flush=True)
    seed()
    client = signed_in_client()
    targets, floor_queries = build_targets(client)
    wrk = ensure_wrk()
    setup = describe_setup(vendor, floor_queries)
    # This process's connection is not needed while gunicorn serves.
    connections.close_all()
    with gunicorn_server() as port:
        rows = measure(wrk, port, targets, session_cookie(client))
    print_table(setup, rows)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_DIR / f"results-{vendor}.json"
    out.write_text(json.dumps({"setup": setup, "rows": rows}, indent=2))
    print(f"Raw figures: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
