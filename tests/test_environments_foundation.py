"""Test environments are created for confirmed matches and by hand; visibility of them."""

import pytest

from samskapa.accounts.models import Role
from samskapa.environments.models import TestEnvironment
from samskapa.journeys.models import Journey
from tests import factories

pytestmark = pytest.mark.django_db


def test_by_hand_gives_the_innovator_a_journey_in_phase_two_and_the_innovator_role(
    programme, operator
):
    environment = factories.environment(programme, by=operator)
    journey = environment.journey
    assert journey.get_phase_display() == "Test environments & business development"
    assert programme.memberships.filter(user=journey.innovator, role=Role.INNOVATOR).exists()
    assert environment.host_department == environment.challenge.department


def test_only_the_innovator_the_host_department_and_operators_see_an_environment(
    programme, operator, people
):
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    environment = factories.environment(
        programme, by=operator, challenge_=factories.challenge(programme, host.department)
    )
    other = factories.environment(programme, by=operator)

    def sees(user):
        return set(TestEnvironment.objects.visible_to(user))

    assert sees(operator) == {environment, other}
    assert sees(environment.journey.innovator) == {environment}
    assert sees(people[Role.NEEDS_OWNER]) == {environment}
    for role in (Role.INNOVATOR, Role.OBSERVER, Role.REVIEWER, Role.STEERING_GROUP, "outsider"):
        assert sees(people[role]) == set(), role
    # The steering group sees every journey of its programme (gates and decisions).
    assert set(Journey.objects.visible_to(people[Role.STEERING_GROUP])) == {
        environment.journey,
        other.journey,
    }
    assert set(Journey.objects.visible_to(people[Role.INNOVATOR])) == set()


def test_the_named_contact_person_works_in_the_workspace_without_a_programme_role(
    programme, operator
):
    from samskapa.accounts import permissions

    contact = factories.person()
    environment = factories.environment(programme, by=operator, contact_person=contact)
    other = factories.environment(programme, by=operator)

    assert set(TestEnvironment.objects.visible_to(contact)) == {environment}
    assert permissions.can(contact, "workspace.contribute", environment)
    assert not permissions.can(contact, "workspace.contribute", other)
    assert not permissions.can(contact, "environment.change", environment)


def test_a_contact_person_without_a_role_finds_the_environment_on_the_dashboard(
    programme, operator, client_as
):
    contact = factories.person()
    environment = factories.environment(programme, by=operator, contact_person=contact)
    factories.environment(programme, by=operator, challenge_=factories.challenge(programme))

    page = client_as(contact).get("/dashboard/").content.decode()

    assert page.count('href="/environments/') == 1
    assert f'href="{environment.get_absolute_url()}"' in page
    assert "You are not a member of any programme yet" not in page


def test_the_edit_page_offers_the_contact_person_who_holds_no_programme_role(
    programme, operator, client_as
):
    contact = factories.person(full_name="Kim Kontakt")
    environment = factories.environment(programme, by=operator, contact_person=contact)

    page = client_as(operator).get(f"/environments/{environment.pk}/edit/")

    assert page.status_code == 200
    assert "Kim Kontakt" in page.content.decode()
