from django.core.management.base import BaseCommand
from django.db import transaction

from samskapa.challenges.search import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuilds the full-text search index of every challenge (after migrating, restoring data "
        "or changing how challenges are indexed)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = reindex_all()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} challenges for search."))
