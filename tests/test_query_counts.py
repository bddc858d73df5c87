"""Main pages issue a bounded number of SQL queries that does not grow with the data.

Each page is measured on a slice of the synthetic national dataset, then again after the data it
shows has grown; the count must stay the same and under the bound.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samskapa.accounts.models import Membership, Role
from samskapa.core import dataset
from samskapa.organisations.models import Organisation
from samskapa.programmes.models import Programme
from tests import factories

pytestmark = pytest.mark.django_db

# Every signed-in page starts with the session and the user; then the person's roles, and either
# their permissions (to know whether they must pass a second factor) or, for an operator who
# has passed it, their authenticator.
BOUNDS = {
    "dashboard": 8,  # includes the test environments the user is the contact person for
    "programme": 9,
    "members": 7,
    "history": 8,
    "organisations": 8,  # includes the roles query behind the "My reviews" link
    "api_programmes": 6,
    "api_memberships": 6,
}


@pytest.fixture
def national_slice(db):
    dataset.generate(dataset.PROFILES["small"], seed=7)
    return list(Programme.objects.order_by("pk"))


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow_programme(programme, n=15):
    for _ in range(n):
        for role in (Role.STEERING_GROUP, Role.NEEDS_OWNER, Role.INNOVATOR):
            factories.member(programme, role)
    Organisation.objects.bulk_create(
        Organisation(name=f"Extra {i}", kind="innovator", legal_form="ab") for i in range(80)
    )


def test_dashboard_queries_do_not_grow_with_programmes(client_as, national_slice):
    person = factories.person()
    client = client_as(person)
    for programme in national_slice[:1]:
        Membership.objects.create(programme=programme, user=person, role=Role.OBSERVER)
    small = _count(client, "/dashboard/")
    for programme in national_slice[1:]:
        Membership.objects.create(programme=programme, user=person, role=Role.STEERING_GROUP)
    large = _count(client, "/dashboard/")
    assert large == small <= BOUNDS["dashboard"]


@pytest.mark.parametrize(
    ("page_name", "path"),
    [
        ("programme", "/programmes/{p}/"),
        ("members", "/programmes/{p}/members/"),
        ("history", "/programmes/{p}/history/"),
        ("organisations", "/organisations/"),
        ("api_programmes", "/api/programmes"),
        ("api_memberships", "/api/programmes/{p}/memberships"),
    ],
)
def test_programme_pages_do_not_grow_with_members(client_as, national_slice, page_name, path):
    programme = national_slice[0]
    operator = programme.memberships.filter(role=Role.OPERATOR).first().user
    client = client_as(operator)
    url = path.format(p=programme.pk)
    small = _count(client, url)
    _grow_programme(programme)
    factories.programme(operator=operator)  # and one more programme of theirs
    large = _count(client, url)
    assert large == small <= BOUNDS[page_name], f"{page_name}: {small} then {large} queries"


def test_challenge_list_and_page_do_not_grow_with_challenges(client_as, programme, operator):
    from samskapa.challenges.models import Challenge, StrategyDocument, Tag

    department = factories.department()
    programme.needs_owners.add(department)
    theme = Tag.objects.create(name="ensamhet")

    def add_challenges(n):
        for i in range(n):
            challenge = Challenge.objects.create(
                programme=programme,
                department=department,
                title=f"Utmaning {i}",
                need="n",
                target_group="t",
                desired_effects="d",
            )
            challenge.tags.add(theme)
            StrategyDocument.objects.create(
                challenge=challenge, title="S", url="https://example.se"
            )
        return challenge

    client = client_as(operator)
    first = add_challenges(2)
    small = (
        _count(client, f"/programmes/{programme.pk}/challenges/"),
        _count(client, f"/challenges/{first.pk}/"),
    )
    add_challenges(20)
    large = (
        _count(client, f"/programmes/{programme.pk}/challenges/"),
        _count(client, f"/challenges/{first.pk}/"),
    )
    assert large == small
    assert small[0] <= 7 and small[1] <= 12, small


def test_matching_runs_list_and_api_do_not_grow_with_runs(client_as, programme, operator):
    from samskapa.matching import services as matching
    from samskapa.matching.models import MatchingRun
    from tests.test_matching_product import closed_call_with_reviews

    call, _challenges, _applications = closed_call_with_reviews(programme, operator)
    first = matching.run_matching(call, by=operator)
    others = factories.programme(operator=operator).memberships.get(role=Role.OPERATOR).user

    def add_runs(n):
        # Copies of the first run, by other people (each row's "run by" is read with it).
        last = call.matching_runs.count()
        for number in range(last + 1, last + n + 1):
            MatchingRun.objects.create(
                call=call,
                number=number,
                created_by=factories.person() if number % 2 else others,
                based_on=first,
                mode=first.mode,
                candidates=first.candidates,
                settings=first.settings,
                input=first.input,
                output=first.output,
                **MatchingRun.counts(first.input, first.output),
            )

    client = client_as(operator)
    urls = (f"/matching/calls/{call.pk}/", f"/api/calls/{call.pk}/matching-runs")
    add_runs(1)
    small = tuple(_count(client, url) for url in urls)
    add_runs(60)  # more than a page of each
    large = tuple(_count(client, url) for url in urls)
    assert large == small, (small, large)
    assert small[0] <= 11 and small[1] <= 7, small
