"""The demo: a fictional Swedish city running a two-year programme, modelled on the public example.

Everything is created through the services, so the demo has an audit trail like real data.
No real person's name is used.
"""

from datetime import date

from django.contrib.auth.models import Group
from stdnum import luhn
from stdnum.se import orgnr

from samskapa.accounts.models import Role, User
from samskapa.core.demo_calls import add_calls
from samskapa.core.demo_canvas import add_canvases
from samskapa.core.demo_cases import add_cases
from samskapa.core.demo_challenges import add_challenges
from samskapa.core.demo_environments import add_environments
from samskapa.core.demo_impact import add_impact
from samskapa.core.demo_journeys import add_gates
from samskapa.core.demo_learning import add_lessons
from samskapa.core.demo_surveys import add_surveys
from samskapa.core.demo_workshops import add_workshops
from samskapa.organisations.models import LegalForm, Municipality, OrganisationKind
from samskapa.organisations.services import create_organisation
from samskapa.programmes.services import add_member, create_programme

DEMO_PASSWORD = "samskapa-demo-2026"
DEMO_DOMAIN = "demo.samskapa.se"
# One login per role, so that a newcomer can see the product through each role's eyes.
DEMO_LOGINS = [
    ("operator", "Operatör Olivia Ek", Role.OPERATOR),
    ("styrgrupp", "Styrgruppsledamot Sara Lind", Role.STEERING_GROUP),
    ("behovsagare", "Behovsägare Bo Holm", Role.NEEDS_OWNER),
    ("innovator", "Innovatör Ida Berg", Role.INNOVATOR),
    ("granskare", "Granskare Gustav Ås", Role.REVIEWER),
    ("observator", "Observatör Omar Dal", Role.OBSERVER),
]

PANEL_REVIEWERS = ["Maria Ekdahl", "Johan Berglund"]

DEPARTMENTS = [
    "Arbetsmarknadsförvaltningen",
    "Socialförvaltningen",
    "Skol- och fritidsförvaltningen",
    "Vård- och omsorgsförvaltningen",
    "Stadsledningsförvaltningen",
]

INNOVATORS = [  # person, organisation, legal form, org-number prefix
    ("Amira Sjöberg", "Mötesplats Generation ek. för.", LegalForm.ECONOMIC_ASSOCIATION, "769"),
    ("Linnea Forsén", "Unga Röster ideell förening", LegalForm.NON_PROFIT_ASSOCIATION, "802"),
    ("Hassan Lövgren", "Vägval Social Impact AB (svb)", LegalForm.AB_SVB, "559"),
    ("Maja Rydén", "Kvartersköket AB", LegalForm.AKTIEBOLAG, "559"),
    ("Elias Norrby", "Stiftelsen Nya Steg", LegalForm.FOUNDATION, "802"),
    (
        "Fatima Åkerlund",
        "Grannskap i Rörelse ideell förening",
        LegalForm.NON_PROFIT_ASSOCIATION,
        "802",
    ),
    ("Noah Strandberg", "Digitala Fikat AB", LegalForm.AKTIEBOLAG, "559"),
    ("Selma Hedvall", "Arbetsglädje Kooperativ ek. för.", LegalForm.ECONOMIC_ASSOCIATION, "769"),
    ("Omid Karlgren", "Odlingsrum AB (svb)", LegalForm.AB_SVB, "559"),
    (
        "Vera Lundkvist",
        "Läxhjälp för Alla ideell förening",
        LegalForm.NON_PROFIT_ASSOCIATION,
        "802",
    ),
    ("Karl Ödman", "Ledsagarna Sverige AB", LegalForm.AKTIEBOLAG, "559"),
    ("Tove Almgren", "Tove Almgren Design", LegalForm.SOLE_TRADER, ""),
]


def demo_org_number(prefix: str, index: int) -> str:
    """A well-formed, fictional organisation number (valid check digit, made-up serial)."""
    if not prefix:
        return ""
    body = f"{prefix}{900000 + index * 7919 % 100000:06d}"
    return orgnr.format(body + luhn.calc_check_digit(body))


def demo_is_loaded() -> bool:
    return User.objects.filter(email=f"operator@{DEMO_DOMAIN}").exists()


