"""Journeys, their gates and the groups' meetings: every state change is one of these.

Each function checks the actor's permission (accounts/permissions.py), validates everything
before it stores anything, runs in one transaction and writes one audit entry. A journey's
phase and status change only here, and only through a decided gate: "go" moves exactly one
phase forward (from phase 4 the journey is completed), "iterate" goes back to an earlier phase
or stays, "pause" and "stop" set the status. The journey row is locked (select_for_update)
while a gate is opened or decided, so two decisions cannot both land.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.services import record
from samskapa.journeys.models import (
    AgendaItem,
    DeclaredConflict,
    Gate,
    GateCheck,
    GateOutcome,
    GroupKind,
    GroupMeeting,
    Journey,
    JourneyStatus,
)
from samskapa.programmes.models import GateCriterion, PhaseKind

FIRST_PHASE = PhaseKind.IDENTIFY_AND_RECRUIT
# Journeys start in phase 2: phase 1, recruitment, is what brought the innovator in, so no
# decision sends a journey back there.
FIRST_JOURNEY_PHASE = PhaseKind.TEST_ENVIRONMENT
LAST_PHASE = PhaseKind.IMPLEMENTATION

# Which role makes up each group.
GROUP_ROLES = {
    GroupKind.STEERING_GROUP: Role.STEERING_GROUP,
    GroupKind.NEEDS_OWNER: Role.NEEDS_OWNER,
}


def _text(value) -> str:
    """Text as stored: trimmed, without NUL characters (which PostgreSQL refuses in text)."""
    return (value or "").replace("\x00", "").strip()


# --- Journeys -------------------------------------------------------------------------------


@transaction.atomic
def create_journey(programme, *, by: User, innovator: User, organisation=None) -> Journey:
    """An operator adds an innovator's journey by hand (it starts in phase 2)."""
    from samskapa.environments.services import journey_for

    permissions.require(by, "journey.create", programme)
    if not Membership.objects.filter(programme=programme, user=innovator).exists():
        raise ValidationError(
            {
                "innovator": _(
                    "%(name)s is not a member of the programme: add them as a member first."
                )
                % {"name": innovator.full_name}
            }
        )
    if Journey.objects.filter(programme=programme, innovator=innovator).exists():
        raise ValidationError(
            {
                "innovator": _("%(name)s already has a journey in this programme.")
                % {"name": innovator.full_name}
            }
        )
    journey = journey_for(programme, innovator, by=by, organisation=organisation)
    record(actor=by, action="journeys.journey.created", obj=journey, programme=programme)
    return journey


# --- Gates ----------------------------------------------------------------------------------


def _locked_journey(journey: Journey) -> Journey:
    return Journey.objects.select_for_update().get(pk=journey.pk)


def _open_gate_for_change(gate: Gate) -> Gate:
    """The gate, locked with its journey, refused once decided (decided gates never change)."""
    _locked_journey(gate.journey)
    gate = Gate.objects.select_for_update().select_related("journey").get(pk=gate.pk)
    if gate.is_decided:
        raise ValidationError(
            _("This gate has already been decided; a decided gate cannot change.")
        )
    return gate


@transaction.atomic
def open_gate(journey: Journey, *, by: User) -> Gate:
    """A gate review at the journey's current phase, with the phase's criteria as its checklist."""
    permissions.require(by, "gate.prepare", journey)
    journey = _locked_journey(journey)
    if journey.status in (JourneyStatus.STOPPED, JourneyStatus.COMPLETED):
        raise ValidationError(
            _("The journey is %(status)s: it has no more gates.")
            % {"status": journey.get_status_display().lower()}
        )
    if journey.gates.filter(decision="").exists():
        raise ValidationError(_("This journey already has an open gate: decide it first."))
    gate = Gate.objects.create(
        programme_id=journey.programme_id, journey=journey, phase=journey.phase, opened_by=by
    )
    criteria = GateCriterion.objects.filter(
        phase__programme_id=journey.programme_id, phase__kind=journey.phase
    ).order_by("position", "id")
    GateCheck.objects.bulk_create(
        GateCheck(gate=gate, criterion=c, text=c.text, position=i) for i, c in enumerate(criteria)
    )
    record(
        actor=by,
        action="journeys.gate.opened",
        obj=gate,
        programme=journey.programme,
        changes={"phase": [None, gate.get_phase_display()]},
    )
    return gate


