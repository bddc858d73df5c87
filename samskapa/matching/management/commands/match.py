"""`manage.py match INPUT.json`: run the matching engine on a JSON file and print the result.

Needs neither a database nor SECRET_KEY. Bad input — an unreadable file, invalid JSON, or an
input the engine refuses — gives a message on stderr and exit status 2, never a traceback.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from samskapa.matching import engine


class Command(BaseCommand):
    help = (
        "Matches applicants to challenges from a JSON file (or - for standard input) and prints "
        "the result as JSON. See docs/matching.md for the input and the output."
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
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{name} is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}",
                returncode=2,
            ) from error
        try:
            result = engine.solve(engine.parse_input(data))
        except engine.InvalidInput as error:
            raise CommandError(f"{name}: {error}", returncode=2) from error
        except engine.SolverError as error:
            raise CommandError(f"{name}: the solver failed: {error}", returncode=1) from error
        indent = options["indent"] if options["indent"] > 0 else None
        self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=indent))
