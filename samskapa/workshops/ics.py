"""iCalendar (RFC 5545/5546) for workshops: one event per workshop with a stable UID and its
SEQUENCE raised at every change the invited hear of; times in Europe/Stockholm with the zone's
VTIMEZONE (as recruitment/ics.py)."""

from datetime import UTC, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from samskapa.calls.models import STOCKHOLM
from samskapa.workshops.models import Workshop

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


def workshop_calendar(workshop: Workshop, method: str, person=None) -> bytes:
    """The workshop as a calendar: REQUEST (the invitation, and again at every change), CANCEL
    (cancelled, or the person no longer invited) or PUBLISH (the download). `person`: the
    invited person it is for (their ATTENDEE line), or None; PUBLISH never has ATTENDEE lines
    (RFC 5546, 3.2.1). Expects workshop.programme loaded."""
    calendar = Calendar()
    calendar.add("prodid", "-//Samskapa//Workshops//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", workshop.calendar_uid)
    event.add("sequence", workshop.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", timezone.localtime(workshop.starts_at, STOCKHOLM))
    event.add("dtend", timezone.localtime(workshop.ends_at, STOCKHOLM))
    event.add("summary", workshop.title)
    event.add("location", workshop.place or workshop.video_url)
    page = settings.SITE_URL + workshop.get_absolute_url()
    event.add("url", workshop.video_url or page)
    event.add("description", _description(workshop, page))
    cancelled = method == CANCEL or workshop.is_cancelled
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer(workshop.programme.name))
    if person is not None and method != PUBLISH:
        event.add("attendee", _attendee(person, declined=method == CANCEL))
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(workshop.starts_at - timedelta(days=366)).date(),
        last_date=(workshop.ends_at + timedelta(days=366)).date(),
    )
    return calendar.to_ical()


def _description(workshop: Workshop, page: str) -> str:
    parts = []
    if workshop.agenda.strip():
        parts.append(workshop.agenda.strip())
    if workshop.place and workshop.video_url:
        parts.append(_("Place: %(place)s") % {"place": workshop.place})
    if workshop.video_url:
        parts.append(_("Video link: %(url)s") % {"url": workshop.video_url})
    parts.append(_("The workshop on Samskapa: %(url)s") % {"url": page})
    return "\n\n".join(parts)


def _organizer(programme_name: str) -> vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(f"Samskapa – {programme_name}")
    return organizer


def _attendee(person, *, declined: bool) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.full_name or person.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if declined else "NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    return attendee
