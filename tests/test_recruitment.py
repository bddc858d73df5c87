"""The recruitment lab (times, invitations with iCalendar e-mails, the applicant's answer) and
the funnel with gender balance (counts, suppression, snapshots), in pages, services and API."""

import time
from datetime import datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.calls import services as calls
from samskapa.calls.models import STOCKHOLM, Application
from samskapa.challenges.models import Challenge, ChallengeStatus
from samskapa.recruitment import funnel, services
from samskapa.recruitment.models import (
    FunnelSnapshot,
    InvitationStatus,
    LabInvitation,
    LabSlot,
)
from tests import factories
from tests.test_mail import Inbox, _free_port

pytestmark = pytest.mark.django_db

LAB_DAY = datetime(2030, 11, 5, tzinfo=STOCKHOLM)  # a winter day: Stockholm is UTC+1


@pytest.fixture
def call(programme, operator, people):
    department = programme.memberships.get(
        user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER
    ).department
    programme.needs_owners.add(department)
    challenge = Challenge.objects.create(
        programme=programme,
        department=department,
        title="Ensamhet",
        need="n",
        target_group="t",
        desired_effects="d",
        status=ChallengeStatus.PUBLISHED,
    )
    now = timezone.now()
    return calls.create_call(
        programme,
        by=operator,
        title="Utlysning & labb",
        eligibility="Alla",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        challenges=[challenge],
    )


def _apply(call, name="Anna Andersson", gender="woman", innovator_type="entrepreneur"):
    applicant = factories.person(full_name=name)
    draft = calls.save_draft(
        calls.application_for(call, applicant),
        by=applicant,
        answers={},
        innovator_type=innovator_type,
        gender=gender,
    )
    return calls.submit_application(draft, by=applicant)


def _shortlisted(call, operator, name="Anna Andersson", **profile):
    return calls.set_shortlisted(_apply(call, name, **profile), by=operator, shortlisted=True)


def _slot(call, operator, hour=9, **fields):
    values = {
        "starts_at": LAB_DAY.replace(hour=hour),
        "ends_at": LAB_DAY.replace(hour=hour + 3),
        "place": "Stadshuset, sal Forsen",
        "capacity": 3,
    }
    values.update(fields)
    return services.add_slot(call, by=operator, **values)


def _calendar(message) -> Calendar:
    """The .ics attached to a sent e-mail, parsed back with icalendar."""
    parsed = message_from_bytes(message.message().as_bytes(), policy=email_policy.default)
    return _calendar_of(parsed)


def _calendar_of(parsed) -> Calendar:
    parts = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in parsed.walk()]
    part = parts[0]
    assert part.get_content_disposition() == "attachment"
    payload = part.get_payload(decode=True)
    assert payload.startswith(b"BEGIN:VCALENDAR\r\n")  # RFC 5545's line ends survive the mail
    calendar = Calendar.from_ical(payload)
    assert part.get_param("method") == str(calendar["method"])
    return calendar


def _event(calendar):
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


# --- Times ---


def test_a_time_is_entered_and_shown_in_stockholm_time(client_as, call, operator):
    client = client_as(operator)
    response = client.post(
        f"/recruitment/calls/{call.pk}/lab/",
        {
            "starts_at": "2030-11-05T09:00",
            "ends_at": "2030-11-05T12:00",
            "place": "Stadshuset",
            "capacity": "4",
        },
    )
    assert response.status_code == 302
    slot = LabSlot.objects.get(call=call)
    assert slot.starts_at == datetime(2030, 11, 5, 8, tzinfo=timezone.UTC)  # CET = UTC+1
    page = client.get(f"/recruitment/calls/{call.pk}/lab/").content.decode()
    assert "2030-11-05 09:00–12:00" in page
    edit = client.get(f"/recruitment/slots/{slot.pk}/edit/").content.decode()
    assert 'value="2030-11-05T09:00"' in edit
    assert AuditEntry.objects.filter(action="recruitment.slot.added").count() == 1


