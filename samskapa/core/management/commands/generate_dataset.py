from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from samskapa.core import dataset


class Command(BaseCommand):
    help = "Creates a synthetic dataset for benchmarks: --scale national (all 290 municipalities)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(dataset.PROFILES), default="national")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, scale, seed, **options):
        if dataset.already_generated():
            raise CommandError(
                "A synthetic dataset is already in this database; start from an empty one."
            )
        self.stdout.write(f"Generating the '{scale}' dataset…")
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            counts = dataset.generate(dataset.PROFILES[scale], seed=seed)
        self.stdout.write(
            self.style.SUCCESS(", ".join(f"{n} {what}" for what, n in counts.items()))
        )