@transaction.atomic
def update_checklist(gate: Gate, *, by: User, checks: dict) -> Gate:
    """Tick the checklist: `checks` maps a check's id to {"met": True/False/None,
    "evidence_url": "...", "note": "..."}. All rows are validated before any is stored."""
    permissions.require(by, "gate.prepare", gate)
    gate = _open_gate_for_change(gate)
    rows = {check.pk: check for check in gate.checks.all()}
    unknown = set(checks) - set(rows)
    if unknown:
        raise ValidationError(_("The checklist has no criterion %(id)s.") % {"id": min(unknown)})
    validate_url = URLValidator(schemes=["http", "https"])
    errors, changes, changed = [], {}, []
    for pk, values in checks.items():
        check = rows[pk]
        url = _text(values.get("evidence_url"))
        if url:
            try:
                validate_url(url)
                if len(url) > 500:
                    raise ValidationError("too long")
            except ValidationError:
                errors.append(
                    _(
                        "The evidence for “%(criterion)s” is not a web address (http:// or https://)."
                    )
                    % {"criterion": check.text}
                )
                continue
        new = {
            "met": values.get("met"),
            "evidence_url": url,
            "note": _text(values.get("note")),
        }
        old = {"met": check.met, "evidence_url": check.evidence_url, "note": check.note}
        if new != old:
            for name, value in new.items():
                setattr(check, name, value)
            changed.append(check)
            changes[check.text] = [_check_summary(old), _check_summary(new)]
    if errors:
        raise ValidationError(errors)
    if changed:
        GateCheck.objects.bulk_update(changed, ["met", "evidence_url", "note"])
        record(
            actor=by,
            action="journeys.gate.checklist_updated",
            obj=gate,
            programme=gate.journey.programme,
            changes=changes,
        )
    return gate


def _check_summary(values: dict) -> str:
    met = {True: _("met"), False: _("not met"), None: _("not assessed")}[values["met"]]
    return " · ".join(v for v in (met, values["evidence_url"], values["note"]) if v)


@transaction.atomic
def recommend(gate: Gate, *, by: User, recommendation: str, text: str) -> Gate:
    """The facilitator's recommendation (go / iterate / pause / stop) and its reasons. It can be
    changed until the steering group decides."""
    permissions.require(by, "gate.prepare", gate)
    gate = _open_gate_for_change(gate)
    text = _text(text)
    errors = {}
    if recommendation not in GateOutcome.values:
        errors["recommendation"] = _("Choose go, iterate, pause or stop.")
    if not text:
        errors["recommendation_text"] = _("Give the reasons for the recommendation.")
    if errors:
        raise ValidationError(errors)
    before = [gate.get_recommendation_display(), gate.recommendation_text]
    gate.recommendation = recommendation
    gate.recommendation_text = text
    gate.recommended_by = by
    gate.recommended_at = timezone.now()
    gate.save(
        update_fields=["recommendation", "recommendation_text", "recommended_by", "recommended_at"]
    )
    record(
        actor=by,
        action="journeys.gate.recommended",
        obj=gate,
        programme=gate.journey.programme,
        changes={
            "recommendation": [before[0] or None, gate.get_recommendation_display()],
            "recommendation_text": [before[1] or None, text],
        },
    )
    return gate


def steering_group(programme):
    """The programme's steering-group members (users)."""
    return User.objects.filter(
        pk__in=Membership.objects.filter(programme=programme, role=Role.STEERING_GROUP).values(
            "user_id"
        )
    ).order_by("full_name", "pk")


