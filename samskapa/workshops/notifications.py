"""Workshop e-mail (invitation, change, cancellation, the day-before reminder) with the
calendar attached: sent through Django's e-mail framework as a background task once the change
that caused it is committed (as every notification; see recruitment/notifications.py). The
day-before reminder is sent at once by the daily command (`send_workshop_mail_now`), so that it
is marked sent only once the mail backend has accepted it."""

from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from samskapa.core import notifications

TEMPLATE = "workshops/emails/workshop"


@task
def send_workshop_mail(
    recipient: str, context: dict, language: str, calendar: str, method: str
) -> None:
    _send(recipient, context, language, calendar, method)


def _send(recipient: str, context: dict, language: str, calendar: str, method: str) -> None:
    with translation.override(language):
        # One line whatever the title holds: a line break in a header fails the whole e-mail.
        subject = " ".join(render_to_string(f"{TEMPLATE}_subject.txt", context).split())
        body = render_to_string(f"{TEMPLATE}_body.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    attachment = MIMEPart()
    attachment.set_content(
        calendar.encode("utf-8"),  # as bytes: iCalendar's CRLF line ends stay as they are
        maintype="text",
        subtype="calendar",
        params={"charset": "utf-8", "method": method},
        disposition="attachment",
        filename="cancellation.ics" if method == "CANCEL" else "invitation.ics",
    )
    message.attach(attachment)
    message.send()


def workshop_mail_on_commit(
    recipient: str, context: dict, calendar: bytes, method: str, language: str | None = None
) -> None:
    """Queue the e-mail; sent only if the surrounding transaction commits, and never while
    notifications are suppressed (the demo's fictional people)."""
    if getattr(notifications._silence, "active", False):
        return
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    text = calendar.decode("utf-8")
    transaction.on_commit(
        lambda: send_workshop_mail.enqueue(recipient, context, language, text, method)
    )


def send_workshop_mail_now(
    recipient: str, context: dict, calendar: bytes, method: str, language: str | None = None
) -> bool:
    """Hand the e-mail to the mail backend now; an error (the SMTP server refusing or away)
    propagates to the caller. False when notifications are suppressed (nothing sent)."""
    if getattr(notifications._silence, "active", False):
        return False
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    _send(recipient, context, language, calendar.decode("utf-8"), method)
    return True
