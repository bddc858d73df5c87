"""The demo's impact cases: a library of five Swedish financial proxies (illustrative figures,
labelled so, with the kind of source one would cite and a year) and, for Ida Berg's test
environment, a forecast and an evaluative case that follows it. Written through the services
(permissions, validation and audit included). Run after the impact demo, which gives the
environment its theory of change; without outcomes there the two outcomes the cases need are
added to it. Nothing at all without Ida Berg's environment."""

from datetime import date

from samskapa.cases import services
from samskapa.cases.models import Proxy
from samskapa.environments.models import TestEnvironment
from samskapa.impact.models import ChangeStep, Indicator, Measurement, StepKind, TheoryOfChange

INNOVATOR_EMAIL = "innovator@demo.samskapa.se"
ILLUSTRATIVE = "Illustrativ siffra för demon"

PROXIES = [
    # name, value (SEK), per, source, year, payer
    (
        "Minskat behov av hemtjänst för en äldre",
        22000,
        "per person och år",
        f"{ILLUSTRATIVE}: 20 färre dygn med hemtjänst om året × ett dygn i hemtjänst",
        2024,
        "kommun",
    ),
    (
        "Ett dygn i hemtjänst",
        1100,
        "per dygn",
        f"{ILLUSTRATIVE}, i storleksordningen i Kolada (kostnad per brukare i hemtjänsten)",
        2024,
        "kommun",
    ),
    (
        "Ett besök i primärvården",
        2300,
        "per besök",
        f"{ILLUSTRATIVE}, i storleksordningen i regionernas prislistor för utomlänspatienter",
        2025,
        "region",
    ),
    (
        "En månad med ekonomiskt bistånd",
        9500,
        "per hushåll och månad",
        f"{ILLUSTRATIVE}, i storleksordningen i Socialstyrelsens statistik om ekonomiskt bistånd",
        2024,
        "kommun",
    ),
    (
        "En månad med aktivitetsersättning",
        11000,
        "per person och månad",
        f"{ILLUSTRATIVE}, i storleksordningen i Försäkringskassans statistik",
        2025,
        "Försäkringskassan",
    ),
]

# The impact demo's outcomes (used when there); otherwise these are added.
OUTCOMES = [
    ("Minskad ensamhet", "Äldre över 75 som bor ensamma"),
    ("En mer meningsfull vardag", "Deltagare i dagverksamheten"),
]


def add_cases(programme, operator) -> list:
    """The proxy library, and a forecast and an evaluation for Ida Berg's test environment."""
    for name, value, unit, source, year, payer in PROXIES:
        if not Proxy.objects.filter(programme=programme, name=name).exists():
            services.create_proxy(
                programme,
                by=operator,
                name=name,
                value=value,
                unit=unit,
                source=source,
                year=year,
                payer=payer,
            )
    environment = (
        TestEnvironment.objects.filter(
            programme=programme, journey__innovator__email=INNOVATOR_EMAIL
        )
        .select_related("journey__innovator", "programme")
        .first()
    )
    if environment is None or environment.impact_cases.exists():
        return []
    proxies = {p.name: p for p in Proxy.objects.filter(programme=programme)}
    lonely, meaningful = _outcomes(environment)
    ida = environment.journey.innovator
    forecast = services.create_case(
        environment,
        by=ida,
        title="Prognos inför piloten",
        investment=620000,
        discount_rate=0.035,
        outcomes=[
            {
                # 40 participants (the target), each needing less home care
                "step": lonely.pk,
                "quantity": 40,
                "proxy": proxies["Minskat behov av hemtjänst för en äldre"].pk,
                "deadweight": 0.3,
                "attribution": 0.2,
                "displacement": 0.0,
                "drop_off": 0.2,
                "duration_years": 3,
                "starts": "during",
                "payer": "kommun",
            },
            {
                # two fewer visits a year for each of the 40
                "step": meaningful.pk,
                "quantity": 80,
                "proxy": proxies["Ett besök i primärvården"].pk,
                "deadweight": 0.4,
                "attribution": 0.3,
                "drop_off": 0.3,
                "duration_years": 2,
                "starts": "after",
                "payer": "region",
            },
        ],
    )
    evaluation = services.start_evaluation(forecast, by=operator, title="Utvärdering efter år 1")
    outcomes = [
        {name: getattr(row, name) for name in services.OUTCOME_FIELDS}
        for row in evaluation.outcomes.all()
    ]
    measured = _measured_indicator(environment, lonely)
    if measured is not None:
        outcomes[0] |= {"indicator": measured.pk, "quantity": None}
    else:
        outcomes[0]["quantity"] = 38
    services.update_case(
        evaluation,
        by=operator,
        title=evaluation.title,
        investment=655000,  # what the pilot turned out to cost
        discount_rate=evaluation.discount_rate,
        outcomes=outcomes,
    )
    return [forecast, evaluation]


def _outcomes(environment):
    """Two outcome steps of the environment's theory of change (added if it has fewer)."""
    theory, _created = TheoryOfChange.objects.get_or_create(
        environment=environment, defaults={"programme": environment.programme}
    )
    steps = list(theory.steps.filter(kind=StepKind.OUTCOME).order_by("position", "pk")[:2])
    last = theory.steps.order_by("-position").values_list("position", flat=True).first() or 0
    for offset, (text, stakeholder) in enumerate(OUTCOMES[len(steps) :], start=1):
        steps.append(
            ChangeStep.objects.create(
                theory=theory,
                kind=StepKind.OUTCOME,
                text=text,
                stakeholder=stakeholder,
                position=last + offset,
            )
        )
    return steps


def _measured_indicator(environment, step):
    """The step's measured count of participants (unit "personer"), e.g. the impact demo's
    "Deltagare per kvartal"; if the step has no indicators, one made for the demo."""
    indicator = (
        Indicator.objects.filter(outcome=step, unit="personer", measurements__isnull=False)
        .order_by("pk")
        .first()
    )
    if indicator is not None or Indicator.objects.filter(outcome=step).exists():
        return indicator
    indicator = Indicator.objects.create(
        outcome=step,
        environment=environment,
        programme=environment.programme,
        name="Deltagare per kvartal",
        definition="Antal unika personer som deltagit i träffpunkten minst en gång.",
        unit="personer",
        data_source="Närvarolistor (antal, inga namn)",
    )
    Measurement.objects.create(indicator=indicator, period=date(2026, 4, 1), value=31)
    Measurement.objects.create(indicator=indicator, period=date(2026, 7, 1), value=38)
    return indicator