@transaction.atomic
def decide(
    gate: Gate,
    *,
    by: User,
    decision: str,
    rationale: str,
    decided_on: date | None,
    members_present,
    target_phase: int | None = None,
    meeting: GroupMeeting | None = None,
) -> Gate:
    """The steering group's decision on a gate, and its effect on the journey.

    go: the next phase (from the last phase: the journey is completed) — exactly one phase;
    asking for any other `target_phase` is refused. iterate: back to `target_phase` (an earlier
    phase, or the same one, never phase 1; the previous phase when not given, and at phase 2
    the journey stays there). pause / stop: the status. A later go or iterate resumes a
    paused journey. A decision on a gate already decided is refused (someone else was first).
    `decided_on` lies between the day the gate was opened and today (Stockholm time). Nobody
    who declared a conflict of interest with the journey, at any meeting of the programme,
    takes part: neither among `members_present` nor as the member recording it (`by`)."""
    permissions.require(by, "gate.decide", gate)
    journey = _locked_journey(gate.journey)
    gate = Gate.objects.select_for_update().get(pk=gate.pk)
    if gate.is_decided:
        raise ValidationError(
            _("This gate was already decided (%(decision)s): reload the page to see the decision.")
            % {"decision": gate.get_decision_display().lower()}
        )
    programme = journey.programme
    rationale = _text(rationale)
    members = list(members_present or [])
    errors: dict[str, list] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    if not gate.recommendation:
        refuse(
            "__all__", _("The facilitator's recommendation comes first: this gate has none yet.")
        )
    if journey.phase != gate.phase:
        refuse("__all__", _("The journey is no longer in this gate's phase."))
    if decision not in GateOutcome.values:
        refuse("decision", _("Choose go, iterate, pause or stop."))
    if not rationale:
        refuse("rationale", _("Give the rationale for the decision: it is kept in the history."))
    if decided_on is None:
        refuse("decided_on", _("Give the date of the decision."))
    elif decided_on > timezone.localdate():
        refuse("decided_on", _("The date of the decision cannot be in the future."))
    elif decided_on < timezone.localdate(gate.opened_at):
        refuse(
            "decided_on",
            _("The decision cannot be dated before the gate was opened (%(date)s).")
            % {"date": date_format(timezone.localdate(gate.opened_at), "SHORT_DATE_FORMAT")},
        )
    if not members:
        refuse("members_present", _("Record at least one steering-group member as present."))
    group = set(steering_group(programme).values_list("pk", flat=True))
    strangers = [m for m in members if m.pk not in group]
    if strangers:
        refuse(
            "members_present",
            _("Not in the programme's steering group: %(names)s.")
            % {"names": ", ".join(m.full_name for m in strangers)},
        )
    if meeting is not None:
        _check_meeting_for_decision(meeting, journey, members, refuse)
    conflicted = journey_conflicts(journey)
    named = [m.full_name for m in members if m.pk in conflicted]
    if named:
        refuse(
            "members_present",
            _(
                "Declared a conflict of interest with this journey and cannot be recorded as "
                "present for its decision: %(names)s."
            )
            % {"names": ", ".join(named)},
        )
    if by.pk in conflicted:
        refuse(
            "__all__",
            _(
                "You declared a conflict of interest with this journey: another member of the "
                "steering group records its decision."
            ),
        )
    phase_after, status_after = _effect(gate, decision, target_phase, refuse)
    if errors:
        raise ValidationError(errors)

    gate.decision = decision
    gate.rationale = rationale
    gate.decided_on = decided_on
    gate.decided_by = by
    gate.decided_at = timezone.now()
    gate.meeting = meeting
    gate.phase_after = phase_after
    gate.status_after = status_after
    gate.save()
    gate.members_present.set(members)
    before = [journey.get_phase_display(), journey.get_status_display()]
    journey.phase = phase_after
    journey.status = status_after
    journey.save(update_fields=["phase", "status", "updated_at"])
    record(
        actor=by,
        action="journeys.gate.decided",
        obj=gate,
        programme=programme,
        changes={
            "decision": [None, gate.get_decision_display()],
            "rationale": [None, rationale],
            "phase": [before[0], journey.get_phase_display()],
            "status": [before[1], journey.get_status_display()],
            "members_present": [None, sorted(m.full_name for m in members)],
        },
    )
    return gate


