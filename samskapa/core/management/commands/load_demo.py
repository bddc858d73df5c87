from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from samskapa.core import demo
from samskapa.core.notifications import suppressed


class Command(BaseCommand):
    help = "Loads the demo programme (once) and prints the demo logins, one per role."

    def handle(self, *args, **options):
        if demo.demo_is_loaded():
            self.stdout.write("The demo is already loaded.")
        else:
            # The demo city is Swedish: texts it stores (gate criteria) are in Swedish.
            # The demo's people are fictional: nobody is e-mailed.
            with translation.override(settings.LANGUAGE_CODE), suppressed(), transaction.atomic():
                demo.load_demo()
            self.stdout.write(
                self.style.SUCCESS("Loaded the demo programme 'Den inkluderande staden'.")
            )
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        for key, _name, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {role.label:<28} {key}@{demo.DEMO_DOMAIN}")
        self.stdout.write("\nOpen http://127.0.0.1:8000/ and sign in.\n")
