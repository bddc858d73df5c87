"""The demo's recruitment lab: two times three weeks after a call's deadline (or two weeks from
today, whichever is later), one in the city hall and one by video, with the call's shortlisted
applicants invited to them."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from samskapa.calls.models import STOCKHOLM, ApplicationStatus
from samskapa.recruitment import services as recruitment
from samskapa.recruitment.models import LabSlot

PLACE = "Älvstads stadshus, sal Forsen, Storgatan 1"
VIDEO = "https://meet.example.se/alvstad-rekryteringslabb"
NOTE = "Ta med en pitch på fem minuter. Behovsägarna från förvaltningarna är med."


def add_lab(call, operator) -> list[LabSlot]:
    """Two lab times for `call` and an invitation for each of its shortlisted applications,
    filling the first time before the second. Returns the times."""
    # Three weeks after the deadline, but never in the past: the demo's invitees can answer.
    day = max(
        timezone.localtime(call.closes_at, STOCKHOLM).date() + timedelta(weeks=3),
        timezone.localdate(timezone=STOCKHOLM) + timedelta(weeks=2),
    )

    def at(hour):
        return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)

    slots = [
        recruitment.add_slot(
            call,
            by=operator,
            starts_at=at(9),
            ends_at=at(12),
            place=PLACE,
            capacity=3,
            note=NOTE,
        ),
        recruitment.add_slot(
            call,
            by=operator,
            starts_at=at(13),
            ends_at=at(16),
            place="",
            video_url=VIDEO,
            capacity=3,
            note=NOTE,
        ),
    ]
    shortlisted = call.applications.filter(
        shortlisted=True, status=ApplicationStatus.SUBMITTED
    ).order_by("pk")
    for index, application in enumerate(shortlisted):
        slot = slots[0] if index < slots[0].capacity else slots[1]
        if index >= slots[0].capacity + slots[1].capacity:
            break
        recruitment.invite(application, slot, by=operator)
    return slots
