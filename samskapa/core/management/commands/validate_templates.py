from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import TemplateSyntaxError
from django.template.loader import get_template


class Command(BaseCommand):
    help = "Compiles every project template, so that a syntax error fails `make check`."

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR) / "samskapa"
        names = sorted(
            str(path.relative_to(folder))
            for folder in root.glob("**/templates")
            for path in folder.rglob("*")
            if path.is_file() and path.suffix in {".html", ".txt"}
        )
        errors = []
        for name in names:
            try:
                get_template(name)
            except TemplateSyntaxError as error:
                errors.append(f"{name}: {error}")
        if errors:
            raise CommandError("Templates with errors:\n" + "\n".join(errors))
        self.stdout.write(f"{len(names)} templates compile.")
