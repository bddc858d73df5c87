"""Run daily (docs/deployment.md): a reminder to everyone invited to tomorrow's workshops."""

from django.core.management.base import BaseCommand

from samskapa.workshops.services import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail a reminder to every person invited to a workshop that starts tomorrow "
        "(Stockholm calendar day). Each person is reminded once per workshop and day: running "
        "it again sends nothing new. A reminder the mail server did not take is logged and "
        "sent by the next run."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} workshop reminder(s) sent.")