def _effect(gate: Gate, decision: str, target_phase, refuse):
    """(phase, status) after the decision, or refusals for an impossible move."""
    phase = gate.phase
    if target_phase is not None and target_phase not in PhaseKind.values:
        refuse("target_phase", _("There is no phase %(phase)s.") % {"phase": target_phase})
        return phase, JourneyStatus.ACTIVE
    if decision == GateOutcome.GO:
        following = phase + 1 if phase < LAST_PHASE else phase
        if target_phase is not None and target_phase != following:
            refuse(
                "target_phase",
                _(
                    "A gate moves a journey exactly one phase forward: it cannot jump to "
                    "another phase. Go from this phase leads to %(phase)s."
                )
                % {"phase": PhaseKind(following).label}
                if phase < LAST_PHASE
                else _("Go from the last phase completes the journey: it has no later phase."),
            )
        if phase == LAST_PHASE:
            return phase, JourneyStatus.COMPLETED
        return following, JourneyStatus.ACTIVE
    if decision == GateOutcome.ITERATE:
        previous = max(phase - 1, FIRST_JOURNEY_PHASE) if phase > FIRST_JOURNEY_PHASE else phase
        back_to = target_phase if target_phase is not None else previous
        if back_to < FIRST_JOURNEY_PHASE and back_to != phase:
            refuse(
                "target_phase",
                _(
                    "Journeys start in phase 2: iterate cannot go back to phase 1, "
                    "%(phase)s. To repeat phase 2, iterate to phase 2."
                )
                % {"phase": PhaseKind(FIRST_PHASE).label},
            )
        elif back_to > phase:
            refuse(
                "target_phase",
                _(
                    "Iterate goes back to an earlier phase or stays in this one; moving "
                    "forward takes a decision to go, one phase at a time."
                ),
            )
        return back_to, JourneyStatus.ACTIVE
    if target_phase is not None and target_phase != phase:
        refuse(
            "target_phase",
            _("Pause and stop keep the journey in its phase: the phase cannot change."),
        )
    if decision == GateOutcome.PAUSE:
        return phase, JourneyStatus.PAUSED
    return phase, JourneyStatus.STOPPED


def _check_meeting_for_decision(meeting, journey, members, refuse):
    if meeting.programme_id != journey.programme_id or meeting.kind != GroupKind.STEERING_GROUP:
        refuse("meeting", _("Choose a steering-group meeting of this programme."))
        return
    attending = set(meeting.attendees.values_list("pk", flat=True))
    absent = [m.full_name for m in members if m.pk not in attending]
    if absent:
        refuse(
            "members_present",
            _("Not recorded as attending the meeting: %(names)s.") % {"names": ", ".join(absent)},
        )


def journey_conflicts(journey) -> set[int]:
    """Members who declared a conflict with the journey (directly or through an agenda item
    about it) at any meeting of its programme."""
    return set(
        DeclaredConflict.objects.filter(meeting__programme_id=journey.programme_id)
        .filter(Q(journey=journey) | Q(item__journey=journey))
        .values_list("member_id", flat=True)
    )


def conflicted_members(meeting, journey) -> set[int]:
    """Members who declared a conflict with the journey (directly or through an agenda item
    about it) at the meeting."""
    return set(
        DeclaredConflict.objects.filter(meeting=meeting)
        .filter(Q(journey=journey) | Q(item__journey=journey))
        .values_list("member_id", flat=True)
    )


# --- Group meetings -------------------------------------------------------------------------


def group_members(programme, kind):
    return User.objects.filter(
        pk__in=Membership.objects.filter(programme=programme, role=GROUP_ROLES[kind]).values(
            "user_id"
        )
    ).order_by("full_name", "pk")


def _agenda(items) -> list[tuple[int | None, str, object]]:
    """Agenda items as (id or None, title, journey or None). An item is given as a plain
    title, a pair (title, journey) or a dict {"id", "title", "journey"} (the id of an item
    already on the agenda, when changing a meeting). Items without a title are left out."""
    cleaned = []
    for item in items or ():
        if isinstance(item, str):
            pk, title, journey = None, item, None
        elif isinstance(item, dict):
            pk, title, journey = item.get("id"), item.get("title"), item.get("journey")
        else:
            (title, journey), pk = item, None
        title = _text(title)
        if title:
            cleaned.append((pk, title, journey))
    return cleaned