def load_demo() -> None:
    operator = User.objects.create_user(
        email=f"operator@{DEMO_DOMAIN}", password=DEMO_PASSWORD, full_name=DEMO_LOGINS[0][1]
    )
    operator.groups.add(Group.objects.get(name="Operators"))

    city = create_organisation(
        by=operator,
        name="Älvstads stad",
        kind=OrganisationKind.MUNICIPALITY,
        municipality=Municipality.objects.get(code="1480"),
        legal_form=LegalForm.PUBLIC_BODY,
        org_number=demo_org_number("212", 1),
        description="Fiktiv stad för demonstration (använder Göteborgs kommunkod 1480).",
    )
    departments = [
        create_organisation(
            by=operator,
            name=name,
            kind=OrganisationKind.DEPARTMENT,
            parent=city,
            legal_form=LegalForm.PUBLIC_BODY,
        )
        for name in DEPARTMENTS
    ]
    support = create_organisation(
        by=operator,
        name="Centrum för social innovation Älvstad",
        kind=OrganisationKind.INNOVATION_SUPPORT,
        legal_form=LegalForm.NON_PROFIT_ASSOCIATION,
        org_number=demo_org_number("802", 2),
    )
    create_organisation(
        by=operator,
        name="Älvstads högskola",
        kind=OrganisationKind.UNIVERSITY,
        legal_form=LegalForm.PUBLIC_BODY,
        org_number=demo_org_number("202", 3),
    )

    programme = create_programme(
        by=operator,
        name="Den inkluderande staden",
        operator_organisation=support,
        needs_owners=departments,
        starts_on=date(2026, 3, 1),
        ends_on=date(2028, 2, 29),
        narrative=(
            "Älvstad ska vara en stad där alla kan delta. Fem förvaltningar formulerar "
            "samhällsutmaningar – ofrivillig ensamhet bland äldre, unga som dras in i kriminella "
            "nätverk, meningsfull vardag för personer med missbruk eller psykisk ohälsa och "
            "invånare som vill organisera sig i sitt närområde – och bjuder in sociala innovatörer "
            "att testa och utveckla lösningar i förvaltningarnas testmiljöer."
        ),
    )
    _add_people(programme, operator, departments)
    add_challenges(programme, operator)
    add_calls(programme, operator)
    add_lessons(programme)
    add_environments(programme, operator)  # begins the journeys of five innovators
    add_gates(programme, operator)
    add_canvases(programme)
    add_workshops(programme, operator)
    # Measuring effects in Ida Berg's test environment: the theory of change and measurements,
    # then a survey feeding an indicator, then the impact cases built on both.
    add_impact(programme, operator)
    add_surveys(programme)
    add_cases(programme, operator)


def _add_people(programme, operator, departments):
    def add(name, role, email=None, **extra):
        email = email or _email(name)
        add_member(programme, by=operator, email=email, full_name=name, role=role, **extra)
        return email

    social_services = departments[1]
    for key, name, role in DEMO_LOGINS[1:]:
        department = social_services if role == Role.NEEDS_OWNER else None
        email = add(name, role, email=f"{key}@{DEMO_DOMAIN}", department=department)
        person = User.objects.get(email=email)
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])

    for head in ["Anna Vik", "Per Strand", "Lena Kvist", "Jonas Ahl", "Eva Björk"]:
        add(head, Role.STEERING_GROUP)
    for reviewer in PANEL_REVIEWERS:  # the review panel beside the demo login "granskare"
        add(reviewer, Role.REVIEWER)
    other_departments = [d for d in departments if d != social_services]
    for contact, department in zip(
        ["Kim Sand", "Alva Rask", "Nils Ström", "Greta Fors"], other_departments, strict=True
    ):
        add(contact, Role.NEEDS_OWNER, department=department)

    for index, (person, org_name, legal_form, prefix) in enumerate(INNOVATORS):
        organisation = create_organisation(
            by=operator,
            name=org_name,
            kind=OrganisationKind.INNOVATOR,
            legal_form=legal_form,
            org_number=demo_org_number(prefix, index + 10),
        )
        add(person, Role.INNOVATOR, organisation=organisation)


def _email(name: str) -> str:
    ascii_name = name.lower().translate(str.maketrans("åäöé ", "aaoe."))
    return f"{ascii_name}@{DEMO_DOMAIN}"
