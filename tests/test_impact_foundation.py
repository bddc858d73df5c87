"""Who sees a test environment's impact data, and who counts as the innovator's own team."""

import pytest

from samskapa.accounts import permissions
from samskapa.accounts.models import Role
from samskapa.impact.models import Indicator
from tests import factories

pytestmark = pytest.mark.django_db


def test_indicators_are_seen_with_their_test_environment(programme, operator, people):
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    environment = factories.environment(
        programme,
        by=operator,
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )
    mine = factories.indicator(environment)
    theirs = factories.indicator(factories.environment(programme, by=operator))

    def sees(user):
        return set(Indicator.objects.visible_to(user))

    assert sees(operator) == {mine, theirs}
    assert sees(people[Role.INNOVATOR]) == {mine}
    assert sees(people[Role.NEEDS_OWNER]) == {mine}
    for role in (Role.STEERING_GROUP, Role.OBSERVER, Role.REVIEWER, "outsider"):
        assert sees(people[role]) == set(), role

    assert permissions.in_innovator_team(people[Role.INNOVATOR], environment)
    assert permissions.in_innovator_team(operator, environment)
    assert not permissions.in_innovator_team(people[Role.NEEDS_OWNER], environment)
    assert permissions.can(people[Role.INNOVATOR], "impact.edit", environment)
    assert not permissions.can(people[Role.NEEDS_OWNER], "impact.edit", environment)


def test_the_challenge_dashboard_is_for_its_own_department(programme, people):
    own = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    own_challenge = factories.challenge(programme, own.department)
    other_challenge = factories.challenge(programme)
    needs_owner = people[Role.NEEDS_OWNER]

    assert permissions.can(needs_owner, "impact.view_challenge", own_challenge)
    assert not permissions.can(needs_owner, "impact.view_challenge", other_challenge)
    assert permissions.can(people[Role.STEERING_GROUP], "impact.view_challenge", other_challenge)
    assert not permissions.can(people[Role.INNOVATOR], "impact.view_challenge", own_challenge)


def test_the_challenge_page_links_its_impact_dashboard_for_those_who_may_open_it(
    programme, people, client_as
):
    own = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    challenge = factories.challenge(programme, own.department)
    link = f'href="/impact/challenges/{challenge.pk}/dashboard/"'

    for role in (Role.OPERATOR, Role.STEERING_GROUP, Role.NEEDS_OWNER):
        page = client_as(people[role]).get(f"/challenges/{challenge.pk}/")
        assert link in page.content.decode(), role
    page = client_as(people[Role.INNOVATOR]).get(f"/challenges/{challenge.pk}/")
    assert page.status_code == 200 and link not in page.content.decode()
