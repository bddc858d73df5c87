"""The programme board: one row per innovator journey, one column per phase.

Built in a constant number of queries whatever the number of journeys: the phases, the journeys
(with their innovator and organisation and the count of decided gates), and the open gates.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from samskapa.accounts import permissions
from samskapa.journeys.models import Gate, Journey, JourneyStatus

# An open gate waiting longer than this is overdue.
OPEN_GATE_LIMIT = timedelta(days=14)


@dataclass
class BoardRow:
    journey: Journey
    cells: list  # one per phase: True where the journey is
    decided_gates: int
    open_gate: Gate | None
    overdue: list = field(default_factory=list)  # reasons, as (code, date)

    @property
    def awaits_decision(self) -> bool:
        return self.open_gate is not None and self.open_gate.awaits_decision

    @property
    def phase_overdue_since(self):
        return next((when for code, when in self.overdue if code == "phase"), None)

    @property
    def gate_waiting_since(self):
        return next((when for code, when in self.overdue if code == "gate"), None)


@dataclass
class Board:
    phases: list
    rows: list[BoardRow]

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.overdue)

    @property
    def awaiting_count(self) -> int:
        return sum(1 for row in self.rows if row.awaits_decision)


def build(programme, user, *, today: date | None = None, now=None) -> Board:
    today = today or timezone.localdate()
    now = now or timezone.now()
    phases = list(programme.phases.order_by("kind"))
    ends = {phase.kind: phase.ends_on for phase in phases}
    journeys = (
        permissions.visible(user, programme.journeys.all())
        .select_related("innovator", "organisation")
        .annotate(decided_gates=Count("gates", filter=~Q(gates__decision="")))
        .order_by("innovator__full_name", "pk")
    )
    open_gates = {
        gate.journey_id: gate
        for gate in Gate.objects.filter(programme=programme, decision="").only(
            "pk", "journey_id", "phase", "opened_at", "recommendation", "decision"
        )
    }
    rows = []
    for journey in journeys:
        gate = open_gates.get(journey.pk)
        overdue = []
        if journey.status == JourneyStatus.ACTIVE:
            ended = ends.get(journey.phase)
            if ended is not None and ended < today:
                overdue.append(("phase", ended))
        if gate is not None and now - gate.opened_at > OPEN_GATE_LIMIT:
            overdue.append(("gate", gate.opened_at))
        rows.append(
            BoardRow(
                journey=journey,
                cells=[phase.kind == journey.phase for phase in phases],
                decided_gates=journey.decided_gates,
                open_gate=gate,
                overdue=overdue,
            )
        )
    return Board(phases=phases, rows=rows)
