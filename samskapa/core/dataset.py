"""A synthetic dataset for benchmarks and scale tests.

Real reference data (all 290 municipalities and 21 counties by their official codes), with
fictional departments, organisations, programmes and people. Rows are bulk-inserted: this is
seed data, not a user's change, so it writes no audit trail.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from stdnum import luhn
from stdnum.se import orgnr

from samskapa.accounts.models import Membership, Role, User
from samskapa.organisations.models import (
    County,
    LegalForm,
    Municipality,
    Organisation,
    OrganisationKind,
)
from samskapa.programmes.models import GateCriterion, Phase, Programme
from samskapa.programmes.services import default_gate_criteria, split_period

EMAIL_DOMAIN = "dataset.samskapa.invalid"


@dataclass(frozen=True)
class Profile:
    municipalities: int  # how many of the 290 get an organisation
    departments_per_municipality: int
    programmes: int
    people: int
    members_per_programme: int
    innovator_organisations: int
    challenges: int
    calls_per_programme: int
    applications: int


PROFILES = {
    "small": Profile(20, 3, 6, 300, 60, 40, 40, 2, 240),
    "national": Profile(290, 3, 50, 5000, 120, 600, 2000, 2, 20_000),
}

# Words the synthetic challenges are made of, so that searches have realistic hits.
SUBJECTS = [
    "ofrivillig ensamhet",
    "unga vuxna utan arbete",
    "trygghet i stadsdelen",
    "meningsfull vardag",
    "psykisk ohälsa",
    "föreningsliv",
    "digital delaktighet",
    "matsvinn i skolan",
    "nyanlända familjer",
    "äldres hälsa",
]
GROUPS = [
    "äldre som bor hemma",
    "unga 13–19 år",
    "boende i stadsdelen",
    "föräldrar",
    "personer med funktionsnedsättning",
    "innovatörer och föreningar",
]
THEMES = ["ensamhet", "unga", "trygghet", "hälsa", "arbete", "delaktighet", "miljö"]

# Share of a programme's members per role.
ROLE_MIX = [
    (Role.OPERATOR, 0.02),
    (Role.STEERING_GROUP, 0.06),
    (Role.NEEDS_OWNER, 0.08),
    (Role.INNOVATOR, 0.40),
    (Role.REVIEWER, 0.10),
    (Role.OBSERVER, 0.34),
]
LEGAL_FORMS = [  # legal form, org-number group prefix
    (LegalForm.AKTIEBOLAG, "559"),
    (LegalForm.AB_SVB, "559"),
    (LegalForm.ECONOMIC_ASSOCIATION, "769"),
    (LegalForm.NON_PROFIT_ASSOCIATION, "802"),
    (LegalForm.FOUNDATION, "802"),
]
DEPARTMENT_NAMES = [
    "Socialförvaltningen",
    "Arbetsmarknadsförvaltningen",
    "Vård- och omsorgsförvaltningen",
    "Skol- och fritidsförvaltningen",
    "Stadsledningsförvaltningen",
]


def _org_number(prefix: str, serial: int) -> str:
    body = f"{prefix}{serial % 1_000_000:06d}"
    return orgnr.format(body + luhn.calc_check_digit(body))


def already_generated() -> bool:
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()


def generate(profile: Profile, *, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)
    # Municipalities that already have an organisation (the demo's city) keep it.
    free = Municipality.objects.exclude(organisations__kind=OrganisationKind.MUNICIPALITY)
    municipalities = list(free.order_by("code")[: profile.municipalities])
    cities = Organisation.objects.bulk_create(
        Organisation(
            name=f"{m.name} kommun",
            kind=OrganisationKind.MUNICIPALITY,
            municipality=m,
            legal_form=LegalForm.PUBLIC_BODY,
        )
        for m in municipalities
    )
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Region {c.name.removesuffix(' län')}",
            kind=OrganisationKind.REGION,
            county=c,
            legal_form=LegalForm.PUBLIC_BODY,
        )
        for c in County.objects.all()
    )
    departments = Organisation.objects.bulk_create(
        Organisation(
            name=DEPARTMENT_NAMES[i],
            kind=OrganisationKind.DEPARTMENT,
            parent=city,
            legal_form=LegalForm.PUBLIC_BODY,
        )
        for city in cities
        for i in range(profile.departments_per_municipality)
    )
    supporters = Organisation.objects.bulk_create(
        Organisation(name=f"Innovationsstöd {m.name}", kind=OrganisationKind.INNOVATION_SUPPORT)
        for m in municipalities[: max(profile.programmes // 2, 1)]
    )
    innovators = Organisation.objects.bulk_create(
        Organisation(
            name=f"Social innovation {i} {form.label[:12]}",
            kind=OrganisationKind.INNOVATOR,
            legal_form=form,
            org_number=_org_number(prefix, 700_000 + i),
        )
        for i, (form, prefix) in enumerate(
            rng.choice(LEGAL_FORMS) for _ in range(profile.innovator_organisations)
        )
    )
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(
            email=f"person{i}@{EMAIL_DOMAIN}", full_name=f"Syntetisk Person {i}", password=unusable
        )
        for i in range(profile.people)
    )
    programmes = _programmes(profile, rng, supporters, departments)
    memberships = _memberships(profile, rng, programmes, people, departments, innovators)
    challenges = _challenges(profile, rng, programmes)
    calls, applications = _calls_and_applications(profile, rng, programmes, people, innovators)
    return {
        "organisations": len(cities) + 21 + len(departments) + len(supporters) + len(innovators),
        "people": len(people),
        "programmes": len(programmes),
        "memberships": memberships,
        "challenges": challenges,
        "calls": calls,
        "applications": applications,
    }


def _programmes(profile, rng, supporters, departments):
    criteria = default_gate_criteria()
    programmes = []
    for i in range(profile.programmes):
        starts_on = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 900))
        programmes.append(
            Programme(
                name=f"Syntetiskt program {i + 1}",
                narrative="Den inkluderande staden",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=730),
                operator_organisation=supporters[i % len(supporters)],
            )
        )
    Programme.objects.bulk_create(programmes)
    phases = Phase.objects.bulk_create(
        Phase(programme=p, kind=kind, starts_on=start, ends_on=end)
        for p in programmes
        for kind, (start, end) in split_period(p.starts_on, p.ends_on).items()
    )
    GateCriterion.objects.bulk_create(
        GateCriterion(phase=phase, text=text, position=i)
        for phase in phases
        for i, text in enumerate(criteria[phase.kind])
    )
    Through = Programme.needs_owners.through
    Through.objects.bulk_create(
        Through(programme_id=p.pk, organisation_id=d.pk)
        for p in programmes
        for d in rng.sample(departments, min(5, len(departments)))
    )
    return programmes


def _memberships(profile, rng, programmes, people, departments, innovators):
    rows = []
    for programme in programmes:
        chosen = rng.sample(people, profile.members_per_programme)
        start = 0
        for role, share in ROLE_MIX:
            count = max(1, round(profile.members_per_programme * share))
            for user in chosen[start : start + count]:
                rows.append(
                    Membership(
                        programme=programme,
                        user=user,
                        role=role,
                        department=rng.choice(departments) if role == Role.NEEDS_OWNER else None,
                        organisation=rng.choice(innovators) if role == Role.INNOVATOR else None,
                    )
                )
            start += count
    Membership.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _challenges(profile, rng, programmes) -> int:
    """Challenges spread over the programmes, three in four of them public, then indexed."""
    from samskapa.challenges.models import Challenge, ChallengeStatus, Tag
    from samskapa.challenges.search import reindex_all

    tags = [Tag.objects.get_or_create(name=name)[0] for name in THEMES]
    departments = {p.pk: list(p.needs_owners.all()) for p in programmes}
    statuses = [ChallengeStatus.PUBLISHED] * 6 + [ChallengeStatus.CLOSED, ChallengeStatus.DRAFT]
    rows = []
    for i in range(profile.challenges):
        programme = programmes[i % len(programmes)]
        subject, group = rng.choice(SUBJECTS), rng.choice(GROUPS)
        status = rng.choice(statuses)
        rows.append(
            Challenge(
                programme=programme,
                department=rng.choice(departments[programme.pk]),
                status=status,
                title=f"{subject.capitalize()} – utmaning {i + 1}",
                need=f"Förvaltningen ser att {subject} berör många {group}.",
                target_group=group.capitalize(),
                desired_effects=f"Mindre {subject}, fler innovatörer",
                published_at=None
                if status == ChallengeStatus.DRAFT
                else _morning(programme.starts_on),
            )
        )
    Challenge.objects.bulk_create(rows, batch_size=500)
    Through = Challenge.tags.through
    Through.objects.bulk_create(
        (Through(challenge_id=c.pk, tag_id=t.pk) for c in rows for t in rng.sample(tags, 2)),
        batch_size=1000,
    )
    reindex_all()
    return len(rows)


def _calls_and_applications(profile, rng, programmes, people, innovators) -> tuple[int, int]:
    """Per programme one call that closed and (the rest) calls open now, each for the
    programme's published challenges; the applications spread evenly over the calls, from
    different people, nine in ten submitted, with the profile fields the funnel counts."""
    from samskapa.calls.models import (
        Application,
        ApplicationStatus,
        Call,
        Gender,
        InnovatorType,
    )
    from samskapa.challenges.models import Challenge, ChallengeStatus

    now = timezone.now()
    calls = []
    for programme in programmes:
        for n in range(profile.calls_per_programme):
            closed = n == 0
            opens = now - timedelta(days=120 if closed else 10)
            calls.append(
                Call(
                    programme=programme,
                    title=f"Syntetisk utlysning {n + 1} – {programme.name}",
                    eligibility="Sociala innovatörer av alla slag.",
                    opens_at=opens,
                    closes_at=now - timedelta(days=60) if closed else now + timedelta(days=30),
                )
            )
    Call.objects.bulk_create(calls)
    published = {}
    for challenge_id, programme_id in Challenge.objects.filter(
        programme__in=programmes, status=ChallengeStatus.PUBLISHED
    ).values_list("pk", "programme_id"):
        published.setdefault(programme_id, []).append(challenge_id)
    Through = Call.challenges.through
    Through.objects.bulk_create(
        (
            Through(call_id=call.pk, challenge_id=challenge_id)
            for call in calls
            for challenge_id in published.get(call.programme_id, [])[:8]
        ),
        batch_size=1000,
    )
    per_call = -(-profile.applications // len(calls)) if calls else 0
    genders = [*Gender.values, ""]
    rows = []
    for call in calls:
        challenge_ids = published.get(call.programme_id, [])[:8]
        for person in rng.sample(people, min(per_call, len(people))):
            if len(rows) == profile.applications:
                break
            submitted = rng.random() < 0.9
            organisation = rng.choice(innovators) if rng.random() < 0.6 else None
            rows.append(
                Application(
                    call=call,
                    applicant=person,
                    organisation=organisation,
                    innovator_type=InnovatorType.ORGANISATION
                    if organisation
                    else rng.choice(InnovatorType.values),
                    gender=rng.choice(genders),
                    status=ApplicationStatus.SUBMITTED if submitted else ApplicationStatus.DRAFT,
                    submitted_at=call.opens_at + timedelta(days=rng.randrange(1, 9))
                    if submitted
                    else None,
                    ranking=rng.sample(challenge_ids, min(3, len(challenge_ids))),
                    shortlisted=submitted and rng.random() < 0.15,
                )
            )
    Application.objects.bulk_create(rows, batch_size=1000)
    return len(calls), len(rows)


def _morning(day):
    return timezone.make_aware(datetime.combine(day, time(9)))
