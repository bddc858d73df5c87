"""The toolbox and workshops: operators add tools and run workshops; invited people get the
calendar event by e-mail, changes and cancellations too, and a reminder the day before.

Every function is one transaction: it checks the actor's permission (accounts/permissions.py),
validates everything before storing anything, writes one audit entry and queues e-mail on
commit. An invitation is one calendar event for the workshop's whole life: a stable UID whose
SEQUENCE rises at every change the invited hear of (REQUEST), and CANCEL when the workshop is
cancelled or a person is no longer invited.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, User
from samskapa.audit.services import diff, record
from samskapa.calls import uploads
from samskapa.calls.models import STOCKHOLM
from samskapa.programmes.models import PhaseKind
from samskapa.workshops import ics
from samskapa.workshops.models import (
    FollowUp,
    Tool,
    Workshop,
    WorkshopInvitation,
    WorkshopStatus,
)
from samskapa.workshops.notifications import send_workshop_mail_now, workshop_mail_on_commit

logger = logging.getLogger(__name__)

TOOL_FIELDS = ("name", "purpose", "phases", "how_to", "duration", "materials")
# The types a tool's template may be (checked from the content, calls/uploads.py).
TEMPLATE_TYPES = ("pdf", "docx", "odt", "xlsx")
WORKSHOP_FIELDS = ("title", "starts_at", "ends_at", "place", "video_url", "agenda", "notes")
# A change to these is news to the invited: they get the updated calendar event.
ANNOUNCED_FIELDS = ("title", "starts_at", "ends_at", "place", "video_url", "agenda")


# --- The toolbox ---


@uploads.removed_on_error()
@transaction.atomic
def create_tool(programme, *, by: User, template=None, **fields) -> Tool:
    """A tool of the programme's own (the starter set is in starter.py). `phases`: PhaseKind
    values (at least one); `template`: an optional uploaded file (PDF, Word, OpenDocument or
    Excel), checked from its content and kept in private storage."""
    permissions.require(by, "toolbox.manage", programme)
    unknown = set(fields) - set(TOOL_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a tool: {', '.join(sorted(unknown))}")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    _refuse_nul(values)
    errors = {}
    phases = _phases(values.pop("phases", ()), errors)
    tool = Tool(programme=programme, phases=phases, created_by=by, **values)
    try:
        tool.full_clean(exclude=["phases"] if "phases" in errors else None)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not tool.name:
        errors.setdefault("name", [_("Give the tool a name.")])
    inspected = None
    if template is not None and not errors:
        try:
            inspected = uploads.inspect(
                template, allowed=TEMPLATE_TYPES, max_mb=uploads.default_max_mb()
            )
        except ValidationError as error:
            errors["template"] = error.messages
    if errors:
        raise ValidationError(errors)
    if inspected is not None:
        try:
            tool.template_file.name = uploads.save_inspected(inspected)
            tool.template_name = inspected.original_name
            tool.template_content_type = inspected.kind.mime
        finally:
            inspected.close()
    tool.save()
    changes = diff({}, _tool_state(tool))
    record(
        actor=by, action="workshops.tool.created", obj=tool, programme=programme, changes=changes
    )
    return tool


def _phases(value, errors) -> str:
    try:
        phases = sorted({int(phase) for phase in value or ()})
    except (TypeError, ValueError):
        phases = [0]
    if not phases or any(phase not in PhaseKind.values for phase in phases):
        errors["phases"] = [_("Choose when in the process the tool is used: one phase or more.")]
        return ""
    return "".join(str(phase) for phase in phases)


def _tool_state(tool: Tool) -> dict:
    state = {name: getattr(tool, name) or None for name in TOOL_FIELDS if name != "phases"}
    state["phases"] = ", ".join(str(label) for label in tool.phase_labels)
    state["template"] = tool.template_name or None
    return state


# --- Workshops ---


@transaction.atomic
def create_workshop(programme, *, by: User, tools=(), invited=(), **fields) -> Workshop:
    """A workshop of the programme: its time (end after start), a place, a video link or both,
    the tools used (from the toolbox) and the people invited (members of the programme), who
    get the calendar event by e-mail (unless the workshop is already over)."""
    permissions.require(by, "workshop.manage", programme)
    workshop = Workshop(programme=programme, created_by=by, **_workshop_fields(fields))
    errors = _errors_of(workshop)
    chosen_tools = _tools_of(programme, tools, by, errors)
    people = _members_of(programme, invited, errors)
    if errors:
        raise ValidationError(errors)
    workshop.save()
    workshop.tools.set(chosen_tools)
    for person in people:
        WorkshopInvitation.objects.create(workshop=workshop, person=person)
        _mail(workshop, person, "invited", ics.REQUEST)
    record(
        actor=by,
        action="workshops.workshop.created",
        obj=workshop,
        programme=programme,
        changes=diff({}, _workshop_state(workshop)),
    )
    return workshop


@transaction.atomic
def update_workshop(workshop: Workshop, *, by: User, tools=None, invited=None, **fields):
    """Change a workshop. A change to its time, place, link, title or agenda is sent to the
    invited as the same calendar event with a higher SEQUENCE (a new time also allows a new
    reminder); newly invited people get the invitation, people no longer invited a CANCEL.
    `tools` and `invited` replace the lists when given."""
    permissions.require(by, "workshop.manage", workshop.programme)
    workshop = _locked(workshop)
    if workshop.is_cancelled:
        raise ValidationError(_("This workshop is cancelled: it can no longer be changed."))
    before = _workshop_state(workshop)
    original = {name: getattr(workshop, name) for name in ANNOUNCED_FIELDS}
    for name, value in _workshop_fields(fields).items():
        setattr(workshop, name, value)
    errors = _errors_of(workshop)
    chosen_tools = _tools_of(workshop.programme, tools, by, errors) if tools is not None else None
    people = _members_of(workshop.programme, invited, errors) if invited is not None else None
    current = {inv.person_id: inv for inv in workshop.invitations.select_related("person")}
    added = [p for p in people or () if p.pk not in current]
    removed = [] if people is None else [i for pk, i in current.items() if pk not in _ids(people)]
    _refuse_uninviting_owners(workshop, [invitation.person for invitation in removed], errors)
    if errors:
        raise ValidationError(errors)
    announced = any(getattr(workshop, name) != original[name] for name in ANNOUNCED_FIELDS)
    if announced or removed:
        workshop.sequence += 1
    workshop.save()
    if chosen_tools is not None:
        workshop.tools.set(chosen_tools)
    for invitation in removed:
        invitation.delete()
        _mail(workshop, invitation.person, "uninvited", ics.CANCEL)
    if announced:
        for invitation in current.values():
            if invitation not in removed:
                _mail(workshop, invitation.person, "changed", ics.REQUEST)
    for person in added:
        WorkshopInvitation.objects.create(workshop=workshop, person=person)
        _mail(workshop, person, "invited", ics.REQUEST)
    changes = diff(before, _workshop_state(workshop))
    if changes:
        record(
            actor=by,
            action="workshops.workshop.updated",
            obj=workshop,
            programme=workshop.programme,
            changes=changes,
        )
    return workshop


def invite(workshop: Workshop, people, *, by: User) -> Workshop:
    """Invite more people (members of the programme); those already invited stay as they are."""
    already = list(workshop.invitations.values_list("person_id", flat=True))
    wanted = [*already, *(getattr(p, "pk", p) for p in people)]
    return update_workshop(workshop, by=by, invited=wanted)


@transaction.atomic
def cancel_workshop(workshop: Workshop, *, by: User) -> Workshop:
    """Cancel the workshop: every invited person's calendar gets METHOD:CANCEL."""
    permissions.require(by, "workshop.manage", workshop.programme)
    workshop = _locked(workshop)
    if workshop.is_cancelled:
        raise ValidationError(_("This workshop is already cancelled."))
    workshop.status = WorkshopStatus.CANCELLED
    workshop.sequence += 1
    workshop.save(update_fields=["status", "sequence", "updated_at"])
    for invitation in workshop.invitations.select_related("person"):
        _mail(workshop, invitation.person, "cancelled", ics.CANCEL)
    record(
        actor=by,
        action="workshops.workshop.cancelled",
        obj=workshop,
        programme=workshop.programme,
        changes={
            "status": [str(WorkshopStatus.PLANNED.label), str(WorkshopStatus.CANCELLED.label)]
        },
    )
    return workshop