def test_a_time_needs_a_place_or_link_and_to_end_after_it_starts(client_as, call, operator):
    with pytest.raises(ValidationError) as error:
        services.add_slot(
            call,
            by=operator,
            starts_at=LAB_DAY.replace(hour=12),
            ends_at=LAB_DAY.replace(hour=9),
            capacity=0,
        )
    messages = " ".join(error.value.messages)
    assert "The time must end after it starts." in messages
    assert "Give a place, a video link or both." in messages
    assert "capacity" in error.value.message_dict
    response = client_as(operator).post(
        f"/recruitment/calls/{call.pk}/lab/",
        {"starts_at": "2030-11-05T12:00", "ends_at": "2030-11-05T09:00", "capacity": "2"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The time must end after it starts." in page
    assert "Give a place, a video link or both." in page
    assert not LabSlot.objects.exists()


def test_only_operators_set_out_times(call, people):
    for role in (Role.STEERING_GROUP, Role.NEEDS_OWNER, Role.REVIEWER):
        with pytest.raises(PermissionDenied):
            _slot(call, people[role])


# --- Invitations and their e-mails ---


def test_inviting_emails_a_calendar_request(call, operator, django_capture_on_commit_callbacks):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator, note="Ta med en pitch.", video_url="https://meet.example.se/x")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(application, slot, by=operator)
    assert [m.to for m in mail.outbox] == [[application.applicant.email]]
    message = mail.outbox[0]
    assert "Utlysning & labb" in message.subject  # no HTML escaping in a plain-text e-mail
    assert "2030-11-05 09:00–12:00" in message.body
    assert f"/calls/applications/{application.pk}/" in message.body
    calendar = _calendar(message)
    assert str(calendar["method"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["uid"]) == invitation.calendar_uid
    assert event.decoded("sequence") == 0
    assert event.decoded("dtstart") == slot.starts_at
    assert event["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert event.decoded("dtend") == slot.ends_at
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    assert str(event["location"]) == "Stadshuset, sal Forsen"
    assert str(event["url"]) == "https://meet.example.se/x"
    assert "Ta med en pitch." in str(event["description"])
    assert str(event["organizer"]).startswith("mailto:")
    attendee = event["attendee"]
    assert str(attendee) == f"mailto:{application.applicant.email}"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert AuditEntry.objects.filter(
        action="recruitment.invitation.sent", object_id=str(invitation.pk)
    ).exists()
    assert FunnelSnapshot.objects.filter(call=call).latest("taken_at", "pk").reason == "invited"


def test_moving_resends_the_same_event_with_a_higher_sequence(
    call, operator, django_capture_on_commit_callbacks
):
    application = _shortlisted(call, operator)
    morning, afternoon = _slot(call, operator, 9), _slot(call, operator, 13)
    invitation = services.invite(application, morning, by=operator)
    services.respond(invitation, by=application.applicant, answer="accept")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.move(invitation, afternoon, by=operator)
    assert moved.status == InvitationStatus.INVITED  # a new time asks for a new answer
    assert moved.sequence == 1
    event = _event(_calendar(mail.outbox[0]))
    assert str(event["uid"]) == invitation.calendar_uid
    assert event.decoded("sequence") == 1
    assert event.decoded("dtstart") == afternoon.starts_at
    assert mail.outbox[0].subject.startswith("Changed")
    with pytest.raises(ValidationError, match="already for this time"):
        services.move(moved, afternoon, by=operator)
    assert AuditEntry.objects.filter(action="recruitment.invitation.moved").count() == 1


def test_cancelling_sends_a_calendar_cancel_and_inviting_again_continues_the_sequence(
    call, operator, django_capture_on_commit_callbacks
):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator)
    invitation = services.invite(application, slot, by=operator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(invitation, by=operator)
    calendar = _calendar(mail.outbox[0])
    assert str(calendar["method"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["uid"]) == invitation.calendar_uid
    assert event.decoded("sequence") == 1
    assert str(event["status"]) == "CANCELLED"
    assert mail.outbox[0].subject.startswith("Cancelled")
    reasons = FunnelSnapshot.objects.filter(call=call).order_by("pk").values_list("reason")
    assert [reason for (reason,) in reasons][-2:] == ["invited", "invitation_cancelled"]
    with pytest.raises(ValidationError, match="already cancelled"):
        services.cancel(invitation, by=operator)
    with pytest.raises(ValidationError, match="cancelled by the organisers"):
        services.respond(invitation, by=application.applicant, answer="accept")

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite(application, slot, by=operator)
    assert again.pk == invitation.pk
    event = _event(_calendar(mail.outbox[0]))
    assert str(event["uid"]) == invitation.calendar_uid and event.decoded("sequence") == 2


def test_changing_a_time_updates_the_invited_and_asks_them_again(
    call, operator, django_capture_on_commit_callbacks
):
    slot = _slot(call, operator)
    accepted = services.invite(_shortlisted(call, operator, "Ada"), slot, by=operator)
    services.respond(accepted, by=accepted.application.applicant, answer="accept")
    declined = services.invite(_shortlisted(call, operator, "Bo"), slot, by=operator)
    services.respond(declined, by=declined.application.applicant, answer="decline")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_slot(
            slot,
            by=operator,
            starts_at=LAB_DAY.replace(hour=10),
            ends_at=LAB_DAY.replace(hour=13),
            place=slot.place,
            capacity=3,
        )
    accepted.refresh_from_db()
    declined.refresh_from_db()
    assert (accepted.status, accepted.sequence) == (InvitationStatus.INVITED, 1)
    assert (declined.status, declined.sequence) == (InvitationStatus.DECLINED, 1)
    assert [m.to for m in mail.outbox] == [[accepted.application.applicant.email]]
    assert _event(_calendar(mail.outbox[0])).decoded("dtstart") == LAB_DAY.replace(hour=10)
    # The capacity cannot drop below the places taken (a declined one holds none).
    services.respond(accepted, by=accepted.application.applicant, answer="accept")
    services.invite(_shortlisted(call, operator, "Cy"), slot, by=operator)
    with pytest.raises(ValidationError, match="2 invited applicants hold a place"):
        services.update_slot(slot, by=operator, capacity=1)
    slot.refresh_from_db()
    assert slot.capacity == 3


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": controller.hostname, "port": controller.port, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_invitation_reaches_a_real_smtp_server_with_its_calendar(call, operator, smtp_inbox):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator)
    invitation = services.invite(application, slot, by=operator)

    def invitations():
        parsed = [
            message_from_bytes(m.as_bytes(), policy=email_policy.default)
            for m in smtp_inbox.messages
        ]
        return [m for m in parsed if m["Subject"].startswith("Invitation")]

    deadline = time.monotonic() + 5
    while not invitations() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(invitations()) == 1  # (the application's confirmation came before it)
    received = invitations()[0]
    assert received["To"] == application.applicant.email
    event = _event(_calendar_of(received))
    assert str(event["uid"]) == invitation.calendar_uid
    assert event.decoded("dtstart") == slot.starts_at


# --- Capacity, and who can be invited ---


def test_a_full_time_refuses_more_invitations_and_stores_nothing(call, operator):
    slot = _slot(call, operator, capacity=1)
    first = services.invite(_shortlisted(call, operator, "Ada"), slot, by=operator)
    second = _shortlisted(call, operator, "Bo")
    snapshots = FunnelSnapshot.objects.count()
    with pytest.raises(ValidationError, match=r"is full \(1 place\)"):
        services.invite(second, slot, by=operator)
    assert not LabInvitation.objects.filter(application=second).exists()
    assert FunnelSnapshot.objects.count() == snapshots
    # Declining frees the place; accepting again afterwards needs a free place.
    services.respond(first, by=first.application.applicant, answer="decline")
    services.invite(second, slot, by=operator)
    with pytest.raises(ValidationError, match="filled since you declined"):
        services.respond(first, by=first.application.applicant, answer="accept")
    # Moving needs a free place too.
    other = _slot(call, operator, 13, capacity=1)
    services.move(first, other, by=operator)
    with pytest.raises(ValidationError, match="is full"):
        services.move(LabInvitation.objects.get(application=second), other, by=operator)
    assert LabInvitation.objects.get(application=second).slot == slot


def test_only_shortlisted_submitted_applications_of_the_call_are_invited(
    call, operator, programme, people
):
    slot = _slot(call, operator)
    with pytest.raises(ValidationError, match="Only shortlisted"):
        services.invite(_apply(call, "Ej kortlistad"), slot, by=operator)
    applicant = factories.person()
    draft = calls.save_draft(calls.application_for(call, applicant), by=applicant, answers={})
    with pytest.raises(ValidationError, match="Only shortlisted"):
        services.invite(draft, slot, by=operator)
    shortlisted = _shortlisted(call, operator, "Kortlistad")
    other_call = calls.create_call(
        programme,
        by=operator,
        title="Annan utlysning",
        eligibility="Alla",
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        challenges=list(call.challenges.all()),
    )
    with pytest.raises(ValidationError, match="times of this call's lab"):
        services.invite(shortlisted, _slot(other_call, operator), by=operator)
    with pytest.raises(PermissionDenied):
        services.invite(shortlisted, slot, by=people[Role.STEERING_GROUP])
    services.invite(shortlisted, slot, by=operator)
    with pytest.raises(ValidationError, match="already invited"):
        services.invite(shortlisted, slot, by=operator)
    assert LabInvitation.objects.count() == 1


def test_a_time_with_invitations_cannot_be_removed(client_as, call, operator):
    slot = _slot(call, operator)
    invitation = services.invite(_shortlisted(call, operator), slot, by=operator)
    client = client_as(operator)
    response = client.post(f"/recruitment/slots/{slot.pk}/remove/", follow=True)
    assert "1 invitation is to this time" in response.content.decode()
    assert LabSlot.objects.filter(pk=slot.pk).exists()
    services.cancel(invitation, by=operator)
    client.post(f"/recruitment/slots/{slot.pk}/remove/")
    assert not LabSlot.objects.filter(pk=slot.pk).exists()
    invitation.refresh_from_db()
    assert invitation.slot is None and invitation.status == InvitationStatus.CANCELLED
    assert AuditEntry.objects.filter(action="recruitment.slot.removed").exists()


# --- The applicant ---


def test_the_applicant_sees_accepts_declines_and_downloads_the_invitation(
    client_as, call, operator, people
):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator, video_url="https://meet.example.se/labb")
    invitation = services.invite(application, slot, by=operator)
    applicant = application.applicant
    client = client_as(applicant)
    page = client.get(f"/calls/applications/{application.pk}/").content.decode()
    assert "Recruitment lab" in page and "2030-11-05 09:00–12:00" in page
    assert "https://meet.example.se/labb" in page and "Accept the invitation" in page

    response = client.post(
        f"/recruitment/invitations/{invitation.pk}/respond/", {"answer": "accept"}
    )
    assert response["Location"] == f"/calls/applications/{application.pk}/"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.responded_at
    assert AuditEntry.objects.filter(action="recruitment.invitation.accepted").exists()
    client.post(f"/recruitment/invitations/{invitation.pk}/respond/", {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    response = client.post(
        f"/recruitment/invitations/{invitation.pk}/respond/", {"answer": "maybe"}, follow=True
    )
    assert "Answer accept or decline." in response.content.decode()

    download = client.get(f"/recruitment/invitations/{invitation.pk}/invitation.ics")
    assert download["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(download.content)
    assert str(calendar["method"]) == "PUBLISH"
    event = _event(calendar)
    assert str(event["uid"]) == invitation.calendar_uid
    assert event["attendee"].params["PARTSTAT"] == "DECLINED"

    # Nobody else answers for them; only they and the operators see it.
    assert (
        client_as(operator)
        .post(f"/recruitment/invitations/{invitation.pk}/respond/", {"answer": "accept"})
        .status_code
        == 403
    )
    other = client_as(people[Role.NEEDS_OWNER])
    assert (
        other.post(
            f"/recruitment/invitations/{invitation.pk}/respond/", {"answer": "accept"}
        ).status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.respond(invitation, by=people[Role.INNOVATOR], answer="accept")


def test_a_started_time_can_no_longer_be_answered(call, operator):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator)
    invitation = services.invite(application, slot, by=operator)
    now = timezone.now()  # the time comes: it began an hour ago
    LabSlot.objects.filter(pk=slot.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="has begun"):
        services.respond(invitation, by=application.applicant, answer="accept")


def test_a_time_that_has_begun_takes_no_invitations_nor_moves(client_as, call, operator):
    application, other = _shortlisted(call, operator), _shortlisted(call, operator, "Bo Berg")
    later = _slot(call, operator, 13)
    now = timezone.now()
    begun = _slot(
        call, operator, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="already begun: choose a later one"):
        services.invite(application, begun, by=operator)
    assert not LabInvitation.objects.exists()
    invitation = services.invite(other, later, by=operator)
    with pytest.raises(ValidationError, match="already begun"):
        services.move(invitation, begun, by=operator)
    invitation.refresh_from_db()
    assert invitation.slot == later and invitation.sequence == 0
    response = client_as(operator).post(
        f"/recruitment/applications/{application.pk}/invite/", {"slot": begun.pk}, follow=True
    )
    assert "has already begun" in response.content.decode()
    api = client_as(operator).post(
        f"/api/calls/{call.pk}/lab-invitations",
        {"application_id": application.pk, "slot_id": begun.pk},
        content_type="application/json",
    )
    assert api.status_code == 422 and "already begun" in str(api.json()["errors"])
    assert LabInvitation.objects.count() == 1


# --- The review summary links to the lab ---


def test_the_review_summary_invites_and_links_to_the_lab_and_funnel(client_as, call, operator):
    application = _shortlisted(call, operator)
    slot = _slot(call, operator)
    client = client_as(operator)
    page = client.get(f"/calls/{call.pk}/reviews/").content.decode()
    assert f"/recruitment/calls/{call.pk}/lab/" in page
    assert f"/recruitment/calls/{call.pk}/funnel/" in page
    assert f"/recruitment/applications/{application.pk}/invite/" in page
    response = client.post(
        f"/recruitment/applications/{application.pk}/invite/",
        {"slot": slot.pk, "next": "reviews"},
    )
    assert response["Location"] == f"/calls/{call.pk}/reviews/"
    assert LabInvitation.objects.get(application=application).slot == slot
    page = client.get(f"/calls/{call.pk}/reviews/").content.decode()
    assert "Invited" in page and str(slot) in page
    response = client.post(
        f"/recruitment/applications/{application.pk}/invite/",
        {"slot": slot.pk, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == f"/recruitment/calls/{call.pk}/lab/"


# --- The funnel ---


def _funnel_call(call, operator):
    """Nine applications: 7 women, 2 men; 6 shortlisted (5 women, 1 man); 4 invited (3 women,
    1 man, one more cancelled); 2 selected (both women)."""
    people = [
        ("W1", "woman", "entrepreneur"),
        ("W2", "woman", "entrepreneur"),
        ("W3", "woman", "researcher"),
        ("W4", "woman", "student"),
        ("W5", "woman", "entrepreneur"),
        ("W6", "woman", "organisation"),
        ("W7", "woman", "entrepreneur"),
        ("M1", "man", "entrepreneur"),
        ("M2", "man", "student"),
    ]
    applications = {
        name: _apply(call, name, gender=gender, innovator_type=kind)
        for name, gender, kind in people
    }
    for name in ("W1", "W2", "W3", "W4", "W5", "M1"):
        calls.set_shortlisted(applications[name], by=operator, shortlisted=True)
    slot = _slot(call, operator, capacity=10)
    for name in ("W1", "W2", "W3", "M1", "W4"):
        invitation = services.invite(applications[name], slot, by=operator)
    services.cancel(invitation, by=operator)  # W4's
    for name in ("W1", "W2"):
        calls.decide(applications[name], by=operator, decision="selected", rationale="Bra.")
    return applications


def test_funnel_counts_each_stage_by_gender_and_innovator_type(call, operator):
    _funnel_call(call, operator)
    figures = funnel.compute(call)
    base = ["applied", "shortlisted", "invited", "selected"]
    assert figures["stages"][:4] == base  # then "matched", once the matching engine is there

    def at(counts):
        return {stage: counts[stage] for stage in base}

    assert at(figures["totals"]) == {"applied": 9, "shortlisted": 6, "invited": 4, "selected": 2}
    assert at(figures["gender"]["woman"]) == {
        "applied": 7,
        "shortlisted": 5,
        "invited": 3,
        "selected": 2,
    }
    assert at(figures["gender"]["man"]) == {
        "applied": 2,
        "shortlisted": 1,
        "invited": 1,
        "selected": 0,
    }
    assert at(figures["gender"][""]) == dict.fromkeys(base, 0)
    assert figures["innovator_type"]["entrepreneur"]["applied"] == 5
    shown = funnel.present(figures, exact=True)
    women = shown["tables"][0]["rows"][0]
    assert women["label"] == "Woman"
    assert [(c.count, c.share) for c in women["cells"][:4]] == [
        (7, 77.8),
        (5, 83.3),
        (3, 75.0),
        (2, 100.0),
    ]


def test_the_matched_stage_is_shown_only_once_something_provides_it(call, operator):
    from django.db.models import Q

    applications = _funnel_call(call, operator)
    provided = funnel._matched_condition  # the matching engine's, if installed
    try:
        funnel._matched_condition = None
        assert "matched" not in funnel.compute(call)["stages"]
        funnel.provide_matched_stage(lambda: Q(pk=applications["W1"].pk))
        figures = funnel.compute(call)
    finally:
        funnel._matched_condition = provided
    assert figures["stages"][-1] == "matched" and figures["totals"]["matched"] == 1
    assert figures["gender"]["woman"]["matched"] == 1


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # One small group: the smallest other non-empty group is hidden with it.
        ([7, 2, 0, 0, 0], ["hidden", "fewer_than_5", "exact", "exact", "exact"]),
        # Two small groups that cannot be told apart protect each other.
        ([8, 3, 2, 0, 0], ["exact", "fewer_than_5", "fewer_than_5", "exact", "exact"]),
        # 1 + 1 = 2 gives both away: a large group is hidden as well.
        ([9, 1, 1, 0, 0], ["hidden", "fewer_than_5", "fewer_than_5", "exact", "exact"]),
        # Hiding the 5 alone would leave 2 = 7 − 5 (the reader knows it is at most the 5
        # shown): both groups of five are hidden.
        ([5, 2, 5, 0, 0], ["hidden", "fewer_than_5", "hidden", "exact", "exact"]),
        ([10, 6, 0, 0, 0], ["exact", "exact", "exact", "exact", "exact"]),
    ],
)
def test_secondary_suppression_keeps_small_groups_from_being_worked_out(values, expected):
    assert funnel.suppress(values) == expected


def test_a_table_that_cannot_be_protected_shows_the_total_only():
    # 6 = 5 + 1: even with the 5 hidden, the 1 follows (hidden groups hold at least 5).
    assert funnel.suppress([5, 1, 0, 0, 0]) is None
    figures = {
        "stages": ["applied"],
        "totals": {"applied": 6},
        "gender": {"woman": {"applied": 5}, "man": {"applied": 1}},
        "innovator_type": {"entrepreneur": {"applied": 6}},
    }
    shown = funnel.present(figures, exact=False)
    assert shown["totals"][0].shown == "exact" and shown["totals"][0].count == 6
    gender, kinds = shown["tables"]
    assert {row["cells"][0].shown for row in gender["rows"]} == {"hidden"}
    # The other table is a marginal of its own: any one fits any gender table of the total.
    assert kinds["rows"][0]["cells"][0].count == 6
    assert funnel.present(figures, exact=True)["tables"][0]["rows"][1]["cells"][0].count == 1


# The reviewer's cases: the rule's own choice (which group to hide, ties to the first) told
# the small groups apart. Each now shows the total only.
@pytest.mark.parametrize(
    "values",
    [
        [6, 5, 2, 0, 0],  # women 6, men hidden, other < 5: only other = 2 fits the rule
        [6, 1, 1, 0, 0],  # women hidden, two < 5: only (6, 1, 1) gives that
        [100, 99, 4, 0, 0],  # the same at any size: 1–3 would make the 99 the larger
        [1, 1, 1, 1, 1],  # five of one each: no display of 5 protects it but the total
    ],
)
def test_displays_the_rule_would_give_away_fall_back_to_the_total(values):
    states = funnel.suppress(values)
    assert states is None or not funnel._display_is_safe(funnel._display(values, states))
    assert funnel.protect(values) == ["hidden"] * len(values)


def _every_display(groups, total):
    """Every vector of `total` over `groups` groups, by what a reader of the funnel sees: the
    gender table's five groups through as_json (the one presentation of pages, API and
    snapshots alike), smaller tables through `protect` as `present` applies it."""
    seen = {}
    for values in funnel._vectors(groups, total):
        if groups == len(funnel._GROUPS["gender"]):
            figures = {
                "stages": ["applied"],
                "totals": {"applied": total},
                "gender": {
                    value: {"applied": n}
                    for (value, _label), n in zip(funnel._GROUPS["gender"], values, strict=True)
                },
                "innovator_type": {},
            }
            shown = funnel.as_json(figures, exact=False)
            total_cell = shown["totals"][0]
            cells = [row["cells"][0] for row in shown["tables"][0]["rows"]]
            display = (
                (total_cell["shown"], total_cell["count"]),
                *((cell["shown"], cell["count"]) for cell in cells),
            )
        elif total == 0:
            display = (("exact", 0), *(("exact", 0),) * groups)
        elif total < funnel.SMALL_GROUP:
            display = (("fewer_than_5", None), *(("hidden", None),) * groups)
        else:
            states = funnel.protect(list(values))
            display = (
                ("exact", total),
                *(
                    (state, n if state == "exact" else None)
                    for state, n in zip(states, values, strict=True)
                ),
            )
        seen.setdefault(display, []).append(values)
    return seen


@pytest.mark.parametrize("groups", [2, 3, 4, 5])
def test_no_small_group_is_ever_worked_out_from_a_display_and_the_rule(groups):
    """Brute force: for every vector with totals up to 14 (and the totals 1–4 together, which
    show "fewer than 5"), all vectors shown the same way give each group not shown exactly at
    least two values — so a reader who knows the rule, ties and fall-backs included, can never
    pin a group down."""
    displays = {}
    for total in range(15):
        for display, vectors in _every_display(groups, total).items():
            displays.setdefault(display, []).extend(vectors)
    leaks = [
        (display, vectors)
        for display, vectors in displays.items()
        for i, (state, _count) in enumerate(display[1:])
        if state != "exact" and len({values[i] for values in vectors}) < 2
    ]
    assert not leaks, leaks[:3]
    # Pages, API and snapshots share that presentation (as_json is present's).
    assert funnel.as_json.__code__.co_names.count("present") == 1


@pytest.mark.parametrize("groups", [5, 6])
def test_the_fallback_is_proven_safe_without_enumerating_at_call_sized_totals(groups):
    # A vector with an empty group that falls back is found among a few shapes, so a page with
    # hundreds of applicants neither enumerates every vector nor loses its breakdowns.
    for total in range(6, 400):
        assert any(funnel._is_unsafe(values) for values in funnel._witnesses(groups, total))
        assert funnel._fallback_is_safe(groups, total)
    assert not funnel._fallback_is_safe(5, 5)  # 1 + 1 + 1 + 1 + 1: every vector of 5
    assert funnel.protect([3, 2, 0, 0, 0]) == ["hidden"] * 5


def test_a_stage_under_five_shows_no_groups():
    figures = {
        "stages": ["selected"],
        "totals": {"selected": 3},
        "gender": {"woman": {"selected": 3}},
        "innovator_type": {"student": {"selected": 3}},
    }
    shown = funnel.present(figures, exact=False)
    assert shown["totals"][0].shown == "fewer_than_5"
    for table in shown["tables"]:
        assert {row["cells"][0].shown for row in table["rows"]} == {"hidden"}


def test_the_funnel_page_is_exact_for_operators_suppressed_for_the_steering_group(
    client_as, call, operator, people
):
    _funnel_call(call, operator)
    url = f"/recruitment/calls/{call.pk}/funnel/"
    exact = client_as(operator).get(url).content.decode()
    assert "77.8 %" in exact and "fewer than 5" not in exact.split("<h2>")[1]
    for role in (Role.STEERING_GROUP, Role.NEEDS_OWNER):
        page = client_as(people[role]).get(url).content.decode()
        now = page.split("<h2>Now</h2>")[1].split("<h2>")[0]
        assert "fewer than 5" in now and "hidden" in now
        assert "groups of 1 to 4 people are shown" in page and "the total only" in page
        # Men: 2 applied — never shown as a number or a share to them.
        man_row = now.split('<th scope="row">Man</th>')[1].split("</tr>")[0]
        assert "2" not in man_row and "%" not in man_row
    for role in (Role.INNOVATOR, Role.REVIEWER, Role.OBSERVER, "outsider"):
        assert client_as(people[role]).get(url).status_code == 403


def test_snapshots_keep_the_figures_of_their_moment(client_as, call, operator, people):
    applications = _funnel_call(call, operator)
    before = FunnelSnapshot.objects.filter(call=call).latest("taken_at", "pk")
    stored = before.figures
    # Later, an applicant's profile changes (here directly, as any later edit would).
    Application.objects.filter(pk=applications["M1"].pk).update(gender="woman")
    assert funnel.compute(call)["gender"]["man"]["applied"] == 1
    before.refresh_from_db()
    assert before.figures == stored and stored["gender"]["man"]["applied"] == 2
    page = client_as(operator).get(f"/recruitment/calls/{call.pk}/funnel/").content.decode()
    now, history = page.split("<h2>At each decision</h2>")
    man_now = now.split('<th scope="row">Man</th>')[1].split("</tr>")[0]
    man_then = history.split('<th scope="row">Man</th>')[1].split("</tr>")[0]
    assert man_now.startswith("<td>1 ") and man_then.startswith("<td>2 ")
    assert "Lab invitation cancelled" in history


def test_snapshot_reasons_are_checked(call, operator):
    with pytest.raises(ValueError, match="Unknown funnel snapshot reason"):
        services.snapshot_funnel(call, reason="whim", by=operator)
    snapshot = services.snapshot_funnel(call, reason="decision", by=operator)
    assert snapshot.figures["totals"]["applied"] == 0


# --- The API ---


def test_api_operator_sets_out_times_and_invites(client_as, call, operator):
    application = _shortlisted(call, operator)
    other = _apply(call, "Inte kortlistad")
    client = client_as(operator)
    response = client.post(
        f"/api/calls/{call.pk}/lab-slots",
        {"starts_at": "2030-11-05T09:00:00", "ends_at": "2030-11-05T12:00:00", "place": "Sal 1"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    slot = response.json()
    assert slot["starts_at"].startswith("2030-11-05T08:00:00") or "+01:00" in slot["starts_at"]
    assert LabSlot.objects.get(pk=slot["id"]).starts_at == LAB_DAY.replace(hour=9)
    bad = client.post(
        f"/api/calls/{call.pk}/lab-slots",
        {"starts_at": "2030-11-05T12:00:00", "ends_at": "2030-11-05T09:00:00"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and LabSlot.objects.count() == 1
    refused = client.post(
        f"/api/calls/{call.pk}/lab-invitations",
        {"application_id": other.pk, "slot_id": slot["id"]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "Only shortlisted" in str(refused.json()["errors"])
    invited = client.post(
        f"/api/calls/{call.pk}/lab-invitations",
        {"application_id": application.pk, "slot_id": slot["id"]},
        content_type="application/json",
    )
    assert invited.status_code == 201
    assert invited.json()["status"] == "invited" and invited.json()["sequence"] == 0
    slots = client.get(f"/api/calls/{call.pk}/lab-slots").json()
    assert slots[0]["places_taken"] == 1
    listed = client.get(f"/api/calls/{call.pk}/lab-invitations").json()
    assert [item["application_id"] for item in listed] == [application.pk]
    cancelled = client.post(f"/api/lab-invitations/{invited.json()['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 1


def test_api_applicant_answers_their_invitation(client_as, call, operator, people):
    application = _shortlisted(call, operator)
    invitation = services.invite(application, _slot(call, operator), by=operator)
    client = client_as(application.applicant)
    mine = client.get("/api/lab-invitations/mine").json()
    assert [item["id"] for item in mine] == [invitation.pk]
    assert mine[0]["place"] == "Stadshuset, sal Forsen" and mine[0]["call_id"] == call.pk
    url = f"/api/lab-invitations/{invitation.pk}/response"
    answer = client.post(url, {"answer": "accept"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    wrong = client.post(url, {"answer": "perhaps"}, content_type="application/json")
    assert wrong.status_code == 422
    assert (
        client_as(operator)
        .post(url, {"answer": "decline"}, content_type="application/json")
        .status_code
        == 403
    )
    stranger = client_as(people[Role.OBSERVER])
    assert (
        stranger.post(url, {"answer": "decline"}, content_type="application/json").status_code
        == 404
    )
    assert stranger.get("/api/lab-invitations/mine").json() == []


def test_api_funnel_has_the_pages_suppression(client_as, call, operator, people):
    _funnel_call(call, operator)
    exact = client_as(operator).get(f"/api/calls/{call.pk}/funnel").json()
    assert exact["exact"] is True
    men = exact["tables"][0]["rows"][1]
    assert men["code"] == "man" and men["cells"][0] == {
        "stage": "applied",
        "shown": "exact",
        "count": 2,
        "share": 22.2,
    }
    suppressed = client_as(people[Role.STEERING_GROUP]).get(f"/api/calls/{call.pk}/funnel").json()
    assert suppressed["exact"] is False
    men = suppressed["tables"][0]["rows"][1]
    assert men["cells"][0] == {
        "stage": "applied",
        "shown": "fewer_than_5",
        "count": None,
        "share": None,
    }
    women = suppressed["tables"][0]["rows"][0]
    assert women["cells"][0]["shown"] == "hidden"  # else 9 − 7 would give the men away
    snapshots = client_as(people[Role.NEEDS_OWNER]).get(f"/api/calls/{call.pk}/funnel/snapshots")
    items = snapshots.json()["items"]
    assert items and all(item["funnel"]["exact"] is False for item in items)
    assert client_as(people[Role.OBSERVER]).get(f"/api/calls/{call.pk}/funnel").status_code == 403


# --- Queries ---


def test_lab_and_funnel_pages_do_not_grow_with_applications(client_as, call, operator):
    slot = _slot(call, operator, capacity=50)
    _slot(call, operator, 13, capacity=50)
    client = client_as(operator)

    def add(n, prefix):
        for i in range(n):
            application = _shortlisted(call, operator, f"{prefix}{i}", gender="man")
            if i % 2:
                services.invite(application, slot, by=operator)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [
        f"/recruitment/calls/{call.pk}/lab/",
        f"/recruitment/calls/{call.pk}/funnel/",
        f"/calls/{call.pk}/reviews/",
        f"/api/calls/{call.pk}/funnel",
    ]
    add(3, "A")
    few = [count(url) for url in urls]
    add(25, "B")
    assert [count(url) for url in urls] == few
    # Session, user, roles, second factor, the call; then the page's own: lab 3, funnel 3.
    assert few[0] <= 8 and few[1] <= 8 and few[3] <= 6, few


# --- The demo hook ---


def test_the_demo_lab_invites_the_shortlisted(call, operator):
    from samskapa.core.demo_lab import add_lab

    for i in range(4):
        _shortlisted(call, operator, f"Demo {i}")
    _apply(call, "Inte kortlistad")
    slots = add_lab(call, operator)
    assert len(slots) == 2 and slots[0].starts_at.astimezone(STOCKHOLM).hour == 9
    assert slots[0].starts_at > timezone.now()  # the invited can still answer
    assert [slot.invitations.count() for slot in slots] == [3, 1]


def test_the_links_tag_offers_each_role_what_it_may_open(rf, call, operator, people):
    from django.template import Context, Template

    template = Template("{% load recruitment %}{% recruitment_links call %}")

    def links(user):
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "call": call}))

    assert "/lab/" in links(operator) and "/funnel/" in links(operator)
    steering = links(people[Role.STEERING_GROUP])
    assert "/lab/" not in steering and "/funnel/" in steering
    assert links(people[Role.OBSERVER]).strip() == ""


def test_a_snapshot_group_no_longer_offered_counts_as_not_stated():
    figures = {
        "stages": ["applied"],
        "totals": {"applied": 12},
        "gender": {"woman": {"applied": 9}, "retired-choice": {"applied": 3}},
        "innovator_type": {"student": {"applied": 12}},
    }
    rows = funnel.present(figures, exact=True)["tables"][0]["rows"]
    assert {row["code"]: row["cells"][0].count for row in rows}["not_stated"] == 3
    rows = funnel.present(figures, exact=False)["tables"][0]["rows"]
    assert {row["code"]: row["cells"][0].shown for row in rows}["not_stated"] == "fewer_than_5"


def test_the_calls_page_leads_its_viewers_to_the_funnel(client_as, call, operator, people):
    url = f"/calls/{call.pk}/"
    funnel = f'href="/recruitment/calls/{call.pk}/funnel/"'
    lab = f'href="/recruitment/calls/{call.pk}/lab/"'
    operator_page = client_as(operator).get(url).content.decode()
    assert funnel in operator_page and lab in operator_page
    steering_page = client_as(people[Role.STEERING_GROUP]).get(url).content.decode()
    assert funnel in steering_page and lab not in steering_page
    innovator_page = client_as(people[Role.INNOVATOR]).get(url).content.decode()
    assert funnel not in innovator_page


# --- Reviewed defects: lock order, begun times, offering again, attention, API lookups ---


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("step", ["respond", "move"])
def test_changing_a_time_and_answering_or_moving_at_once_do_not_deadlock(call, operator, step):
    """update_slot locks the slot, then its invitations. respond (accepting after declining)
    and move used to lock the invitation first and then the slot: run at the same moment,
    PostgreSQL found a deadlock. Here a transaction holds the slot and then takes the invitation
    while the other step runs."""
    import threading

    from django.db import connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    application = _shortlisted(call, operator)
    slot, other = _slot(call, operator, 9), _slot(call, operator, 13)
    invitation = services.invite(application, slot, by=operator)
    services.respond(invitation, by=application.applicant, answer="decline")
    held = slot if step == "respond" else other  # the slot the step needs
    holding, errors = threading.Event(), []

    def operator_changes_the_time():
        try:
            with transaction.atomic():
                LabSlot.objects.select_for_update().get(pk=held.pk)
                holding.set()
                time.sleep(1)  # the other step starts meanwhile
                list(LabInvitation.objects.select_for_update(of=("self",)).filter(pk=invitation.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def the_other_step():
        holding.wait(5)
        try:
            if step == "respond":
                services.respond(invitation, by=application.applicant, answer="accept")
            else:
                services.move(invitation, other, by=operator)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=operator_changes_the_time),
        threading.Thread(target=the_other_step),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    invitation.refresh_from_db()
    if step == "respond":
        assert invitation.status == InvitationStatus.ACCEPTED
    else:
        assert invitation.slot == other


def test_a_declined_invitation_is_offered_again_for_the_same_or_another_time(
    client_as, call, operator, django_capture_on_commit_callbacks
):
    application = _shortlisted(call, operator)
    morning, afternoon = _slot(call, operator, 9), _slot(call, operator, 13)
    invitation = services.invite(application, morning, by=operator)
    services.respond(invitation, by=application.applicant, answer="decline")
    mail.outbox.clear()
    # Inviting again re-opens the same calendar event, for the time declined.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite(application, morning, by=operator)
    assert again.pk == invitation.pk
    assert (again.status, again.sequence, again.slot) == (InvitationStatus.INVITED, 1, morning)
    event = _event(_calendar(mail.outbox[0]))
    assert str(event["uid"]) == invitation.calendar_uid and event.decoded("sequence") == 1
    # An invitation that stands is not invited twice.
    with pytest.raises(ValidationError, match="already invited"):
        services.invite(application, afternoon, by=operator)
    # Declined again: the lab page offers the same time again too ("Offer again").
    services.respond(again, by=application.applicant, answer="decline")
    client = client_as(operator)
    page = client.get(f"/recruitment/calls/{call.pk}/lab/").content.decode()
    assert "Offer again" in page and "(the same time)" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/recruitment/invitations/{invitation.pk}/move/", {"slot": morning.pk}, follow=True
        )
    assert "offered again" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.sequence) == (InvitationStatus.INVITED, 2)
    assert _event(_calendar(mail.outbox[0])).decoded("sequence") == 2
    # Only a declined invitation is offered its own time again.
    with pytest.raises(ValidationError, match="already for this time"):
        services.move(invitation, morning, by=operator)
    services.respond(invitation, by=application.applicant, answer="decline")
    moved = services.move(invitation, afternoon, by=operator)
    assert (moved.status, moved.slot, moved.sequence) == (InvitationStatus.INVITED, afternoon, 3)


def test_an_invitation_whose_application_left_the_shortlist_needs_attention(
    client_as, call, operator
):
    kept, dropped, rejected = (
        _shortlisted(call, operator, name) for name in ("Ada Kvar", "Bo Borttagen", "Cy Nej")
    )
    slot = _slot(call, operator)
    for application in (kept, dropped, rejected):
        services.invite(application, slot, by=operator)
    calls.set_shortlisted(dropped, by=operator, shortlisted=False)
    calls.decide(rejected, by=operator, decision="not_selected", rationale="Inte nu.")
    page = client_as(operator).get(f"/recruitment/calls/{call.pk}/lab/").content.decode()
    attention = page.split("Invitations that need your attention")[1].split("</section>")[0]
    assert "Bo Borttagen" in attention and "Taken off the shortlist" in attention
    assert "Cy Nej" in attention and "Decided not selected" in attention
    assert "Ada Kvar" not in attention
    # Nothing is cancelled by itself: the operator decides.
    assert set(LabInvitation.objects.values_list("status", flat=True)) == {"invited"}
    services.cancel(LabInvitation.objects.get(application=dropped), by=operator)
    page = client_as(operator).get(f"/recruitment/calls/{call.pk}/lab/").content.decode()
    attention = page.split("Invitations that need your attention")[1].split("</section>")[0]
    assert "Bo Borttagen" not in attention and "Cy Nej" in attention


def test_api_invite_answers_a_draft_like_an_application_that_does_not_exist(
    client_as, call, operator
):
    slot = _slot(call, operator)
    applicant = factories.person(full_name="Utkast")
    draft = calls.save_draft(
        calls.application_for(call, applicant), by=applicant, answers={}, gender="woman"
    )
    client = client_as(operator)

    def invite(application_id):
        return client.post(
            f"/api/calls/{call.pk}/lab-invitations",
            {"application_id": application_id, "slot_id": slot.pk},
            content_type="application/json",
        )

    of_draft, of_nothing = invite(draft.pk), invite(draft.pk + 1000)
    assert of_draft.status_code == of_nothing.status_code == 404
    assert of_draft.json() == of_nothing.json()
    assert not LabInvitation.objects.exists()


def test_editing_a_time_says_the_invited_were_told_only_when_they_were(client_as, call, operator):
    slot = _slot(call, operator)
    client = client_as(operator)
    form = {
        "starts_at": "2030-11-05T09:00",
        "ends_at": "2030-11-05T12:00",
        "place": slot.place,
        "capacity": "3",
    }
    url = f"/recruitment/slots/{slot.pk}/edit/"
    told = "The invited applicants got the changes"
    # Nobody invited: a new place tells nobody.
    page = client.post(url, {**form, "place": "Sal 2"}, follow=True).content.decode()
    assert "The time is saved." in page and told not in page
    services.invite(_shortlisted(call, operator), slot, by=operator)
    # The capacity is not news to the invited.
    page = client.post(url, {**form, "place": "Sal 2", "capacity": "4"}, follow=True)
    assert told not in page.content.decode()
    # A new place is.
    page = client.post(url, {**form, "place": "Sal 3", "capacity": "4"}, follow=True)
    assert told in page.content.decode()
