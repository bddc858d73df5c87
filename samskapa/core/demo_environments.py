"""The demo's test environments: set up by hand for five of the demo innovators (the demo
login "Innovatör Ida Berg" among them, hosted by the department of the needs-owner login
"Behovsägare Bo Holm"), with agreed aims, a few tasks (one overdue), a meeting and, on one,
the signed data-sharing agreement. Written through the services, as the programme's people
would (permissions, audit and timeline included)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.environments import services
from samskapa.environments.models import EnvironmentStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# innovator (name, or the demo login's e-mail local part), host department, fields
ENVIRONMENTS = [
    (
        "innovator",
        "Socialförvaltningen",
        {
            "target_group_access": (
                "Två av förvaltningens dagverksamheter (Hagen och Kvarnen) och deras "
                "brukarråd; cirka 40 deltagare som vill pröva en ny sysselsättning."
            ),
            "premises": "Verkstadslokalen på Kvarnen tisdagar och torsdagar",
            "data_offered": "Avidentifierad närvarostatistik per vecka från dagverksamheterna",
            "staff_time": "En arbetsterapeut 20 % och enhetschefen vid behov",
            "budget": 300_000,
            "aims": (
                "Minst 15 deltagare deltar i verkstaden minst en dag i veckan under tre "
                "månader. Deltagarna skattar sin vardag som mer meningsfull efter testet än "
                "före. Vi vet om modellen kan drivas vidare av en social entreprenör."
            ),
            "starts_on": date(2026, 9, 1),
            "ends_on": date(2027, 2, 26),
            "status": EnvironmentStatus.ACTIVE,
            "data_agreement_signed": True,
        },
    ),
    (
        "Amira Sjöberg",
        "Vård- och omsorgsförvaltningen",
        {
            "target_group_access": "Träffpunkterna i Norr och Väster, anhörigstödet",
            "premises": "Träffpunkten Solrosen, eftermiddagar",
            "staff_time": "Träffpunktsvärdar 10 timmar i månaden",
            "budget": 200_000,
            "aims": (
                "Trettio äldre och trettio unga möts minst fyra gånger. Fler av de äldre "
                "uppger att de har någon att prata med efter testet."
            ),
            "starts_on": date(2026, 10, 1),
            "ends_on": date(2027, 3, 31),
            "status": EnvironmentStatus.ACTIVE,
        },
    ),
    (
        "Linnea Forsén",
        "Skol- och fritidsförvaltningen",
        {
            "target_group_access": "Ungdomsrådet och tre fritidsgårdar",
            "premises": "Fritidsgården Fyren, kvällar",
            "aims": (
                "Unga 13–19 år formar själva husets regler och program; minst hälften av "
                "besluten om verksamheten tas av unga."
            ),
            "starts_on": date(2027, 1, 11),
            "ends_on": date(2027, 6, 11),
        },
    ),
    (
        "Fatima Åkerlund",
        "Stadsledningsförvaltningen",
        {
            "target_group_access": "Bostadsbolagens hyresgästföreningar i Norr",
            "premises": "Stadsdelshuset Norr",
            "data_offered": "Trygghetsmätningen per stadsdel",
            "budget": 150_000,
            "aims": "Tre nya grannskapsinitiativ startar och lever kvar efter sex månader.",
            "starts_on": date(2026, 11, 2),
            "ends_on": date(2027, 5, 28),
            "status": EnvironmentStatus.ACTIVE,
        },
    ),
    (
        "Hassan Lövgren",
        "Socialförvaltningen",
        {
            "target_group_access": "Öppenvården för unga vuxna",
            "aims": "Tio unga vuxna provar en arbetsträningsplats hos lokala företag.",
            "starts_on": date(2027, 2, 1),
            "ends_on": date(2027, 8, 31),
            "status": EnvironmentStatus.PAUSED,
        },
    ),
]


def add_environments(programme, operator) -> list:
    """Set up the demo's test environments in `programme` (operator `operator`) with their
    workspaces. Challenges are the departments' published ones."""
    memberships = programme.memberships.select_related("user", "department")
    today = timezone.localdate()
    environments = []
    for who, department_name, fields in ENVIRONMENTS:
        innovator = _innovator(memberships, who)
        challenge = (
            programme.challenges.filter(department__name=department_name).order_by("pk").first()
        )
        if innovator is None or challenge is None:
            continue
        fields = dict(fields)
        status = fields.pop("status", None)
        signed = fields.pop("data_agreement_signed", False)
        environment = services.create_by_hand(
            programme, by=operator, innovator=innovator, challenge=challenge, **fields
        )
        if status or signed:
            changes = {"status": status} if status else {}
            environment = services.update_environment(
                environment, by=operator, data_agreement_signed=signed, **changes
            )
        environments.append(environment)

    if environments:
        _workspace(environments[0], operator, memberships, today)
    for environment in environments[1:3]:
        services.add_task(
            environment,
            by=operator,
            title="Skriv en testplan med mål och mätpunkter",
            owner=environment.journey.innovator,
            due_on=today + timedelta(days=21),
        )
    return environments


def _workspace(environment, operator, memberships, today):
    """Ida's workspace: tasks (one overdue, one done), a meeting with notes."""
    ida = environment.journey.innovator
    host = (
        memberships.filter(role=Role.NEEDS_OWNER, department=environment.host_department)
        .first()
        .user
    )
    services.add_task(
        environment,
        by=host,
        title="Skicka deltagarenkäten till brukarråden",
        owner=host,
        due_on=today - timedelta(days=5),  # overdue
    )
    booked = services.add_task(
        environment, by=ida, title="Boka verkstadslokalen för hösten", owner=ida, due_on=today
    )
    services.set_task_done(booked, by=host, done=True)
    services.add_task(
        environment,
        by=operator,
        title="Förbered underlag till styrgruppens fasbeslut",
        owner=operator,
        due_on=today + timedelta(days=30),
    )
    starts = datetime.combine(today - timedelta(days=7), time(13, 30), tzinfo=STOCKHOLM)
    services.add_meeting(
        environment,
        by=operator,
        starts_at=starts,
        place="Kvarnen, verkstadslokalen",
        video_link="https://meet.example.se/alvstad-kvarnen",
        agenda="1. Läget i testet\n2. Deltagarenkäten\n3. Nästa steg mot fasbeslut",
        notes=(
            "Tolv deltagare har varit med minst en gång. Enkäten skickas ut före nästa möte. "
            "Ida tar fram ett förslag på prismodell."
        ),
    )


def _innovator(memberships, who):
    if " " not in who:
        membership = memberships.filter(user__email__startswith=f"{who}@").first()
    else:
        membership = memberships.filter(role=Role.INNOVATOR, user__full_name=who).first()
    return membership.user if membership else None
