"""The toolbox and workshops: the starter set and programme tools, their templates, workshops
with their refusals, invitations by e-mail with the .ics, reminders the day before, who sees
what, the API, and query counts of the list pages."""

import io
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.calls.models import STOCKHOLM
from samskapa.workshops import services
from samskapa.workshops.models import FollowUp, Tool, Workshop, WorkshopInvitation
from samskapa.workshops.starter import STARTER_TOOLS
from tests import factories
from tests.test_mail import (
    _free_port,
    smtp_server,  # noqa: F401 — the real SMTP server on loopback
)
from tests.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db


def _at(days=10, hour=9):
    """A moment `days` from now at `hour`:00 Stockholm time."""
    day = timezone.localtime(timezone.now(), STOCKHOLM).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def _workshop(programme, operator, invited=(), days=10, **fields):
    values = {
        "title": "Behovsinventering med hemtjänsten",
        "starts_at": _at(days, 9),
        "ends_at": _at(days, 12),
        "place": "Stadshuset, sal Forsen",
        "agenda": "1. Inledning\n2. Intressentkarta",
    }
    values.update(fields)
    return services.create_workshop(programme, by=operator, invited=invited, **values)


def _calendar(message) -> Calendar:
    parsed = message_from_bytes(message.message().as_bytes(), policy=email_policy.default)
    return _calendar_of(parsed)


def _calendar_of(parsed) -> Calendar:
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert payload.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = Calendar.from_ical(payload)
    assert parts[0].get_param("method") == str(calendar["method"])
    return calendar


def _event(calendar):
    [event] = calendar.walk("VEVENT")
    return event


# --- The toolbox ---


def test_every_member_sees_the_starter_set_and_their_programmes_tools(client_as, people, programme):
    # Given a tool of this programme and one of another programme
    operator = people[Role.OPERATOR]
    own = services.create_tool(
        programme, by=operator, name="Vår metod", purpose="Syfte", phases=[2]
    )
    other = factories.programme()
    foreign = services.create_tool(
        other,
        by=other.memberships.get(role=Role.OPERATOR).user,
        name="Deras",
        purpose="x",
        phases=[2],
    )
    # When an observer of the programme opens its toolbox
    response = client_as(people[Role.OBSERVER]).get(
        f"/workshops/programmes/{programme.pk}/toolbox/"
    )
    # Then they see the starter set and the programme's own tool, not the other programme's
    assert response.status_code == 200
    shown = list(response.context["tools"])
    assert len(shown) == len(STARTER_TOOLS) + 1
    assert own in shown and foreign not in shown
    assert "Social business model canvas" in response.text
    assert "Stakeholder map" in response.text
    # And the other programme's tool answers 404 to them
    url = f"/workshops/programmes/{programme.pk}/toolbox/{foreign.pk}/"
    assert client_as(people[Role.OBSERVER]).get(url).status_code == 404


def test_the_toolbox_filters_by_phase(client_as, people, programme):
    response = client_as(people[Role.INNOVATOR]).get(
        f"/workshops/programmes/{programme.pk}/toolbox/?phase=4"
    )
    keys = {tool.key for tool in response.context["tools"]}
    assert keys == {key for key, tool in STARTER_TOOLS.items() if "4" in tool.phases}
    assert "needs_mapping" not in keys and "effect_chain" in keys


def test_a_starter_tool_reads_in_swedish_when_asked(client_as, people, programme):
    tool = Tool.objects.get(key="stakeholder_map")
    response = client_as(people[Role.INNOVATOR], language="sv").get(
        f"/workshops/programmes/{programme.pk}/toolbox/{tool.pk}/"
    )
    assert response.status_code == 200
    assert response.context["tool"].title  # the text comes from starter.py, translated


