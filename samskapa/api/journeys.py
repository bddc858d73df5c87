"""Innovator journeys, their gates, the groups' meetings and the programme board in the API
(mounted by samskapa/api/views.py). The same permission module and services as the pages: a
record outside what the caller may see answers 404, one they may see but not act on 403, bad
input 422 with the service's message (nothing is stored)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.api.schemas import ErrorOut, ValidationErrorOut
from samskapa.journeys import board as programme_board
from samskapa.journeys import services
from samskapa.journeys.models import AgendaItem, Gate, GroupMeeting, Journey
from samskapa.reports.pdf import pdf_response, render_pdf

router = Router(tags=["journeys and gates"])

READ = {403: ErrorOut, 404: ErrorOut}
WRITE = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class JourneyOut(Schema):
    id: int
    programme_id: int
    innovator_id: int
    innovator_name: str
    organisation_id: int | None
    phase: int
    status: str

    @staticmethod
    def resolve_innovator_name(obj):
        return obj.innovator.full_name


class CheckOut(Schema):
    id: int
    text: str
    met: bool | None
    evidence_url: str
    note: str


class GateOut(Schema):
    id: int
    journey_id: int
    phase: int
    opened_at: datetime
    checks: list[CheckOut]
    recommendation: str
    recommendation_text: str
    recommended_at: datetime | None
    decision: str
    rationale: str
    decided_on: date | None
    decided_at: datetime | None
    members_present: list[int]
    meeting_id: int | None
    phase_after: int | None
    status_after: str

    @staticmethod
    def resolve_checks(obj):
        return list(obj.checks.all())

    @staticmethod
    def resolve_members_present(obj):
        return [member.pk for member in obj.members_present.all()]


class CheckIn(Schema):
    id: int
    met: bool | None = None
    evidence_url: str = ""
    note: str = ""


class ChecklistIn(Schema):
    checks: list[CheckIn]


class RecommendationIn(Schema):
    recommendation: str
    text: str


class DecisionIn(Schema):
    decision: str
    rationale: str = ""
    decided_on: date | None = None
    members_present: list[int] = []
    target_phase: int | None = None
    meeting_id: int | None = None


class AgendaItemOut(Schema):
    id: int
    title: str
    journey_id: int | None


class ConflictOut(Schema):
    id: int
    member_id: int
    journey_id: int | None
    item_id: int | None
    note: str


class MeetingOut(Schema):
    id: int
    programme_id: int
    kind: str
    starts_at: datetime
    place: str
    attendees: list[int]
    agenda: list[AgendaItemOut]
    conflicts: list[ConflictOut]
    decisions: list[int]
    minutes: str

    @staticmethod
    def resolve_attendees(obj):
        return [person.pk for person in obj.attendees.all()]

    @staticmethod
    def resolve_agenda(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_conflicts(obj):
        return list(obj.conflicts.all())

    @staticmethod
    def resolve_decisions(obj):
        return [gate.pk for gate in obj.gate_decisions.all()]


class AgendaItemIn(Schema):
    title: str
    journey_id: int | None = None


class MeetingIn(Schema):
    kind: str
    starts_at: datetime
    place: str = ""
    agenda: list[AgendaItemIn] = []
    attendees: list[int] = []
    minutes: str = ""


class BoardRowOut(Schema):
    journey_id: int
    innovator_name: str
    phase: int
    status: str
    decided_gates: int
    open_gate_id: int | None
    awaits_decision: bool
    phase_overdue_since: date | None
    gate_waiting_since: datetime | None


class BoardPhaseOut(Schema):
    kind: int
    name: str
    starts_on: date
    ends_on: date


class BoardOut(Schema):
    phases: list[BoardPhaseOut]
    rows: list[BoardRowOut]


def _invalid(error: ValidationError):
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return Status(422, {"detail": "The input is not valid.", "errors": errors})


def _gates():
    return Gate.objects.prefetch_related("checks", "members_present")


def _meetings():
    return GroupMeeting.objects.prefetch_related(
        "attendees", "items", "conflicts", "gate_decisions"
    )


def _gate(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user, Gate.objects.select_related("journey"), action=action, pk=pk
    )


@router.get("/programmes/{pk}/journeys", response={200: list[JourneyOut], **READ})
def list_journeys(request, pk: int):
    """The programme's journeys the caller may see (operators and the steering group: all; an
    innovator: their own; needs owners: those their department hosts)."""
    programme = permissions.programme_or_404(request.user, pk)
    return (
        permissions.visible(request.user, programme.journeys.all())
        .select_related("innovator")
        .order_by("innovator__full_name", "pk")
    )


class JourneyIn(Schema):
    innovator_id: int


@router.post("/programmes/{pk}/journeys", response={201: JourneyOut, **WRITE})
def create_journey(request, pk: int, payload: JourneyIn):
    """Add an innovator's journey by hand (operators): `innovator_id` is a member of the
    programme without a journey in it yet. The journey starts in phase 2."""
    programme = permissions.programme_or_404(request.user, pk, "journey.create")
    innovator = User.objects.filter(pk=payload.innovator_id).first()
    if innovator is None:
        return _invalid(ValidationError({"innovator_id": ["Unknown person."]}))
    try:
        journey = services.create_journey(programme, by=request.user, innovator=innovator)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, Journey.objects.select_related("innovator").get(pk=journey.pk))


@router.get("/journeys/{pk}", response={200: JourneyOut, **READ})
def get_journey(request, pk: int):
    return permissions.get_visible_or_404(
        request.user, Journey.objects.select_related("innovator"), pk=pk
    )


@router.get("/journeys/{pk}/gates", response={200: list[GateOut], **READ})
def journey_gates(request, pk: int):
    """The journey's gates, oldest first: its whole history."""
    journey = permissions.get_visible_or_404(request.user, Journey.objects.all(), pk=pk)
    return permissions.visible(request.user, _gates().filter(journey=journey)).order_by(
        "opened_at", "pk"
    )


