"""The demo's toolbox and workshops: one tool of the programme's own, a past workshop with its
attendance, notes and a follow-up, and an upcoming hybrid one. Written through the services,
as the programme's operator would (permissions and audit included; the demo runs with
notifications suppressed, so nobody fictional is e-mailed)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.calls.models import STOCKHOLM
from samskapa.workshops import services
from samskapa.workshops.models import Tool


def _at(days: int, hour: int) -> datetime:
    day = timezone.localtime(timezone.now(), STOCKHOLM).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def add_workshops(programme, operator) -> None:
    tool = services.create_tool(
        programme,
        by=operator,
        name="Trygghetsvandring",
        purpose=(
            "Gå området tillsammans med invånare, förvaltning och innovatör och se var och "
            "varför människor känner sig otrygga – underlag för behov och pilotplats."
        ),
        phases=[1, 2],
        how_to=(
            "1. Bestäm slinga och tid (gärna kväll).\n"
            "2. Bjud in boende, fastighetsägare, fritidsgård och polis.\n"
            "3. Stanna vid varje plats: vad ser vi, vad känner vi, vad saknas?\n"
            "4. Fotografera och anteckna på kartan.\n"
            "5. Sammanfatta tre platser att pröva lösningar på."
        ),
        duration="2 timmar",
        materials="Karta över området, kamera, reflexvästar, anteckningsblock.",
    )
    members = list(
        programme.memberships.filter(
            role__in=[Role.INNOVATOR, Role.NEEDS_OWNER, Role.STEERING_GROUP]
        )
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    invited = list({m.user_id: m.user for m in members}.values())[:6]
    stakeholder_map = Tool.objects.get(key="stakeholder_map")
    needs_mapping = Tool.objects.get(key="needs_mapping")
    past = services.create_workshop(
        programme,
        by=operator,
        title="Behovsinventering: ofrivillig ensamhet bland äldre",
        starts_at=_at(-14, 9),
        ends_at=_at(-14, 12),
        place="Stadshuset, sal Forsen",
        agenda=(
            "09.00 Välkomna och syfte\n09.20 Behovsinventering i grupper\n"
            "10.30 Intressentkarta\n11.30 Tre behov att gå vidare med"
        ),
        tools=[needs_mapping, stakeholder_map],
        invited=invited,
    )
    services.record_attendance(
        past,
        by=operator,
        attended=invited[: max(1, len(invited) - 1)],
        notes=(
            "Tre behov valdes: mötesplatser på kvällstid, hjälp med digitala tjänster och "
            "stöd till anhöriga. Pensionärsföreningarna vill läsa utmaningen innan den publiceras."
        ),
    )
    services.add_follow_up(
        past,
        by=operator,
        text="Skicka utkastet till utmaningen till pensionärsföreningarna",
        owner=invited[0] if invited else None,
        due_on=_at(-7, 9).date(),
    )
    services.create_workshop(
        programme,
        by=operator,
        title="Pilotplan och effektkedja med testmiljöerna",
        starts_at=_at(9, 13),
        ends_at=_at(9, 16),
        place="Träffpunkten Norra, Storgatan 4",
        video_url="https://meet.example.se/alvstad-pilotplan",
        agenda=(
            "13.00 Pilotplanen: hypotes, deltagare, period\n14.15 Effektkedjan\n15.30 Nästa steg"
        ),
        tools=[
            Tool.objects.get(key="pilot_plan"),
            Tool.objects.get(key="effect_chain"),
            tool,
        ],
        invited=invited,
    )
