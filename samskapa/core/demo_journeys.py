"""The demo's gates and group meetings, on the journeys the test environments' demo began:
a "go" in one journey's history, a "go" then an "iterate" back in another's, a gate awaiting
the steering group's decision, one whose checklist is being filled in; a steering-group meeting
with its agenda, minutes and a declared conflict of interest, and a needs-owner group meeting.
Written through the services (permissions and audit included). Without journeys, only the
meetings are made; without a steering group, no gate is decided."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from samskapa.journeys import services
from samskapa.journeys.models import Gate, GroupKind

MINUTES = (
    "1. Mötet öppnades. Dagordningen godkändes.\n"
    "2. Grindbeslut: styrgruppen gick igenom processledarens checklista och rekommendation "
    "för varje resa på dagordningen och fattade beslut enligt bilaga.\n"
    "3. Jäv: en ledamot anmälde jäv i ett ärende och deltog inte i det.\n"
    "4. Nästa möte: om sex veckor."
)


def add_gates(programme, operator):
    journeys = list(programme.journeys.select_related("innovator").order_by("pk"))
    steering = list(services.steering_group(programme))
    needs_owners = list(services.group_members(programme, GroupKind.NEEDS_OWNER))
    today = timezone.localdate()
    meeting_day = today - timedelta(days=10)
    starts_at = timezone.make_aware(datetime.combine(meeting_day, time(13, 0)))

    agenda = [("Grindbeslut: " + j.innovator.full_name, j) for j in journeys[:3]]
    meeting = services.create_meeting(
        programme,
        by=operator,
        kind=GroupKind.STEERING_GROUP,
        starts_at=starts_at,
        place="Stadshuset, sammanträdesrum 3",
        agenda=[("Mötets öppnande", None), *agenda, ("Övriga frågor", None)],
        attendees=steering,
        minutes=MINUTES,
    )
    if len(journeys) >= 3 and steering:
        # The last attendee declares a conflict with the journey still awaiting a decision.
        services.declare_conflict(
            meeting,
            by=operator,
            member=steering[-1],
            journey=journeys[2],
            note="Sitter i styrelsen för innovatörens organisation.",
        )
    services.create_meeting(
        programme,
        by=operator,
        kind=GroupKind.NEEDS_OWNER,
        starts_at=starts_at - timedelta(days=7),
        place="Digitalt (Teams)",
        agenda=["Testmiljöernas läge", "Dataskyddsavtal", "Behov inför nästa utlysning"],
        attendees=needs_owners,
        minutes="Behovsägarna gick igenom testmiljöerna. Två dataskyddsavtal återstår.",
    )
    if not journeys:
        return

    def run_gate(journey, recommendation, decision=None, text="", **decision_fields):
        gate = services.open_gate(journey, by=operator)
        checks = {
            check.pk: {
                "met": decision != "iterate" or index == 0,
                "evidence_url": f"https://samskapa.example/dokument/{journey.pk}-{check.pk}",
                "note": "",
            }
            for index, check in enumerate(gate.checks.all())
        }
        services.update_checklist(gate, by=operator, checks=checks)
        services.recommend(gate, by=operator, recommendation=recommendation, text=text)
        if decision and steering:
            # Opened before the meeting that decides it (a decision is never dated earlier).
            Gate.objects.filter(pk=gate.pk).update(opened_at=starts_at - timedelta(days=14))
            gate.refresh_from_db()
            present = [
                m for m in steering if m.pk not in services.conflicted_members(meeting, journey)
            ]
            services.decide(
                gate,
                by=steering[0],
                decision=decision,
                decided_on=meeting_day,
                members_present=present,
                meeting=meeting,
                **decision_fields,
            )
        journey.refresh_from_db()
        return gate

    # A "go" in the first journey's history.
    run_gate(
        journeys[0],
        "go",
        "go",
        text="Testmiljön är överenskommen och avtalet om personuppgifter är klart.",
        rationale="Kriterierna är uppfyllda; resan går vidare till konceptutveckling.",
    )
    # A "go", then an "iterate" back, in the second's.
    if len(journeys) >= 2:
        run_gate(
            journeys[1],
            "go",
            "go",
            text="Kanvasen är itererad och testmiljön i gång.",
            rationale="Redo för piloten.",
        )
        run_gate(
            journeys[1],
            "iterate",
            "iterate",
            text="Piloten nådde inte målgruppen; effekterna är inte mätta.",
            rationale="Tillbaka till testmiljön: mät effekterna mot utgångsläget först.",
        )
    # A gate awaiting the steering group's decision.
    if len(journeys) >= 3:
        run_gate(
            journeys[2],
            "go",
            text="Alla kriterier uppfyllda; bevis länkade i checklistan.",
        )
    # A gate being prepared: part of the checklist ticked, no recommendation yet.
    if len(journeys) >= 4:
        gate = services.open_gate(journeys[3], by=operator)
        first = gate.checks.first()
        if first is not None:
            services.update_checklist(
                gate,
                by=operator,
                checks={first.pk: {"met": True, "evidence_url": "", "note": "Klart i maj."}},
            )