@router.post("/journeys/{pk}/gates", response={201: GateOut, **WRITE})
def open_gate(request, pk: int):
    """Open a gate at the journey's current phase (operators; one open gate at a time)."""
    journey = permissions.get_visible_or_404(
        request.user, Journey.objects.all(), action="gate.prepare", pk=pk
    )
    try:
        gate = services.open_gate(journey, by=request.user)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _gates().get(pk=gate.pk))


@router.get("/gates/{pk}", response={200: GateOut, **READ})
def get_gate(request, pk: int):
    _gate(request, pk)
    return _gates().get(pk=pk)


@router.post("/gates/{pk}/checklist", response={200: GateOut, **WRITE})
def update_checklist(request, pk: int, payload: ChecklistIn):
    """Tick the checklist: each check met / not met (null: not assessed), an evidence link
    (http or https) and a note."""
    gate = _gate(request, pk, "gate.prepare")
    checks = {c.id: c.dict(exclude={"id"}) for c in payload.checks}
    try:
        services.update_checklist(gate, by=request.user, checks=checks)
    except ValidationError as error:
        return _invalid(error)
    return _gates().get(pk=pk)


@router.post("/gates/{pk}/recommendation", response={200: GateOut, **WRITE})
def recommend(request, pk: int, payload: RecommendationIn):
    """The facilitator's recommendation: go, iterate, pause or stop, with its reasons."""
    gate = _gate(request, pk, "gate.prepare")
    try:
        services.recommend(
            gate, by=request.user, recommendation=payload.recommendation, text=payload.text
        )
    except ValidationError as error:
        return _invalid(error)
    return _gates().get(pk=pk)