def test_a_starter_tools_template_is_a_worksheet_pdf(client_as, people, programme):
    tool = Tool.objects.get(key="social_canvas")
    response = client_as(people[Role.INNOVATOR]).get(
        f"/workshops/programmes/{programme.pk}/toolbox/{tool.pk}/template/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Social business model canvas" in text
    assert "Social value proposition" in text and "Use of surplus" in text


def test_an_operator_adds_a_tool_with_a_template_file_downloaded_through_permissions(
    client_as, people, programme
):
    operator = people[Role.OPERATOR]
    response = client_as(operator).post(
        f"/workshops/programmes/{programme.pk}/toolbox/new/",
        {
            "name": "Dialogkort",
            "purpose": "Samtal om trygghet",
            "phases": ["1", "2"],
            "how_to": "Dra ett kort",
            "duration": "45 min",
            "template": SimpleUploadedFile("kort.pdf", pdf_bytes("Dialogkort"), "application/pdf"),
        },
    )
    assert response.status_code == 302
    tool = Tool.objects.get(name="Dialogkort")
    assert tool.programme == programme and tool.phases == "12"
    assert AuditEntry.objects.filter(action="workshops.tool.created", object_id=str(tool.pk))
    url = f"/workshops/programmes/{programme.pk}/toolbox/{tool.pk}/template/"
    download = client_as(people[Role.INNOVATOR]).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "kort.pdf" in download["Content-Disposition"]
    assert client_as(people["outsider"]).get(url).status_code == 404
    assert (
        client_as(people[Role.INNOVATOR])
        .get(f"/workshops/programmes/{programme.pk}/toolbox/new/")
        .status_code
        == 403
    )


def test_a_tool_without_phase_or_with_a_wrong_file_type_is_refused(programme, operator):
    with pytest.raises(ValidationError) as error:
        services.create_tool(programme, by=operator, name="X", purpose="Y", phases=[])
    assert "phases" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_tool(
            programme,
            by=operator,
            name="X",
            purpose="Y",
            phases=[1],
            template=SimpleUploadedFile("mall.pdf", b"MZ not a pdf at all", "application/pdf"),
        )
    assert "template" in error.value.message_dict
    assert not Tool.objects.filter(programme=programme).exists()


# --- Workshops: refusals ---


def test_end_before_start_is_refused_and_nothing_saved(programme, operator):
    with pytest.raises(ValidationError) as error:
        _workshop(programme, operator, starts_at=_at(5, 12), ends_at=_at(5, 9))
    assert error.value.message_dict["ends_at"] == ["The workshop must end after it starts."]
    assert not Workshop.objects.exists()


def test_neither_place_nor_link_is_refused_but_hybrid_is_fine(programme, operator):
    with pytest.raises(ValidationError) as error:
        _workshop(programme, operator, place="", video_url="")
    assert error.value.message_dict["place"] == ["Give a place, a video link or both."]
    assert not Workshop.objects.exists()
    hybrid = _workshop(programme, operator, video_url="https://meet.example.se/abc")
    assert hybrid.is_hybrid


@pytest.mark.parametrize("title", ["Rad ett\nBcc: x@example.se", "Rad\r\nTvå", "A\u2028B"])
def test_a_title_with_a_line_break_is_refused(client_as, programme, operator, title):
    message = "The title must be a single line, without line breaks or control characters."
    with pytest.raises(ValidationError) as error:
        _workshop(programme, operator, title=title)
    assert error.value.message_dict["title"] == [message]
    values = {
        "title": title,
        "starts_at": _at(3, 9).isoformat(),
        "ends_at": _at(3, 10).isoformat(),
        "place": "Rum",
    }
    api = client_as(operator).post(
        f"/api/programmes/{programme.pk}/workshops", values, content_type="application/json"
    )
    assert api.status_code == 422 and api.json()["errors"]["title"] == [message]
    page = client_as(operator).post(
        f"/workshops/programmes/{programme.pk}/new/",
        {**values, "starts_at": "2031-03-04T09:00", "ends_at": "2031-03-04T10:00"},
    )
    assert page.status_code == 200 and message in page.text
    assert not Workshop.objects.exists()
    # Nor may a change bring one in
    workshop = _workshop(programme, operator)
    patch = client_as(operator).patch(
        f"/api/workshops/{workshop.pk}", {"title": title}, content_type="application/json"
    )
    assert patch.status_code == 422
    workshop.refresh_from_db()
    assert workshop.title == "Behovsinventering med hemtjänsten"


def test_a_non_member_cannot_be_invited(programme, operator, people):
    with pytest.raises(ValidationError) as error:
        _workshop(programme, operator, invited=[people[Role.INNOVATOR], people["outsider"]])
    assert "not members" in error.value.message_dict["invited"][0]
    assert str(people["outsider"]) in error.value.message_dict["invited"][0]
    assert not Workshop.objects.exists()
    assert mail.outbox == []


def test_attendance_only_of_the_invited_and_only_once_begun(programme, operator, people):
    innovator, steering = people[Role.INNOVATOR], people[Role.STEERING_GROUP]
    past = _workshop(programme, operator, invited=[innovator], days=-2)
    with pytest.raises(ValidationError) as error:
        services.record_attendance(past, by=operator, attended=[innovator, steering])
    assert "not invited" in error.value.message_dict["attended"][0]
    assert not WorkshopInvitation.objects.filter(attended=True).exists()
    upcoming = _workshop(programme, operator, invited=[innovator])
    with pytest.raises(ValidationError):
        services.record_attendance(upcoming, by=operator, attended=[innovator])
    services.record_attendance(past, by=operator, attended=[innovator], notes="Bra samtal.")
    past.refresh_from_db()
    assert past.notes == "Bra samtal."
    assert past.invitations.get().attended
    assert AuditEntry.objects.filter(action="workshops.attendance.recorded").count() == 1


def test_only_operators_manage_workshops(programme, operator, people):
    with pytest.raises(PermissionDenied):
        _workshop(programme, people[Role.STEERING_GROUP])
    workshop = _workshop(programme, operator)
    with pytest.raises(PermissionDenied):
        services.cancel_workshop(workshop, by=people[Role.INNOVATOR])


def test_follow_ups_owned_by_members_and_done_by_their_owner(programme, operator, people):
    innovator = people[Role.INNOVATOR]
    workshop = _workshop(programme, operator, invited=[innovator], days=-1)
    with pytest.raises(ValidationError):
        services.add_follow_up(workshop, by=operator, text="Skicka", owner=people["outsider"])
    follow_up = services.add_follow_up(
        workshop,
        by=operator,
        text="Skicka pilotplanen",
        owner=innovator,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    with pytest.raises(PermissionDenied):
        services.set_follow_up_done(follow_up, by=people[Role.STEERING_GROUP])
    services.set_follow_up_done(follow_up, by=innovator)
    assert FollowUp.objects.get().done


def test_a_follow_up_owner_is_invited_or_an_operator(client_as, programme, operator, people):
    innovator, steering = people[Role.INNOVATOR], people[Role.STEERING_GROUP]
    workshop = _workshop(programme, operator, invited=[innovator], days=-1)
    # A member who is not invited (and so cannot see the workshop) cannot own a follow-up
    with pytest.raises(ValidationError) as error:
        services.add_follow_up(workshop, by=operator, text="Skicka", owner=steering)
    assert error.value.message_dict["owner"] == [
        "The owner must be invited to the workshop or be an operator of the programme; "
        f"{steering} is neither."
    ]
    api = client_as(operator).post(
        f"/api/workshops/{workshop.pk}/follow-ups",
        {"text": "Skicka", "owner_id": steering.pk},
        content_type="application/json",
    )
    assert api.status_code == 422 and "is neither" in api.json()["errors"]["owner"][0]
    page = client_as(operator).post(
        f"/workshops/{workshop.pk}/follow-ups/", {"text": "Skicka", "owner": steering.pk}
    )
    assert page.status_code == 302
    assert not FollowUp.objects.exists()
    # The page offers the invited and the operators only
    form = client_as(operator).get(f"/workshops/{workshop.pk}/").context["follow_up_form"]
    offered = {pk for pk, _label in form.fields["owner"].choices if pk}
    assert offered == {innovator.pk, operator.pk}
    # An operator may own one though not invited; the invited owner marks theirs done on the
    # page and in the API
    services.add_follow_up(workshop, by=operator, text="Boka lokal", owner=operator)
    mine = services.add_follow_up(workshop, by=operator, text="Skicka plan", owner=innovator)
    response = client_as(innovator).post(f"/workshops/follow-ups/{mine.pk}/done/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.done
    reopened = client_as(innovator).patch(
        f"/api/follow-ups/{mine.pk}", {"done": False}, content_type="application/json"
    )
    assert reopened.status_code == 200 and not reopened.json()["done"]


def test_the_owner_of_an_open_follow_up_stays_invited(programme, operator, people):
    innovator, needs_owner = people[Role.INNOVATOR], people[Role.NEEDS_OWNER]
    workshop = _workshop(programme, operator, invited=[innovator, needs_owner], days=-1)
    follow_up = services.add_follow_up(workshop, by=operator, text="Skicka", owner=innovator)
    with pytest.raises(ValidationError) as error:
        services.update_workshop(workshop, by=operator, invited=[needs_owner])
    assert str(innovator) in error.value.message_dict["invited"][0]
    assert "open follow-ups" in error.value.message_dict["invited"][0]
    assert workshop.invitations.filter(person=innovator).exists()
    # Once it is done, they may be uninvited
    services.set_follow_up_done(follow_up, by=operator)
    services.update_workshop(workshop, by=operator, invited=[needs_owner])
    assert not workshop.invitations.filter(person=innovator).exists()


# --- Invitations, changes and the .ics ---


def test_inviting_mails_a_request_and_a_new_time_raises_the_sequence(
    programme, operator, people, django_capture_on_commit_callbacks
):
    innovator = people[Role.INNOVATOR]
    with django_capture_on_commit_callbacks(execute=True):
        workshop = _workshop(
            programme, operator, invited=[innovator], video_url="https://meet.example.se/w"
        )
    [message] = mail.outbox
    assert message.to == [innovator.email]
    assert "Behovsinventering med hemtjänsten" in message.subject
    event = _event(_calendar(message))
    assert str(event["uid"]) == workshop.calendar_uid
    assert event.decoded("sequence") == 0
    assert event.decoded("dtstart") == workshop.starts_at
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert str(event["location"]) == "Stadshuset, sal Forsen"
    assert "https://meet.example.se/w" in str(event["description"])
    assert str(event["attendee"]) == f"mailto:{innovator.email}"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_workshop(workshop, by=operator, starts_at=_at(11, 13), ends_at=_at(11, 15))
    [changed] = mail.outbox
    calendar = _calendar(changed)
    assert str(calendar["method"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["uid"]) == workshop.calendar_uid
    assert event.decoded("sequence") == 1
    assert event.decoded("dtstart") == _at(11, 13)
    assert changed.subject.startswith("Changed")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_workshop(workshop, by=operator, notes="Bara anteckningar")
    assert mail.outbox == []  # notes are not news to the invited

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_workshop(workshop, by=operator)
    [cancelled] = mail.outbox
    calendar = _calendar(cancelled)
    assert str(calendar["method"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["uid"]) == workshop.calendar_uid
    assert event.decoded("sequence") == 2
    assert str(event["status"]) == "CANCELLED"


def test_no_longer_invited_gets_a_cancel_and_new_invitees_a_request(
    programme, operator, people, django_capture_on_commit_callbacks
):
    innovator, steering = people[Role.INNOVATOR], people[Role.STEERING_GROUP]
    workshop = _workshop(programme, operator, invited=[innovator])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_workshop(workshop, by=operator, invited=[steering])
    methods = {m.to[0]: str(_calendar(m)["method"]) for m in mail.outbox}
    assert methods == {innovator.email: "CANCEL", steering.email: "REQUEST"}


def test_the_ics_download_is_for_those_who_see_the_workshop(client_as, programme, people):
    innovator = people[Role.INNOVATOR]
    workshop = _workshop(programme, people[Role.OPERATOR], invited=[innovator])
    response = client_as(innovator).get(f"/workshops/{workshop.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["method"]) == "PUBLISH"
    assert str(_event(calendar)["uid"]) == workshop.calendar_uid
    # RFC 5546: a PUBLISH carries no ATTENDEE (the invitation, a REQUEST, does)
    assert "attendee" not in _event(calendar)
    assert b"ATTENDEE" not in response.content
    api = client_as(innovator).get(f"/api/workshops/{workshop.pk}/calendar.ics")
    assert str(Calendar.from_ical(api.content)["method"]) == "PUBLISH"
    assert b"ATTENDEE" not in api.content
    # A member not invited, and an outsider, do not see it
    for user in (people[Role.STEERING_GROUP], people["outsider"]):
        assert client_as(user).get(f"/workshops/{workshop.pk}/calendar.ics").status_code == 404


# --- Reminders ---


def test_reminders_are_sent_once_per_person_workshop_and_day(
    programme, operator, people, django_capture_on_commit_callbacks
):
    innovator, needs_owner = people[Role.INNOVATOR], people[Role.NEEDS_OWNER]
    tomorrow = _workshop(programme, operator, invited=[innovator, needs_owner], days=1)
    _workshop(programme, operator, invited=[innovator], days=2, title="Övermorgon")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([innovator.email, needs_owner.email])
    assert all(m.subject.startswith("Påminnelse") or "Reminder" in m.subject for m in mail.outbox)
    mail.outbox.clear()
    # Running it again sends nothing new
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_workshop_reminders", stdout=io.StringIO())
    assert mail.outbox == []
    # A new time on the same day sends no second reminder that day
    with django_capture_on_commit_callbacks(execute=True):
        services.update_workshop(tomorrow, by=operator, starts_at=_at(1, 13), ends_at=_at(1, 15))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 0
    assert mail.outbox == []
    # Moved to another day: a new reminder the day before that day, once
    services.update_workshop(tomorrow, by=operator, starts_at=_at(2, 13), ends_at=_at(2, 15))
    in_a_day = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(in_a_day) == 3  # with "Övermorgon"'s one
        assert services.send_reminders(in_a_day) == 0
    # Cancelled workshops get no reminder
    services.update_workshop(tomorrow, by=operator, starts_at=_at(1, 9), ends_at=_at(1, 10))
    services.cancel_workshop(tomorrow, by=operator)
    assert services.send_reminders() == 0


def test_tomorrow_is_the_stockholm_calendar_day():
    # 23:30 UTC on 31 March is already 1 April in Stockholm (summer time): tomorrow is 2 April,
    # from its midnight to the next, Stockholm time
    start, end = services.tomorrow_bounds(datetime(2030, 3, 31, 23, 30, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2030, 4, 1, 22, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2030, 4, 2, 22, 0, tzinfo=UTC)
    assert timezone.localtime(start, STOCKHOLM) == datetime(2030, 4, 2, tzinfo=STOCKHOLM)
    assert timezone.localtime(end, STOCKHOLM) == datetime(2030, 4, 3, tzinfo=STOCKHOLM)
    # Summer time begins on 31 March 2030: that day is 23 hours long
    start, end = services.tomorrow_bounds(datetime(2030, 3, 30, 12, 0, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2030, 3, 30, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2030, 3, 31, 22, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=23)
    # It ends on 27 October 2030: that day is 25 hours long
    start, end = services.tomorrow_bounds(datetime(2030, 10, 26, 12, 0, tzinfo=UTC))
    assert start.astimezone(UTC) == datetime(2030, 10, 26, 22, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2030, 10, 27, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)
    # 22:30 UTC on the 25th is already the 26th in Stockholm: tomorrow is the 27th
    assert services.tomorrow_bounds(datetime(2030, 10, 25, 22, 30, tzinfo=UTC))[0].astimezone(
        UTC
    ) == datetime(2030, 10, 26, 22, 0, tzinfo=UTC)


def _use_smtp(settings, controller):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": controller.hostname, "port": controller.port, "timeout": 5},
        }
    }


def _wait_for(inbox, count):
    deadline = time.monotonic() + 5
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_invitation_and_reminder_over_real_smtp(smtp_server, settings):  # noqa: F811
    controller, inbox = smtp_server
    _use_smtp(settings, controller)
    programme = factories.programme()
    operator = programme.memberships.get(role=Role.OPERATOR).user
    innovator = factories.member(programme, Role.INNOVATOR)
    # The invitation
    workshop = _workshop(programme, operator, invited=[innovator], days=1)
    _wait_for(inbox, 1)
    assert len(inbox.messages) == 1
    invitation = inbox.messages[0]
    assert invitation["To"] == innovator.email
    event = _event(
        _calendar_of(message_from_bytes(invitation.as_bytes(), policy=email_policy.default))
    )
    assert str(event["uid"]) == workshop.calendar_uid
    # The reminder, once
    assert services.send_reminders() == 1
    _wait_for(inbox, 2)
    assert services.send_reminders() == 0
    time.sleep(0.3)
    assert len(inbox.messages) == 2
    reminder = message_from_bytes(inbox.messages[1].as_bytes(), policy=email_policy.default)
    assert "Påminnelse" in reminder["Subject"] or "Reminder" in reminder["Subject"]
    calendar = _calendar_of(reminder)
    assert str(_event(calendar)["uid"]) == workshop.calendar_uid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reminder_the_mail_server_did_not_take_is_sent_by_the_next_run(
    smtp_server,  # noqa: F811
    settings,
):
    controller, inbox = smtp_server
    programme = factories.programme()
    operator = programme.memberships.get(role=Role.OPERATOR).user
    innovator = factories.member(programme, Role.INNOVATOR)
    workshop = _workshop(programme, operator, invited=[innovator], days=1)
    # A title stored with a line break before titles were checked still gets its e-mail,
    # with the subject on one line
    Workshop.objects.filter(pk=workshop.pk).update(title="Behovsinventering\nmed hemtjänsten")
    # The mail server is away: nothing is sent, nothing marked
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 5},
        }
    }
    assert services.send_reminders() == 0
    assert WorkshopInvitation.objects.get().reminded_for_day is None
    # The next run, the server answering, sends it, once
    _use_smtp(settings, controller)
    assert services.send_reminders() == 1
    _wait_for(inbox, 1)
    assert services.send_reminders() == 0
    assert len(inbox.messages) == 1
    reminder = message_from_bytes(inbox.messages[0].as_bytes(), policy=email_policy.default)
    assert "Behovsinventering med hemtjänsten" in reminder["Subject"]
    assert str(reminder["To"]) == innovator.email
    tomorrow = timezone.localtime(workshop.starts_at, STOCKHOLM).date()
    assert WorkshopInvitation.objects.get().reminded_for_day == tomorrow


# --- Who sees what ---


def test_members_see_the_workshops_they_are_invited_to_operators_all(client_as, programme, people):
    operator, innovator = people[Role.OPERATOR], people[Role.INNOVATOR]
    mine = _workshop(programme, operator, invited=[innovator], title="Min")
    other = _workshop(programme, operator, invited=[people[Role.NEEDS_OWNER]], title="Annan")
    listed = client_as(innovator).get(f"/workshops/programmes/{programme.pk}/").context["workshops"]
    assert list(listed) == [mine]
    listed = client_as(operator).get(f"/workshops/programmes/{programme.pk}/").context["workshops"]
    assert set(listed) == {mine, other}
    assert client_as(innovator).get(f"/workshops/{other.pk}/").status_code == 404
    assert client_as(innovator).get(f"/workshops/{mine.pk}/").status_code == 200
    assert client_as(innovator).get(f"/workshops/{mine.pk}/edit/").status_code == 403
    assert client_as(people["outsider"]).get(f"/workshops/{mine.pk}/").status_code == 404
    outside = client_as(people["outsider"]).get(f"/workshops/programmes/{programme.pk}/")
    assert outside.status_code == 404


def test_the_operator_creates_a_workshop_on_the_page(client_as, programme, people):
    operator, innovator = people[Role.OPERATOR], people[Role.INNOVATOR]
    tool = Tool.objects.get(key="pitch_training")
    client = client_as(operator)
    response = client.post(
        f"/workshops/programmes/{programme.pk}/new/",
        {
            "title": "Pitchträning",
            "starts_at": "2031-03-04T09:00",
            "ends_at": "2031-03-04T08:00",
            "place": "",
            "video_url": "",
            "tools": [tool.pk],
            "invited": [innovator.pk],
        },
    )
    assert response.status_code == 200
    assert "The workshop must end after it starts." in response.text
    assert not Workshop.objects.exists()
    response = client.post(
        f"/workshops/programmes/{programme.pk}/new/",
        {
            "title": "Pitchträning",
            "starts_at": "2031-03-04T09:00",
            "ends_at": "2031-03-04T12:00",
            "video_url": "https://meet.example.se/p",
            "tools": [tool.pk],
            "invited": [innovator.pk],
        },
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert list(workshop.tools.all()) == [tool]
    assert workshop.starts == "2031-03-04 09:00"
    page = client.get(f"/workshops/{workshop.pk}/")
    assert "Pitch training" in page.text


# --- The API ---


def test_the_api_lists_tools_by_phase_and_runs_a_workshop(client_as, programme, people):
    operator, innovator = people[Role.OPERATOR], people[Role.INNOVATOR]
    client = client_as(operator)
    tools = client.get(f"/api/programmes/{programme.pk}/tools?phase=3").json()
    assert {t["phases"].__contains__(3) for t in tools} == {True}
    created = client.post(
        f"/api/programmes/{programme.pk}/tools",
        {"name": "Egen", "purpose": "p", "phases": [2]},
        content_type="application/json",
    )
    assert created.status_code == 201
    bad = client.post(
        f"/api/programmes/{programme.pk}/workshops",
        {
            "title": "W",
            "starts_at": _at(3, 10).isoformat(),
            "ends_at": _at(3, 9).isoformat(),
            "place": "Rum 1",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422 and "ends_at" in bad.json()["errors"]
    made = client.post(
        f"/api/programmes/{programme.pk}/workshops",
        {
            "title": "W",
            "starts_at": _at(-1, 9).isoformat(),
            "ends_at": _at(-1, 11).isoformat(),
            "place": "Rum 1",
            "tool_ids": [created.json()["id"]],
            "invited_ids": [innovator.pk],
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    outsider = client.post(
        f"/api/workshops/{pk}/invitations",
        {"person_ids": [people["outsider"].pk]},
        content_type="application/json",
    )
    assert outsider.status_code == 422
    stranger = client.post(
        f"/api/workshops/{pk}/attendance",
        {"attended_ids": [people[Role.NEEDS_OWNER].pk]},
        content_type="application/json",
    )
    assert stranger.status_code == 422
    attended = client.post(
        f"/api/workshops/{pk}/attendance",
        {"attended_ids": [innovator.pk], "notes": "Anteckningar"},
        content_type="application/json",
    )
    assert attended.json()["invitations"] == [
        {"person_id": innovator.pk, "name": str(innovator), "attended": True}
    ]
    follow_up = client.post(
        f"/api/workshops/{pk}/follow-ups",
        {"text": "Boka nästa", "owner_id": innovator.pk},
        content_type="application/json",
    )
    assert follow_up.status_code == 201
    done = client_as(innovator).patch(
        f"/api/follow-ups/{follow_up.json()['id']}", {"done": True}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["done"]
    ics = client_as(innovator).get(f"/api/workshops/{pk}/calendar.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    assert client_as(people["outsider"]).get(f"/api/workshops/{pk}").status_code == 404
    assert (
        client_as(innovator)
        .patch(f"/api/workshops/{pk}", {"title": "Nej"}, content_type="application/json")
        .status_code
        == 403
    )


# --- Query counts ---


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_toolbox_and_workshop_list_queries_do_not_grow(client_as, programme, operator):
    client = client_as(operator)
    member = factories.member(programme, Role.INNOVATOR)
    services.create_tool(programme, by=operator, name="T0", purpose="p", phases=[1])
    _workshop(programme, operator, invited=[member])
    toolbox = f"/workshops/programmes/{programme.pk}/toolbox/"
    workshops = f"/workshops/programmes/{programme.pk}/"
    small = (_count(client, toolbox), _count(client, workshops))
    for n in range(10):
        services.create_tool(programme, by=operator, name=f"T{n + 1}", purpose="p", phases=[1, 2])
        _workshop(
            programme,
            operator,
            invited=[member, factories.member(programme, Role.OBSERVER)],
            days=n + 2,
        )
    large = (_count(client, toolbox), _count(client, workshops))
    assert small == large
    assert large[0] <= 8 and large[1] <= 8


def test_the_demo_adds_a_tool_a_past_and_an_upcoming_hybrid_workshop(programme, operator):
    from samskapa.core.demo_workshops import add_workshops
    from samskapa.core.notifications import suppressed

    for role in (Role.INNOVATOR, Role.NEEDS_OWNER, Role.STEERING_GROUP):
        factories.member(programme, role)
    with suppressed():
        add_workshops(programme, operator)
    assert mail.outbox == []
    past, upcoming = programme.workshops.order_by("starts_at")
    assert past.invitations.filter(attended=True).exists() and past.notes
    assert past.follow_ups.count() == 1
    assert upcoming.is_hybrid and upcoming.starts_at > timezone.now()
    assert programme.tools.count() == 1


def test_a_nul_character_is_refused_with_a_message(client_as, programme, operator):
    response = client_as(operator).post(
        f"/api/programmes/{programme.pk}/workshops",
        {
            "title": "Bad\x00",
            "starts_at": _at(3, 9).isoformat(),
            "ends_at": _at(3, 10).isoformat(),
            "place": "Rum",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "title" in response.json()["errors"]
    assert not Workshop.objects.exists()
