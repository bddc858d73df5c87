"""Creating test environments. The workspace's own verbs live beside them."""

from django.db import transaction

from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.services import record
from samskapa.environments.models import TestEnvironment
from samskapa.journeys.models import Journey


@transaction.atomic
def create_for_matches(matches, *, by: User) -> list[TestEnvironment]:
    """One test environment per confirmed match, in the confirming transaction: the innovator
    gets a journey in the programme (in phase 2) and the innovator role, and the challenge's
    offer and contact person are the environment's starting point. The caller has checked
    "call.match"."""
    environments = []
    for match in matches:
        application = match.application
        challenge = match.challenge
        programme = challenge.programme
        journey, _created = Journey.objects.get_or_create(
            programme=programme,
            innovator=application.applicant,
            defaults={
                "organisation": application.organisation,
                "application": application,
                "facilitator": by,
            },
        )
        Membership.objects.get_or_create(
            programme=programme,
            user=application.applicant,
            role=Role.INNOVATOR,
            defaults={"organisation": application.organisation},
        )
        environment = TestEnvironment.objects.create(
            programme=programme,
            journey=journey,
            match=match,
            challenge=challenge,
            host_department=challenge.department,
            contact_person=challenge.contact_person,
            facilitator=by,
            target_group_access=challenge.target_group_access,
            premises=challenge.premises,
            data_offered=challenge.data_offered,
            budget=challenge.budget_max,
        )
        record(actor=by, action="environments.created", obj=environment, programme=programme)
        environments.append(environment)
    return environments
