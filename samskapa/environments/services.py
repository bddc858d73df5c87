"""Creating test environments. The workspace's own verbs live beside them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
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
        journey = journey_for(
            programme,
            application.applicant,
            organisation=application.organisation,
            application=application,
            by=by,
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


def journey_for(programme, innovator: User, *, by: User, organisation=None, application=None):
    """The innovator's journey in the programme (started in phase 2 when new), and the
    innovator role in it."""
    membership, _created = Membership.objects.get_or_create(
        programme=programme,
        user=innovator,
        role=Role.INNOVATOR,
        defaults={"organisation": organisation},
    )
    journey, _created = Journey.objects.get_or_create(
        programme=programme,
        innovator=innovator,
        defaults={
            "organisation": organisation or membership.organisation,
            "application": application,
            "facilitator": by,
        },
    )
    return journey


@transaction.atomic
def create_by_hand(programme, *, by: User, innovator: User, challenge, **fields):
    """A test environment an operator sets up without a match (e.g. an innovator who came in
    before the platform). The challenge must be the programme's."""
    permissions.require(by, "environment.create", programme)
    if challenge.programme_id != programme.pk:
        raise ValidationError(_("The challenge belongs to another programme."))
    journey = journey_for(programme, innovator, by=by)
    environment = TestEnvironment(
        programme=programme,
        journey=journey,
        challenge=challenge,
        host_department=challenge.department,
        contact_person=fields.pop("contact_person", challenge.contact_person),
        facilitator=fields.pop("facilitator", by),
        **fields,
    )
    environment.full_clean()
    environment.save()
    record(actor=by, action="environments.created", obj=environment, programme=programme)
    return environment
