"""The demo's measuring of effects: an indicator library of four indicators the departments
recognise (two with IRIS+ codes, one for Ida Berg's challenge only) and, for the demo innovator
Ida Berg's test environment, a theory of change about loneliness among older people with three
indicators (one taken from the library) and seven quarters of measurements — the first resting
on 4 people, so that the suppression outside her team shows. Written through the services
(permissions, validation and audit included). Does nothing without Ida Berg's environment, and
nothing twice."""

from datetime import date

from samskapa.environments.models import TestEnvironment
from samskapa.impact import services
from samskapa.impact.models import LibraryIndicator

INNOVATOR_EMAIL = "innovator@demo.samskapa.se"

LIBRARY = [
    # name, definition, unit, direction, IRIS+ code, for Ida's challenge only
    (
        "Upplevd ensamhet",
        "Andel deltagare som uppger att de ofta eller alltid känner sig ensamma "
        "(en fråga ur Folkhälsomyndighetens nationella folkhälsoenkät).",
        "%",
        "lower",
        "",
        False,
    ),
    (
        "Antal deltagare",
        "Antal unika personer som deltagit i verksamheten minst en gång under perioden.",
        "personer",
        "higher",
        "PI4060",
        False,
    ),
    (
        "Sysselsatta efter insatsen",
        "Andel deltagare i arbete eller studier sex månader efter avslutad insats.",
        "%",
        "higher",
        "OI1479",
        False,
    ),
    (
        "Meningsfull vardag",
        "Deltagarnas skattning av hur meningsfull vardagen är, 1–10, i medeltal.",
        "skala 1–10",
        "higher",
        "",
        True,
    ),
]

CHAIN = [
    ("input", "Två processledare 50 % och verkstadslokalen på Kvarnen", ""),
    ("input", "Förvaltningens kontakt med dagverksamheternas brukarråd", ""),
    ("activity", "Träffpunkt med gemensam lunch och verkstad två dagar i veckan", ""),
    ("activity", "Uppsökande samtal med äldre som anhöriga eller hemtjänsten ser är ensamma", ""),
    ("output", "40 deltagare som kommer minst en gång i månaden", ""),
    ("outcome", "Minskad ensamhet", "Äldre över 75 som bor ensamma"),
    ("outcome", "En mer meningsfull vardag", "Deltagare i dagverksamheten"),
    ("impact", "Ett tryggare och friskare åldrande med färre behov av hemtjänst", ""),
]

QUARTERS = [date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1)] + [
    date(2026, 1, 1),
    date(2026, 4, 1),
    date(2026, 7, 1),
]
# Per indicator: values per quarter, and the number of people each rests on.
LONELINESS = ([46, 44, 41, 38, 35, 33, 30], [4, 14, 18, 22, 25, 27, 31])
PARTICIPANTS = ([4, 12, 17, 22, 26, 31, 38], [None] * 7)
MEANINGFUL = ([5.1, 5.4, 5.8, 6.0, 6.4, 6.5, 6.9], [4, 12, 15, 20, 22, 26, 30])


def add_impact(programme, operator) -> None:
    environment = (
        TestEnvironment.objects.filter(
            programme=programme, journey__innovator__email=INNOVATOR_EMAIL
        )
        .select_related("journey__innovator", "programme", "challenge")
        .first()
    )
    if environment is None or LibraryIndicator.objects.filter(programme=programme).exists():
        return
    ida = environment.journey.innovator
    library = {}
    for name, definition, unit, direction, code, own_challenge in LIBRARY:
        library[name] = services.create_library_indicator(
            programme,
            by=operator,
            name=name,
            definition=definition,
            unit=unit,
            direction=direction,
            iris_code=code,
            challenge=environment.challenge if own_challenge else None,
        )
    steps = {}
    for kind, text, stakeholder in CHAIN:
        steps[text] = services.add_step(
            environment, by=ida, kind=kind, text=text, stakeholder=stakeholder
        )
    lonely = services.create_indicator(
        steps["Minskad ensamhet"],
        by=ida,
        library_indicator=library["Upplevd ensamhet"],
        baseline_value=46,
        baseline_date=date(2025, 1, 1),
        target_value=30,
        target_date=date(2027, 6, 30),
        frequency="quarterly",
        data_source="Enkät till deltagarna vid start och varje kvartal",
    )
    participants = services.create_indicator(
        steps["Minskad ensamhet"],
        by=ida,
        name="Deltagare per kvartal",
        definition="Antal unika personer som deltagit i träffpunkten minst en gång.",
        unit="personer",
        direction="higher",
        baseline_value=0,
        baseline_date=date(2025, 1, 1),
        target_value=40,
        target_date=date(2026, 12, 31),
        frequency="quarterly",
        data_source="Närvarolistor (antal, inga namn)",
    )
    meaningful = services.create_indicator(
        steps["En mer meningsfull vardag"],
        by=ida,
        name="Meningsfull vardag",
        definition="Deltagarnas skattning av hur meningsfull vardagen är, 1–10, i medeltal.",
        unit="skala 1–10",
        direction="higher",
        baseline_value=5.1,
        baseline_date=date(2025, 1, 1),
        target_value=7,
        target_date=date(2027, 6, 30),
        frequency="quarterly",
        data_source="Enkät till deltagarna",
    )
    for indicator, (values, people) in (
        (lonely, LONELINESS),
        (participants, PARTICIPANTS),
        (meaningful, MEANINGFUL),
    ):
        for period, value, respondents in zip(QUARTERS, values, people, strict=True):
            services.record_measurement(
                indicator, by=ida, period=period, value=value, respondents=respondents
            )
