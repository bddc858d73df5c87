"""A real SMTP server on loopback receives the notification a membership change sends."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from samskapa.accounts.models import Role
from samskapa.programmes.services import add_member


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_member_gets_an_email_in_their_language_after_commit(
    smtp_server, settings, programme, operator
):
    controller, inbox = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": controller.hostname, "port": controller.port, "timeout": 5},
        }
    }
    from django.utils import translation

    with translation.override("sv"):
        add_member(
            programme, by=operator, email="ny@example.se", full_name="Ny Person", role=Role.REVIEWER
        )

    deadline = time.monotonic() + 5
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ny@example.se"
    body = message.get_payload(decode=True).decode()
    assert programme.name in body
    assert f"/programmes/{programme.pk}/" in body
    assert "Hej" in body  # Swedish, the language the change was made in


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_email_when_the_change_is_rolled_back(smtp_server, settings, programme, operator):
    from django.db import transaction

    controller, inbox = smtp_server
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": controller.hostname, "port": controller.port, "timeout": 5},
        }
    }
    with pytest.raises(RuntimeError), transaction.atomic():
        add_member(
            programme, by=operator, email="ny@example.se", full_name="Ny", role=Role.OBSERVER
        )
        raise RuntimeError("something later in the same request failed")
    time.sleep(0.3)
    assert inbox.messages == []
    assert not programme.memberships.filter(user__email="ny@example.se").exists()