def _validate_meeting(programme, kind, starts_at, attendees, items, errors):
    if kind not in GroupKind.values:
        errors["kind"] = [_("Choose the steering group or the needs-owner group.")]
        return
    if starts_at is None:
        errors["starts_at"] = [_("Give the meeting's date and time.")]
    members = set(group_members(programme, kind).values_list("pk", flat=True))
    strangers = [a.full_name for a in attendees if a.pk not in members]
    if strangers:
        errors["attendees"] = [
            _("Not members of the %(group)s: %(names)s.")
            % {"group": GroupKind(kind).label.lower(), "names": ", ".join(strangers)}
        ]
    if any(len(title) > 300 for _pk, title, _j in items):
        errors["agenda"] = [_("An agenda item can be at most 300 characters long.")]
    if any(j is not None and j.programme_id != programme.pk for _pk, _t, j in items):
        errors["agenda"] = [_("An agenda item concerns a journey of another programme.")]


@transaction.atomic
def create_meeting(
    programme, *, by: User, kind: str, starts_at, place="", agenda=(), attendees=(), minutes=""
) -> GroupMeeting:
    permissions.require(by, "meeting.manage", programme)
    attendees, items, errors = list(attendees), _agenda(agenda), {}
    _validate_meeting(programme, kind, starts_at, attendees, items, errors)
    if len(place or "") > 200:
        errors["place"] = [_("The place can be at most 200 characters long.")]
    if errors:
        raise ValidationError(errors)
    meeting = GroupMeeting.objects.create(
        programme=programme,
        kind=kind,
        starts_at=starts_at,
        place=_text(place),
        minutes=_text(minutes),
        created_by=by,
    )
    meeting.attendees.set(attendees)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=i, title=t, journey=j)
        for i, (_pk, t, j) in enumerate(items)
    )
    record(actor=by, action="journeys.meeting.created", obj=meeting, programme=programme)
    return meeting


