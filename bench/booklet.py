"""Times the lessons booklet (learning/booklet.py): a 50-lesson PDF, and as the floor a
one-lesson booklet rendered in the same run (the fixed cost of a WeasyPrint document: the
template, the fonts, the layout of a cover and a contents page).

No database: the lessons are in-memory objects with what the booklet template reads, each with
realistic Swedish text (about 1,500 characters over its three parts, two themes). Prints the
median of several renders of each, the pages of the 50-lesson booklet, its time per lesson
beyond the floor, and the ratio to the floor.

Run: `DEBUG=true SECRET_KEY=x .venv/bin/python bench/booklet.py [--lessons 50] [--repeat 5]`
"""

import argparse
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskapa.settings")

import django  # noqa: E402

django.setup()

import pypdf  # noqa: E402
import weasyprint  # noqa: E402
from django.utils import translation  # noqa: E402

from samskapa.learning.booklet import render_booklet  # noqa: E402
from samskapa.programmes.models import PhaseKind  # noqa: E402

HAPPENED = (
    "Vi annonserade utlysningen bara på kommunens webbplats och i ett nyhetsbrev till de "
    "innovatörer som redan kände till programmet. Under de tre veckorna kom 14 ansökningar, "
    "nästan alla från etablerade företag med tidigare uppdrag åt kommunen. "
) * 3
LEARNED = (
    "Unga innovatörer och föreningar hittar oss genom sina egna nätverk: studentkårer, "
    "inkubatorer och sociala medier. Ett informationsmöte på plats i stadsdelen gav fler "
    "frågor än hela annonseringen tillsammans. "
) * 2
DIFFERENTLY = (
    "Samarbeta med studentkårer och ungdomsorganisationer från början, och låt behovsägaren "
    "berätta om utmaningen själv i en kort film."
)


class _Themes:
    def __init__(self, names):
        self.names = names

    def all(self):
        return self.names


class _Programme:
    def __init__(self, name):
        self.name = name


class _Lesson:
    """What the booklet's template reads of a lesson."""

    def __init__(self, n: int):
        self.title = f"Lärdom {n}: rekryteringen nådde inte de unga"
        self.programme = _Programme(f"Älvstad samskapar {1 + n % 3}")
        self.phase = PhaseKind.values[n % 4]
        self.themes = _Themes(["Rekrytering", "Unga"])
        self.what_happened = HAPPENED
        self.what_we_learned = LEARNED
        self.what_we_would_do_differently = DIFFERENTLY

    def get_phase_display(self):
        return PhaseKind(self.phase).label


def timed(lessons, repeat: int) -> tuple[float, bytes]:
    times, pdf = [], b""
    for _ in range(repeat):
        started = time.perf_counter()
        pdf = render_booklet(lessons, title="Lärdomar till Kommunforum")
        times.append(time.perf_counter() - started)
    return statistics.median(times), pdf


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with translation.override("sv"):
        render_booklet([_Lesson(0)])  # warm: WeasyPrint's imports, fontconfig, the template
        floor, _ = timed([_Lesson(0)], args.repeat)
        full, pdf = timed([_Lesson(n) for n in range(args.lessons)], args.repeat)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, "
        f"load average {os.getloadavg()[0]:.2f}, median of {args.repeat}"
    )
    print(f"floor: 1-lesson booklet        {floor * 1000:8.0f} ms")
    print(f"{args.lessons}-lesson booklet ({pages} pages) {full * 1000:8.0f} ms")
    print(f"per lesson beyond the floor    {(full - floor) / (args.lessons - 1) * 1000:8.1f} ms")
    print(f"ratio to the floor             {full / floor:8.1f}")


if __name__ == "__main__":
    main()
