"""The public side of calls for other tools: an Atom feed of open calls and an iCalendar file
of their deadlines and recruitment-lab times, so that innovators can follow calls in a feed
reader or their calendar."""

from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from samskapa.calls.models import Call
from samskapa.recruitment.models import LabSlot

FEED_SIZE = 30


def _public_calls():
    """Calls open right now: what the portal shows anyone, signed in or not."""
    return Call.objects.open_now().select_related("programme")


class OpenCallsFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Open calls on Samskapa")
    subtitle = gettext_lazy("Calls for social innovators to apply to, newest first.")
    link = reverse_lazy("portal:index")

    def items(self):
        return _public_calls().order_by("-opens_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        deadline = _("Deadline: %(deadline)s") % {"deadline": item.deadline}
        return f"{deadline}. {Truncator(item.eligibility).words(50)}"

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.opens_at

    def item_updateddate(self, item):
        return item.updated_at


@require_GET
def deadlines_ics(request):
    """Each open call's deadline, and each coming time of a recruitment lab, as calendar events
    (times in UTC, as iCalendar prefers)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Samskapa//Call deadlines//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Samskapa: call deadlines"))
    for call in _public_calls().order_by("closes_at", "pk"):
        calendar.add_component(_deadline_event(request, call))
    for slot in _public_lab_slots():
        calendar.add_component(_lab_event(request, slot))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="samskapa-deadlines.ics"'
    return response


def _deadline_event(request, call: Call) -> Event:
    event = Event()
    event.add("uid", f"call-{call.pk}-deadline@{request.get_host()}")
    event.add("summary", _("Deadline: %(call)s") % {"call": call.title})
    event.add("dtstart", call.closes_at)
    event.add("dtend", call.closes_at + timedelta(minutes=30))
    event.add("dtstamp", timezone.now())
    event.add("url", request.build_absolute_uri(call.get_absolute_url()))
    event.add("description", Truncator(call.eligibility).words(80))
    return event


def _public_lab_slots():
    """The times of the recruitment labs still to come, of calls that have been published
    (opened): when and where only. Who is invited, the video links and the notes to the invited
    stay private."""
    now = timezone.now()
    return (
        LabSlot.objects.filter(ends_at__gt=now, call__opens_at__lte=now)
        .select_related("call")
        .order_by("starts_at", "pk")
    )


def _lab_event(request, slot: LabSlot) -> Event:
    event = Event()
    event.add("uid", f"lab-slot-{slot.pk}@{request.get_host()}")
    event.add("summary", _("Recruitment lab: %(call)s") % {"call": slot.call.title})
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("dtstamp", timezone.now())
    event.add("location", slot.place or _("Online"))
    return event