@transaction.atomic
def record_attendance(workshop: Workshop, *, by: User, attended, notes=None) -> Workshop:
    """Who attended (among the invited), recorded once the workshop has begun, and its notes."""
    permissions.require(by, "workshop.manage", workshop.programme)
    workshop = _locked(workshop)
    invitations = {inv.person_id: inv for inv in workshop.invitations.select_related("person")}
    wanted = _ids(attended)
    _refuse_nul({"notes": notes})
    errors = {}
    strangers = wanted - set(invitations)
    if strangers:
        names = User.objects.filter(pk__in=strangers).order_by("full_name", "pk")
        named = ", ".join(str(user) for user in names) or ", ".join(map(str, sorted(strangers)))
        errors["attended"] = [
            _("Only invited people can be recorded as attending; not invited: %(names)s.")
            % {"names": named}
        ]
    if wanted and workshop.starts_at > timezone.now():
        errors["attended"] = [
            _("Attendance is recorded once the workshop has begun (it starts %(starts)s).")
            % {"starts": workshop.starts}
        ]
    if workshop.is_cancelled and wanted:
        errors["attended"] = [_("This workshop is cancelled: nobody attended it.")]
    if errors:
        raise ValidationError(errors)
    before = _attendance_state(workshop, invitations)
    for person_id, invitation in invitations.items():
        if invitation.attended != (person_id in wanted):
            invitation.attended = person_id in wanted
            invitation.save(update_fields=["attended"])
    if notes is not None:
        workshop.notes = notes.strip()
        workshop.save(update_fields=["notes", "updated_at"])
    changes = diff(before, _attendance_state(workshop, invitations))
    if changes:
        record(
            actor=by,
            action="workshops.attendance.recorded",
            obj=workshop,
            programme=workshop.programme,
            changes=changes,
        )
    return workshop