@router.post("/gates/{pk}/decision", response={200: GateOut, **WRITE})
def decide(request, pk: int, payload: DecisionIn):
    """The steering group's decision (steering-group members): `rationale`, `decided_on` and at
    least one of the steering group in `members_present` are required. go moves exactly one
    phase (a `target_phase` other than the next is refused); iterate goes back to
    `target_phase` (default the previous phase; never phase 1: at phase 2 it stays) or stays;
    pause and stop set the status. `decided_on` lies between the day the gate was opened and
    today; nobody who declared a conflict of interest with the journey, at any meeting of the
    programme, is present or records the decision."""
    gate = _gate(request, pk, "gate.decide")
    members = list(User.objects.filter(pk__in=payload.members_present))
    if len(members) != len(set(payload.members_present)):
        return _invalid(ValidationError({"members_present": ["Unknown person."]}))
    meeting = None
    if payload.meeting_id is not None:
        meeting = (
            permissions.visible(request.user, GroupMeeting.objects.all())
            .filter(pk=payload.meeting_id)
            .first()
        )
        if meeting is None:
            return _invalid(ValidationError({"meeting_id": ["No such meeting."]}))
    try:
        services.decide(
            gate,
            by=request.user,
            decision=payload.decision,
            rationale=payload.rationale,
            decided_on=payload.decided_on,
            members_present=members,
            target_phase=payload.target_phase,
            meeting=meeting,
        )
    except ValidationError as error:
        return _invalid(error)
    return _gates().get(pk=pk)


@router.get("/programmes/{pk}/board", response={200: BoardOut, **READ})
def board(request, pk: int):
    """The programme board (operators and the steering group): where each journey is, what is
    overdue and what awaits a decision."""
    programme = permissions.programme_or_404(request.user, pk, "journey.view_board")
    built = programme_board.build(programme, request.user)
    return {
        "phases": [
            {"kind": p.kind, "name": str(p.name), "starts_on": p.starts_on, "ends_on": p.ends_on}
            for p in built.phases
        ],
        "rows": [
            {
                "journey_id": row.journey.pk,
                "innovator_name": row.journey.innovator.full_name,
                "phase": row.journey.phase,
                "status": row.journey.status,
                "decided_gates": row.decided_gates,
                "open_gate_id": row.open_gate.pk if row.open_gate else None,
                "awaits_decision": row.awaits_decision,
                "phase_overdue_since": row.phase_overdue_since,
                "gate_waiting_since": row.gate_waiting_since,
            }
            for row in built.rows
        ],
    }


@router.get("/programmes/{pk}/meetings", response={200: list[MeetingOut], **READ})
def list_meetings(request, pk: int):
    """The group meetings the caller may see: steering-group meetings (operators and the
    steering group), needs-owner group meetings (operators and needs owners)."""
    programme = permissions.programme_or_404(request.user, pk)
    return permissions.visible(request.user, _meetings().filter(programme=programme)).order_by(
        "-starts_at", "-pk"
    )


@router.post("/programmes/{pk}/meetings", response={201: MeetingOut, **WRITE})
def create_meeting(request, pk: int, payload: MeetingIn):
    """A meeting of the steering group or the needs-owner group (`kind`: steering_group or
    needs_owner; operators). Attendees must be members of that group."""
    programme = permissions.programme_or_404(request.user, pk, "meeting.manage")
    attendees = list(User.objects.filter(pk__in=payload.attendees))
    agenda = []
    for item in payload.agenda:
        journey = None
        if item.journey_id is not None:
            journey = get_object_or_404(Journey, pk=item.journey_id, programme=programme)
        agenda.append((item.title, journey))
    try:
        meeting = services.create_meeting(
            programme,
            by=request.user,
            kind=payload.kind,
            starts_at=payload.starts_at,
            place=payload.place,
            agenda=agenda,
            attendees=attendees,
            minutes=payload.minutes,
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _meetings().get(pk=meeting.pk))


