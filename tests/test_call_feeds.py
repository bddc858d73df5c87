"""The portal's open calls: listed, in an Atom feed and as calendar deadlines."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from samskapa.calls.models import Call

pytestmark = pytest.mark.django_db


def _call(programme, title, opens, closes):
    now = timezone.now()
    return Call.objects.create(
        programme=programme,
        title=title,
        eligibility="Sociala innovatörer i Älvstad",
        opens_at=now + opens,
        closes_at=now + closes,
    )


@pytest.fixture
def calls(programme):
    return {
        "open": _call(programme, "Öppen utlysning", timedelta(days=-2), timedelta(days=20)),
        "closed": _call(programme, "Stängd utlysning", timedelta(days=-40), timedelta(days=-1)),
        "coming": _call(programme, "Kommande utlysning", timedelta(days=5), timedelta(days=30)),
    }


def test_the_portal_lists_only_open_calls(client, calls):
    page = client.get("/portal/").content.decode()
    assert "Öppen utlysning" in page
    assert "Stängd utlysning" not in page and "Kommande utlysning" not in page


def test_the_atom_feed_has_the_open_calls(client, calls):
    response = client.get("/portal/calls/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<title>Öppen utlysning</title>" in body
    assert "Stängd utlysning" not in body and "Kommande utlysning" not in body


def test_the_calendar_has_each_open_deadline(client, calls):
    response = client.get("/portal/calls/deadlines.ics")
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert "Öppen utlysning" in str(event["summary"])
    assert event.decoded("dtstart") == calls["open"].closes_at.replace(microsecond=0)
    assert str(event["url"]).endswith(f"/calls/{calls['open'].pk}/")


def test_a_challenge_page_invites_to_its_open_calls(client, programme, calls):
    from samskapa.challenges.models import Challenge, ChallengeStatus
    from tests import factories

    department = factories.department()
    programme.needs_owners.add(department)
    challenge = Challenge.objects.create(
        programme=programme,
        department=department,
        status=ChallengeStatus.PUBLISHED,
        title="Ensamhet",
        need="n",
        target_group="t",
        desired_effects="d",
    )
    for call in calls.values():
        call.challenges.add(challenge)
    page = client.get(f"/portal/challenges/{challenge.pk}/").content.decode()
    assert "Öppen utlysning" in page
    assert "Stängd utlysning" not in page and "Kommande utlysning" not in page


def test_the_calendar_has_the_coming_lab_times_without_names_or_links(client, calls):
    from samskapa.recruitment.models import LabInvitation, LabSlot
    from tests import factories

    now = timezone.now()
    closed = calls["closed"]  # its lab comes after the deadline: still in the calendar
    coming = LabSlot.objects.create(
        call=closed,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=3),
        place="Stadshuset, sal Forsen",
        video_url="https://meet.example.se/hemlig",
        note="Ta med en pitch, Anna.",
        capacity=2,
    )
    LabSlot.objects.create(  # over
        call=closed,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=3),
        place="Gamla salen",
    )
    LabSlot.objects.create(  # of a call not yet published
        call=calls["coming"],
        starts_at=now + timedelta(days=40),
        ends_at=now + timedelta(days=40, hours=2),
        place="Hemliga salen",
    )
    applicant = factories.person(full_name="Anna Andersson")
    application = closed.applications.create(
        applicant=applicant, status="submitted", shortlisted=True
    )
    LabInvitation.objects.create(application=application, slot=coming)

    response = client.get("/portal/calls/deadlines.ics")
    body = response.content.decode()
    labs = [
        event
        for event in Calendar.from_ical(response.content).walk("VEVENT")
        if str(event["uid"]).startswith("lab-slot-")
    ]
    assert len(labs) == 1
    event = labs[0]
    assert "Stängd utlysning" in str(event["summary"])
    assert event.decoded("dtstart") == coming.starts_at.replace(microsecond=0)
    assert event.decoded("dtend") == coming.ends_at.replace(microsecond=0)
    assert str(event["location"]) == "Stadshuset, sal Forsen"
    for private in ("Anna", applicant.email, "hemlig", "Gamla salen", "Hemliga salen"):
        assert private not in body