@transaction.atomic
def add_follow_up(workshop: Workshop, *, by: User, text: str, owner=None, due_on=None):
    """A follow-up of the workshop: what, who owns it, by when. The owner is one of the
    invited or an operator of the programme: someone who sees the workshop and can mark the
    follow-up done there."""
    permissions.require(by, "workshop.manage", workshop.programme)
    _refuse_nul({"text": text})
    errors = {}
    owner_user = None
    if owner is not None:
        found = _members_of(workshop.programme, [owner], errors, field="owner")
        owner_user = found[0] if found else None
        if owner_user is not None and not _may_own_follow_ups(workshop, owner_user):
            errors["owner"] = [
                _(
                    "The owner must be invited to the workshop or be an operator of the "
                    "programme; %(name)s is neither."
                )
                % {"name": owner_user}
            ]
    follow_up = FollowUp(
        workshop=workshop, text=(text or "").strip(), owner=owner_user, due_on=due_on
    )
    try:
        follow_up.full_clean(exclude=["owner"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    follow_up.save()
    record(
        actor=by,
        action="workshops.follow_up.added",
        obj=workshop,
        programme=workshop.programme,
        changes={"follow_up": [None, _follow_up_text(follow_up)]},
    )
    return follow_up


@transaction.atomic
def set_follow_up_done(follow_up: FollowUp, *, by: User, done: bool = True) -> FollowUp:
    """Mark a follow-up done (or not): the programme's operators or the follow-up's owner."""
    workshop = follow_up.workshop
    if not (
        permissions.can(by, "workshop.manage", workshop.programme)
        or permissions.can(by, "follow_up.complete", follow_up)
    ):
        permissions.require(by, "workshop.manage", workshop.programme)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done == done:
        return follow_up
    follow_up.done = done
    follow_up.save(update_fields=["done"])
    record(
        actor=by,
        action="workshops.follow_up.done" if done else "workshops.follow_up.reopened",
        obj=workshop,
        programme=workshop.programme,
        changes={"follow_up": [follow_up.text, follow_up.text], "done": [not done, done]},
    )
    return follow_up


# --- The day-before reminder ---


def tomorrow_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The start and end of tomorrow's calendar day in Stockholm, as aware datetimes."""
    today = timezone.localtime(now or timezone.now(), STOCKHOLM).date()
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time.min, tzinfo=STOCKHOLM)
    end = datetime.combine(tomorrow + timedelta(days=1), time.min, tzinfo=STOCKHOLM)
    return start, end


def send_reminders(now: datetime | None = None) -> int:
    """E-mail every invited person of the workshops starting tomorrow (Stockholm calendar day)
    a reminder, exactly once per person, workshop and calendar day of the start: a new time on
    the same day sends none, a move to another day allows a new one. Each reminder is handed to
    the mail backend inside the transaction that marks it sent, so a failure (the SMTP server
    refusing or away) leaves it unmarked and the next run retries it. Returns how many were
    sent."""
    start, end = tomorrow_bounds(now)
    day = start.date()
    pending = WorkshopInvitation.objects.filter(
        workshop__starts_at__gte=start,
        workshop__starts_at__lt=end,
        workshop__status=WorkshopStatus.PLANNED,
    ).exclude(reminded_for_day=day)
    sent = 0
    for invitation_id in pending.order_by("pk").values_list("pk", flat=True):
        try:
            sent += _remind(invitation_id, day, start, end)
        except Exception:  # not marked sent: the next run retries it
            logger.exception("Workshop reminder for invitation %s not sent", invitation_id)
    return sent


@transaction.atomic
def _remind(invitation_id: int, day, start: datetime, end: datetime) -> int:
    invitation = (
        WorkshopInvitation.objects.select_for_update(of=("self",))
        .select_related("workshop__programme", "person")
        .get(pk=invitation_id)
    )
    workshop = invitation.workshop
    due = start <= workshop.starts_at < end and not workshop.is_cancelled
    if not due or invitation.reminded_for_day == day:
        return 0
    invitation.reminded_for_day = day
    invitation.save(update_fields=["reminded_for_day"])
    # Sent before the commit: an error rolls the mark back.
    return int(
        send_workshop_mail_now(
            *_mail_args(workshop, invitation.person, "reminder", ics.REQUEST), language=_language()
        )
    )


def _language() -> str:
    return settings.LANGUAGE_CODE


# --- Helpers ---


def _refuse_nul(values: dict) -> None:
    """PostgreSQL cannot store a NUL character in text: refuse it with a message, not a 500."""
    bad = [name for name, value in values.items() if isinstance(value, str) and "\x00" in value]
    if bad:
        raise ValidationError({name: [_("This text contains a NUL character.")] for name in bad})


def _locked(workshop: Workshop) -> Workshop:
    return (
        Workshop.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=workshop.pk)
    )


