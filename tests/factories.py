"""Shared builders for tests. They go through the services, as real data does."""

import itertools
from datetime import date

from samskapa.accounts.models import Membership, Role, User
from samskapa.organisations.models import LegalForm, Municipality, Organisation, OrganisationKind
from samskapa.programmes.services import create_programme

_sequence = itertools.count(1)

# Real, published organisation numbers with valid check digits (public companies).
VALID_ORG_NUMBERS = ["556036-0793", "556012-5790", "502017-7753"]


def person(email=None, *, full_name=None, password=None, operator_group=False) -> User:
    n = next(_sequence)
    user = User.objects.create_user(
        email=email or f"person{n}@example.se",
        password=password,
        full_name=full_name or f"Person {n}",
    )
    if operator_group:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name="Operators"))
    return user


def municipality(code="0180", name=None) -> Organisation:
    """The organisation of one municipality (there is one per official code)."""
    organisation, _ = Organisation.objects.get_or_create(
        kind=OrganisationKind.MUNICIPALITY,
        municipality_id=code,
        defaults={
            "name": name or f"{Municipality.objects.get(code=code).name} kommun",
            "legal_form": LegalForm.PUBLIC_BODY,
        },
    )
    return organisation


def department(parent=None, name=None) -> Organisation:
    parent = parent or municipality()
    return Organisation.objects.create(
        name=name or f"Förvaltning {next(_sequence)}",
        kind=OrganisationKind.DEPARTMENT,
        parent=parent,
    )


def support_organisation(name=None) -> Organisation:
    return Organisation.objects.create(
        name=name or f"Innovationsstöd {next(_sequence)}", kind=OrganisationKind.INNOVATION_SUPPORT
    )


def programme(
    *,
    operator=None,
    name=None,
    starts_on=date(2026, 1, 1),
    ends_on=date(2027, 12, 31),
    needs_owners=(),
):
    operator = operator or person(operator_group=True)
    return create_programme(
        by=operator,
        name=name or f"Programme {next(_sequence)}",
        narrative="Den inkluderande staden",
        starts_on=starts_on,
        ends_on=ends_on,
        operator_organisation=support_organisation(),
        needs_owners=needs_owners,
    )


def member(programme, role, user=None, department_=None) -> User:
    user = user or person()
    if role == Role.NEEDS_OWNER and department_ is None:
        department_ = department()
    Membership.objects.create(programme=programme, user=user, role=role, department=department_)
    return user


def challenge(programme, department_=None, *, title=None, contact_person=None):
    """A published challenge of `programme` from `department_` (a new department if none)."""
    from samskapa.challenges.models import Challenge, ChallengeStatus

    department_ = department_ or department()
    programme.needs_owners.add(department_)
    return Challenge.objects.create(
        programme=programme,
        department=department_,
        title=title or f"Utmaning {next(_sequence)}",
        need="Behovet",
        target_group="Målgruppen",
        desired_effects="Effekterna",
        contact_person=contact_person,
        status=ChallengeStatus.PUBLISHED,
    )


def environment(programme, *, by, innovator=None, challenge_=None, **fields):
    """A test environment set up by hand by operator `by`: the innovator (a new person unless
    given) gets a journey in phase 2 and the innovator role."""
    from samskapa.environments.services import create_by_hand

    innovator = innovator or person()
    challenge_ = challenge_ or challenge(programme)
    return create_by_hand(programme, by=by, innovator=innovator, challenge=challenge_, **fields)


def indicator(
    environment_, *, name=None, outcome_text="Minskad ensamhet", stakeholder="Äldre", **fields
):
    """An indicator on a new outcome of `environment_`'s theory of change (created if none)."""
    from samskapa.impact.models import ChangeStep, Indicator, StepKind, TheoryOfChange

    theory, _created = TheoryOfChange.objects.get_or_create(
        environment=environment_, defaults={"programme": environment_.programme}
    )
    outcome = ChangeStep.objects.create(
        theory=theory, kind=StepKind.OUTCOME, text=outcome_text, stakeholder=stakeholder
    )
    defaults = {"definition": "Andel som uppger att de känner sig ensamma", "unit": "%"}
    return Indicator.objects.create(
        outcome=outcome,
        environment=environment_,
        programme=environment_.programme,
        name=name or f"Indikator {next(_sequence)}",
        **{**defaults, **fields},
    )