@transaction.atomic
def update_meeting(
    meeting: GroupMeeting, *, by: User, starts_at, place="", agenda=None, attendees=(), minutes=""
) -> GroupMeeting:
    """Change a meeting: time, place, attendees, minutes, and (given) the agenda. Someone
    recorded as present for a decision taken at the meeting stays an attendee.

    The agenda, when given, is the whole new agenda in order (see _agenda). An item given with
    its id is that item; one without an id is the unused item with the same title and journey
    if there is one, else a new item; items not given are removed. An item a conflict of
    interest was declared about keeps its journey and stays on the agenda: the conflict is
    about that journey."""
    permissions.require(by, "meeting.manage", meeting)
    meeting = GroupMeeting.objects.select_for_update().get(pk=meeting.pk)
    attendees, errors = list(attendees), {}
    items = _agenda(agenda) if agenda is not None else []
    _validate_meeting(meeting.programme, meeting.kind, starts_at, attendees, items, errors)
    if len(_text(place)) > 200:
        errors["place"] = [_("The place can be at most 200 characters long.")]
    present = User.objects.filter(gates_present_at__meeting=meeting).distinct()
    missing = [p.full_name for p in present if p.pk not in {a.pk for a in attendees}]
    if missing:
        errors.setdefault("attendees", []).append(
            _("Recorded as present for a decision taken at this meeting: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    existing = list(meeting.items.all())
    plan = _agenda_plan(meeting, existing, items, errors) if agenda is not None else None
    if errors:
        raise ValidationError(errors)
    before = (meeting.starts_at, meeting.place, meeting.minutes)
    meeting.starts_at = starts_at
    meeting.place = _text(place)
    meeting.minutes = _text(minutes)
    meeting.save()
    meeting.attendees.set(attendees)
    changes = {}
    if plan is not None:
        old_agenda = [_agenda_line(i.title, i.journey_id) for i in existing]
        kept = {item.pk for item, _t, _j in plan if item is not None}
        AgendaItem.objects.filter(pk__in=[i.pk for i in existing if i.pk not in kept]).delete()
        changed, new = [], []
        for position, (item, title, journey_id) in enumerate(plan):
            if item is None:
                new.append(
                    AgendaItem(
                        meeting=meeting, position=position, title=title, journey_id=journey_id
                    )
                )
            elif (item.position, item.title, item.journey_id) != (position, title, journey_id):
                item.position, item.title, item.journey_id = position, title, journey_id
                changed.append(item)
        AgendaItem.objects.bulk_update(changed, ["position", "title", "journey"])
        AgendaItem.objects.bulk_create(new)
        new_agenda = [_agenda_line(t, j) for _i, t, j in plan]
        if old_agenda != new_agenda:
            changes["agenda"] = [old_agenda, new_agenda]
    for name, old, new in zip(
        ("starts_at", "place", "minutes"),
        before,
        (meeting.starts_at, meeting.place, meeting.minutes),
        strict=True,
    ):
        if old != new:
            changes[name] = [str(old), str(new)]
    record(
        actor=by,
        action="journeys.meeting.updated",
        obj=meeting,
        programme=meeting.programme,
        changes=changes,
    )
    return meeting


def _agenda_line(title, journey_id) -> str:
    return f"{title} (#{journey_id})" if journey_id else title


def _agenda_plan(meeting, existing, items, errors):
    """[(existing item or None, title, journey id)] in the new order; refusals in `errors`."""
    conflicted = set(
        DeclaredConflict.objects.filter(item__meeting=meeting).values_list("item_id", flat=True)
    )
    unused = {item.pk: item for item in existing}
    plan, problems = [], []
    for pk, title, journey in items:
        journey_id = journey.pk if journey is not None else None
        if pk is not None:
            item = unused.pop(pk, None)
            if item is None:
                problems.append(_("The agenda has no item %(id)s.") % {"id": pk})
                continue
        else:
            item = next(
                (i for i in unused.values() if (i.title, i.journey_id) == (title, journey_id)),
                None,
            )
            if item is not None:
                del unused[item.pk]
        if item is not None and item.pk in conflicted and item.journey_id != journey_id:
            problems.append(
                _(
                    "A conflict of interest is declared about “%(title)s”: the journey it "
                    "concerns cannot change."
                )
                % {"title": item.title}
            )
        plan.append((item, title, journey_id))
    kept_back = [item.title for item in unused.values() if item.pk in conflicted]
    if kept_back:
        problems.append(
            _(
                "A conflict of interest is declared about these agenda items, so they stay on "
                "the agenda: %(titles)s."
            )
            % {"titles": ", ".join(f"“{t}”" for t in kept_back)}
        )
    if problems:
        errors.setdefault("agenda", []).extend(problems)
    return plan


@transaction.atomic
def declare_conflict(
    meeting: GroupMeeting, *, by: User, member: User, journey=None, item=None, note=""
) -> DeclaredConflict:
    """Record an attendee's declared conflict of interest about an agenda item and/or a
    journey."""
    permissions.require(by, "meeting.manage", meeting)
    meeting = GroupMeeting.objects.select_for_update().get(pk=meeting.pk)
    errors = {}
    if not meeting.attendees.filter(pk=member.pk).exists():
        errors["member"] = [_("Only an attendee of the meeting can declare a conflict in it.")]
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = [_("The agenda item is not on this meeting's agenda.")]
    if journey is None and item is not None:
        journey = item.journey
    if journey is not None and journey.programme_id != meeting.programme_id:
        errors["journey"] = [_("The journey belongs to another programme.")]
    if journey is None and item is None:
        errors["__all__"] = [_("Say what the conflict concerns: an agenda item or a journey.")]
    if (
        journey is not None
        and Gate.objects.filter(meeting=meeting, journey=journey, members_present=member).exists()
    ):
        errors["member"] = [
            _(
                "%(name)s is recorded as present for this journey's decision at the meeting: "
                "the decision stands as recorded."
            )
            % {"name": member.full_name}
        ]
    if errors:
        raise ValidationError(errors)
    conflict = DeclaredConflict.objects.create(
        meeting=meeting, member=member, item=item, journey=journey, note=_text(note)
    )
    record(
        actor=by,
        action="journeys.meeting.conflict_declared",
        obj=meeting,
        programme=meeting.programme,
        changes={"conflict": [None, str(conflict)]},
    )
    return conflict