def _workshop_fields(fields: dict) -> dict:
    unknown = set(fields) - set(WORKSHOP_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a workshop: {', '.join(sorted(unknown))}")
    values = {}
    for name, value in fields.items():
        if value is None and name in ("place", "video_url", "agenda", "notes"):
            value = ""
        values[name] = value.strip() if isinstance(value, str) else value
    _refuse_nul(values)
    return values


def _errors_of(workshop: Workshop) -> dict:
    errors = {}
    try:
        workshop.full_clean(exclude=["programme", "created_by"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    starts, ends = workshop.starts_at, workshop.ends_at
    timed = starts and ends and "starts_at" not in errors and "ends_at" not in errors
    if timed and ends <= starts:
        errors["ends_at"] = [_("The workshop must end after it starts.")]
    if not workshop.place and not workshop.video_url and "video_url" not in errors:
        errors["place"] = [_("Give a place, a video link or both.")]
    return errors


def _ids(people) -> set[int]:
    ids = set()
    for person in people or ():
        try:
            ids.add(int(getattr(person, "pk", person)))
        except (TypeError, ValueError):
            ids.add(0)
    return ids


def _members_of(programme, people, errors, field="invited") -> list[User]:
    """The people as users, each a member of the programme (else an error naming them)."""
    wanted = _ids(people)
    if not wanted:
        return []
    members = set(
        Membership.objects.filter(programme=programme, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    outside = wanted - members
    if outside:
        found = User.objects.filter(pk__in=outside).order_by("full_name", "pk")
        named = ", ".join(str(user) for user in found) or ", ".join(map(str, sorted(outside)))
        errors[field] = [
            _("Only members of the programme can be chosen; not members: %(names)s.")
            % {"names": named}
        ]
        return []
    return list(User.objects.filter(pk__in=members).order_by("full_name", "pk"))


def _tools_of(programme, tools, by, errors) -> list[Tool]:
    wanted = _ids(tools)
    if not wanted:
        return []
    found = list(
        permissions.visible(by, Tool.objects.all()).filter(
            Q(programme__isnull=True) | Q(programme=programme), pk__in=wanted
        )
    )
    if len(found) != len(wanted):
        errors["tools"] = [_("Choose tools from the programme's toolbox.")]
    return found


def _workshop_state(workshop: Workshop) -> dict:
    state = {
        "title": workshop.title,
        "starts_at": workshop.starts,
        "ends_at": workshop.ends,
        "place": workshop.place or None,
        "video_url": workshop.video_url or None,
        "agenda": workshop.agenda or None,
        "notes": workshop.notes or None,
    }
    if workshop.pk:
        state["tools"] = sorted(str(tool) for tool in workshop.tools.all())
        state["invited"] = sorted(
            str(inv.person) for inv in workshop.invitations.select_related("person")
        )
    return state


def _attendance_state(workshop: Workshop, invitations: dict) -> dict:
    return {
        "attended": sorted(str(inv.person) for inv in invitations.values() if inv.attended),
        "notes": workshop.notes or None,
    }


def _follow_up_text(follow_up: FollowUp) -> str:
    parts = [follow_up.text]
    if follow_up.owner:
        parts.append(str(follow_up.owner))
    if follow_up.due_on:
        parts.append(follow_up.due_on.isoformat())
    return " – ".join(parts)


def _may_own_follow_ups(workshop: Workshop, user: User) -> bool:
    invited = workshop.invitations.filter(person=user).exists()
    return invited or permissions.can(user, "workshop.manage", workshop.programme)


def _refuse_uninviting_owners(workshop: Workshop, people: list[User], errors: dict) -> None:
    """Someone who owns an open follow-up of the workshop keeps seeing it: no longer inviting
    them is refused (unless they are an operator) until their follow-ups are done."""
    if not people:
        return
    owners = set(
        workshop.follow_ups.filter(done=False, owner__in=people).values_list("owner_id", flat=True)
    )
    stuck = [
        person
        for person in people
        if person.pk in owners
        and not permissions.can(person, "workshop.manage", workshop.programme)
    ]
    if stuck:
        errors["invited"] = [
            _(
                "%(names)s own open follow-ups of this workshop and would no longer see it: "
                "keep them invited, or mark those follow-ups done first."
            )
            % {"names": ", ".join(str(person) for person in stuck)}
        ]


def _mail(workshop: Workshop, person: User, kind: str, method: str, language=None) -> None:
    """The e-mail to one person, with the calendar, sent once the transaction commits; none for
    a workshop already over."""
    if kind in ("invited", "changed", "reminder") and workshop.ends_at <= timezone.now():
        return
    workshop_mail_on_commit(*_mail_args(workshop, person, kind, method), language=language)


def _mail_args(workshop: Workshop, person: User, kind: str, method: str) -> tuple:
    """The recipient, the template context, the calendar and its method."""
    return (
        person.email,
        {
            "kind": kind,
            "title": workshop.title,
            "programme": workshop.programme.name,
            "period": workshop.period,
            "place": workshop.place,
            "video_url": workshop.video_url,
            "agenda": workshop.agenda,
            "url": settings.SITE_URL + workshop.get_absolute_url(),
        },
        ics.workshop_calendar(workshop, method, person=person),
        method,
    )