@router.get("/meetings/{pk}", response={200: MeetingOut, **READ})
def get_meeting(request, pk: int):
    permissions.get_visible_or_404(request.user, GroupMeeting.objects.all(), pk=pk)
    return _meetings().get(pk=pk)


class AgendaItemPatchIn(Schema):
    id: int | None = None
    title: str
    journey_id: int | None = None


class MeetingPatchIn(Schema):
    starts_at: datetime | None = None
    place: str | None = None
    agenda: list[AgendaItemPatchIn] | None = None
    attendees: list[int] | None = None
    minutes: str | None = None


@router.patch("/meetings/{pk}", response={200: MeetingOut, **WRITE})
def update_meeting(request, pk: int, payload: MeetingPatchIn):
    """Change a meeting (operators): only the fields given change. `agenda`, when given, is
    the whole new agenda in order: an item with its `id` keeps that item (and its declared
    conflicts), one without is new, items left out are removed. An item a conflict of interest
    was declared about keeps its journey and stays. `attendees`, when given, replaces them;
    those recorded as present for a decision taken at the meeting stay."""
    meeting = permissions.get_visible_or_404(
        request.user, GroupMeeting.objects.all(), action="meeting.manage", pk=pk
    )
    agenda = None
    if payload.agenda is not None:
        journeys = Journey.objects.filter(programme_id=meeting.programme_id).in_bulk(
            [item.journey_id for item in payload.agenda if item.journey_id is not None]
        )
        agenda = []
        for item in payload.agenda:
            journey = journeys.get(item.journey_id) if item.journey_id is not None else None
            if item.journey_id is not None and journey is None:
                return _invalid(ValidationError({"agenda": ["No such journey in this programme."]}))
            agenda.append({"id": item.id, "title": item.title, "journey": journey})
    if payload.attendees is None:
        attendees = list(meeting.attendees.all())
    else:
        attendees = list(User.objects.filter(pk__in=payload.attendees))
        if len(attendees) != len(set(payload.attendees)):
            return _invalid(ValidationError({"attendees": ["Unknown person."]}))
    try:
        services.update_meeting(
            meeting,
            by=request.user,
            starts_at=payload.starts_at or meeting.starts_at,
            place=meeting.place if payload.place is None else payload.place,
            agenda=agenda,
            attendees=attendees,
            minutes=meeting.minutes if payload.minutes is None else payload.minutes,
        )
    except ValidationError as error:
        return _invalid(error)
    return _meetings().get(pk=pk)


class ConflictIn(Schema):
    member_id: int
    journey_id: int | None = None
    item_id: int | None = None
    note: str = ""


@router.post("/meetings/{pk}/conflicts", response={201: ConflictOut, **WRITE})
def declare_conflict(request, pk: int, payload: ConflictIn):
    """Record an attendee's declared conflict of interest (about a journey and/or an agenda
    item; operators)."""
    meeting = permissions.get_visible_or_404(
        request.user, GroupMeeting.objects.all(), action="meeting.manage", pk=pk
    )
    member = get_object_or_404(User, pk=payload.member_id)
    journey = (
        get_object_or_404(Journey, pk=payload.journey_id, programme_id=meeting.programme_id)
        if payload.journey_id
        else None
    )
    item = (
        get_object_or_404(AgendaItem, pk=payload.item_id, meeting=meeting)
        if payload.item_id
        else None
    )
    try:
        conflict = services.declare_conflict(
            meeting, by=request.user, member=member, journey=journey, item=item, note=payload.note
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, conflict)


@router.get("/meetings/{pk}/minutes.pdf", response={200: None, **READ})
def minutes_pdf(request, pk: int):
    """The minutes as PDF."""
    from samskapa.journeys.views import meeting_context

    meeting = permissions.get_visible_or_404(
        request.user, GroupMeeting.objects.select_related("programme"), pk=pk
    )
    pdf = render_pdf("journeys/minutes_pdf.html", meeting_context(meeting), request=request)
    return pdf_response(pdf, f"minutes {meeting.pk}")
