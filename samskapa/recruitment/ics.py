"""iCalendar (RFC 5545/5546) for lab invitations: one event per invitation with a stable UID,
its SEQUENCE raised at every change, times in Europe/Stockholm with the zone's VTIMEZONE."""

from datetime import UTC, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from samskapa.calls.models import STOCKHOLM
from samskapa.recruitment.models import InvitationStatus, LabInvitation

REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"

_PARTSTAT = {
    InvitationStatus.INVITED: "NEEDS-ACTION",
    InvitationStatus.ACCEPTED: "ACCEPTED",
    InvitationStatus.DECLINED: "DECLINED",
    InvitationStatus.CANCELLED: "DECLINED",
}


def invitation_calendar(invitation: LabInvitation, method: str) -> bytes:
    """The invitation as a calendar: REQUEST (sent when invited, moved or the time changes),
    CANCEL (sent when cancelled) or PUBLISH (the applicant's download, to add to a calendar).
    Expects invitation.slot, .application.applicant and .application.call.programme loaded."""
    slot = invitation.slot
    application = invitation.application
    call = application.call
    calendar = Calendar()
    calendar.add("prodid", "-//Samskapa//Recruitment lab//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", invitation.calendar_uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", timezone.localtime(slot.starts_at, STOCKHOLM))
    event.add("dtend", timezone.localtime(slot.ends_at, STOCKHOLM))
    event.add("summary", _("Recruitment lab: %(call)s") % {"call": call.title})
    event.add("location", slot.place or slot.video_url)
    page = settings.SITE_URL + application.get_absolute_url()
    event.add("url", slot.video_url or page)
    event.add("description", _description(slot, page))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("organizer", _organizer(call.programme.name))
    event.add("attendee", _attendee(invitation, application.applicant))
    calendar.add_component(event)
    # Only the zone's rules around the event, not every transition since 1970.
    calendar.add_missing_timezones(
        first_date=(slot.starts_at - timedelta(days=366)).date(),
        last_date=(slot.ends_at + timedelta(days=366)).date(),
    )
    return calendar.to_ical()


def _description(slot, page: str) -> str:
    parts = [slot.note.strip()] if slot.note.strip() else []
    if slot.video_url:
        parts.append(_("Video link: %(url)s") % {"url": slot.video_url})
    parts.append(_("Accept or decline on Samskapa: %(url)s") % {"url": page})
    return "\n\n".join(parts)


def _organizer(programme_name: str) -> vCalAddress:
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(f"Samskapa – {programme_name}")
    return organizer


def _attendee(invitation: LabInvitation, applicant) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{applicant.email}")
    attendee.params["cn"] = vText(applicant.full_name or applicant.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText(_PARTSTAT[invitation.status])
    # Answers are given on Samskapa (the link in the description), not by calendar replies.
    attendee.params["rsvp"] = vText("FALSE")
    return attendee
