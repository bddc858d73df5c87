"""E-mail notifications, sent as background tasks once the change that caused them is committed."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation


@task
def send_notification(recipient: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


_silence = threading.local()


@contextmanager
def suppressed():
    """No notifications inside this block: for loading fictional people (the demo)."""
    _silence.active = True
    try:
        yield
    finally:
        _silence.active = False


def notify_on_commit(recipient: str, template: str, context: dict) -> None:
    """Queue an e-mail that is sent only if the surrounding transaction commits."""
    if getattr(_silence, "active", False):
        return
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: send_notification.enqueue(recipient, template, context, language))
