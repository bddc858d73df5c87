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
        "Ett dygn i särskilt boende",
        2800,
        "per dygn",
        f"{ILLUSTRATIVE}, i storleksordningen i Kolada (kostnad per brukare i särskilt boende)",
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

OUTCOMES = [
    ("Äldre som bor hemma klarar sig längre utan hemtjänst", "Äldre i Norrby"),
    ("Färre besök i primärvården för oro och ensamhet", "Äldre i Norrby"),
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
    home_care, primary_care = _outcomes(environment)
    ida = environment.journey.innovator
    forecast = services.create_case(
        environment,
        by=ida,
        title="Prognos inför piloten",
        investment=620000,
        discount_rate=0.035,
        outcomes=[
            {
                "step": home_care.pk,
                "quantity": 600,
                "proxy": proxies["Ett dygn i hemtjänst"].pk,
                "deadweight": 0.3,
                "attribution": 0.2,
                "displacement": 0.0,
                "drop_off": 0.2,
                "duration_years": 3,
                "starts": "during",
                "payer": "kommun",
            },
            {
                "step": primary_care.pk,
                "quantity": 120,
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
    measured = _measured_indicator(environment, home_care)
    if measured is not None:
        outcomes[0] |= {"indicator": measured.pk, "quantity": None}
    else:
        outcomes[0]["quantity"] = 540
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
    """An indicator of `step` with measurements; else one made for the demo, measured twice."""
    indicator = (
        Indicator.objects.filter(outcome=step, measurements__isnull=False).order_by("pk").first()
    )
    if indicator is not None:
        return indicator
    if Indicator.objects.filter(outcome=step).exists():
        return None  # the impact demo's own indicators: leave them as they are
    indicator = Indicator.objects.create(
        outcome=step,
        environment=environment,
        programme=environment.programme,
        name="Dygn utan hemtjänst",
        definition="Antal dygn deltagarna klarat sig utan hemtjänst, per år",
        unit="dygn",
        frequency="half_yearly",
        data_source="Hemtjänstens verksamhetssystem (aggregerat)",
    )
    Measurement.objects.create(
        indicator=indicator, period=date(2026, 1, 1), value=480, respondents=24
    )
    Measurement.objects.create(
        indicator=indicator, period=date(2026, 7, 1), value=540, respondents=27
    )
    return indicator
