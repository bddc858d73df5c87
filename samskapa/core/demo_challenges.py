"""The demo's challenges: the four of the public example, in our own words, plus one in review."""

from samskapa.accounts.models import Membership, Role
from samskapa.challenges import services as challenges

STRATEGY = (
    "Program för den inkluderande staden 2026–2030",
    "https://example.se/inkluderande-staden.pdf",
)

CHALLENGES = [  # department, title, need, target group, effects, tried, themes, published?
    (
        "Stadsledningsförvaltningen",
        "Grannar som tillsammans utvecklar sitt närområde",
        "Boende, företag och föreningar vill ta ansvar för sitt närområde men vet inte hur de ska "
        "organisera sig eller hur staden kan stötta dem.",
        "Boende, lokala företag och föreningar i stadsdelarna Norr och Väster",
        "Fler lokala initiativ som lever vidare; högre upplevd trygghet och delaktighet",
        "Medborgardialoger och en tillfällig stadsdelsbudget",
        ["närområde", "delaktighet", "civilsamhälle"],
        True,
    ),
    (
        "Skol- och fritidsförvaltningen",
        "Ungdomens hus – en plats för demokratiskt medskapande",
        "Unga upplever att de inte har inflytande över sina fritidsmiljöer. Vi vill att ett "
        "ungdomens hus byggs och drivs tillsammans med dem.",
        "Unga 13–19 år",
        "Fler unga som deltar i beslut; ett hus som unga själva använder och driver",
        "Ungdomsråd, enkäter i skolorna",
        ["unga", "demokrati", "fritid"],
        True,
    ),
    (
        "Socialförvaltningen",
        "Meningsfull vardag för personer med missbruk eller psykisk ohälsa",
        "Många av dem vi möter saknar sysselsättning och sammanhang mellan behandlingsinsatserna.",
        "Vuxna med missbruk eller psykisk ohälsa som har kontakt med socialtjänsten",
        "Fler dagar med meningsfull sysselsättning; färre återfall och akuta insatser",
        "Daglig verksamhet i egen regi",
        ["psykisk hälsa", "sysselsättning"],
        True,
    ),
    (
        "Vård- och omsorgsförvaltningen",
        "Förebygga ofrivillig ensamhet bland äldre",
        "Ofrivillig ensamhet bland äldre ökar och leder till sämre hälsa. Vi vill hitta nya sätt "
        "för äldre att mötas och bidra.",
        "Äldre som bor hemma, särskilt de som nyligen blivit ensamstående",
        "Färre äldre som känner sig ensamma; fler meningsfulla möten mellan generationer",
        "Träffpunkter och telefonkedjor",
        ["ensamhet", "äldre"],
        True,
    ),
    (
        "Arbetsmarknadsförvaltningen",
        "Vägar till arbete för unga vuxna",
        "Unga vuxna som varken arbetar eller studerar fastnar långt från arbetsmarknaden.",
        "Unga vuxna 20–29 år",
        "Fler unga vuxna i arbete eller studier efter ett år",
        "",
        ["arbete", "unga"],
        False,  # still in review by the needs-owner group
    ),
]


def add_challenges(programme, operator) -> None:
    steering = (
        programme.memberships.filter(role=Role.STEERING_GROUP).select_related("user").first().user
    )
    for department_name, title, need, target, effects, tried, themes, publish in CHALLENGES:
        owner = _needs_owner(programme, department_name)
        challenge = challenges.create_challenge(
            programme,
            by=owner.user,
            department=owner.department,
            title=title,
            need=need,
            target_group=target,
            desired_effects=effects,
            already_tried=tried,
            contact_person=owner.user,
            target_group_access="Via förvaltningens verksamheter",
            budget_min=100_000,
            budget_max=400_000,
            potential_customer=publish,
            strategy_documents=[STRATEGY],
            themes=themes,
        )
        challenges.transition(challenge, "submit", by=owner.user)
        if publish:
            challenges.transition(challenge, "approve", by=steering, note="Styrgruppens möte")
            challenges.transition(challenge, "publish", by=operator)


def _needs_owner(programme, department_name) -> Membership:
    return (
        programme.memberships.filter(role=Role.NEEDS_OWNER, department__name=department_name)
        .select_related("user", "department")
        .order_by("id")
        .first()
    )
