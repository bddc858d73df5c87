"""`manage.py impact_case INPUT.json`: calculate an impact case (SROI) and print it as JSON.

Needs neither a database nor SECRET_KEY. Bad input — an unreadable file, invalid JSON, or an
input impact/case.py refuses — gives a message on stderr and exit status 2, never a traceback.
docs/impact-case.md describes the input, the output and the conventions.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from samskapa.impact import case


class Command(BaseCommand):
    help = (
        "Calculates an impact case (social return on investment) from a JSON file (or - for "
        "standard input) and prints the result as JSON. See docs/impact-case.md."
    )
    requires_system_checks = []  # works from code alone: no database, no checks

    def add_arguments(self, parser):
        parser.add_argument("input", help="the input file, or - to read standard input")
        parser.add_argument(
            "--indent", type=int, default=2, help="spaces per level in the output (default 2)"
        )

    def handle(self, *args, **options):
        name = options["input"]
        try:
            if name == "-":
                text = sys.stdin.read()
                name = "standard input"
            else:
                with open(name, encoding="utf-8") as file:
                    text = file.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {name}: {error}", returncode=2) from error
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as error:
            detail = (
                f"{error.msg} at line {error.lineno}, column {error.colno}"
                if isinstance(error, json.JSONDecodeError)
                else "nested too deeply"
            )
            raise CommandError(f"{name} is not valid JSON: {detail}", returncode=2) from error
        try:
            result = case.calculate(case.parse_case(data))
        except case.InvalidCase as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            raise CommandError(
                f"{name} is not a valid impact case:\n{lines}", returncode=2
            ) from error
        indent = options["indent"] if options["indent"] > 0 else None
        try:
            output = json.dumps(result, ensure_ascii=False, indent=indent, allow_nan=False)
        except ValueError as error:  # a figure overflowed to infinity
            raise CommandError(
                f"{name}: the figures are too large to calculate", returncode=2
            ) from error
        self.stdout.write(output)
