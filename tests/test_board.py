"""The programme board and the journeys' list pages: a constant number of queries, whatever
the number of journeys, gates and meetings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.journeys import services
from samskapa.journeys.models import GroupKind, Journey
from tests import factories

pytestmark = pytest.mark.django_db


def add_journeys(programme, operator, steering, n):
    """`n` innovator journeys, each with a decided gate (go, to phase 3) and an open gate with
    a recommendation awaiting the steering group's decision."""
    journeys = []
    for _ in range(n):
        innovator = factories.member(programme, Role.INNOVATOR)
        journey = Journey.objects.create(programme=programme, innovator=innovator)
        gate = services.open_gate(journey, by=operator)
        services.recommend(gate, by=operator, recommendation="go", text="Klart")
        services.decide(
            gate,
            by=steering,
            decision="go",
            rationale="Bra",
            decided_on=timezone.localdate(),
            members_present=[steering],
        )
        gate = services.open_gate(journey, by=operator)
        services.recommend(gate, by=operator, recommendation="iterate", text="Mer")
        journeys.append(journey)
    return journeys


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def steering(programme, people):
    return people[Role.STEERING_GROUP]


def test_board_queries_are_constant(
    client_as, programme, operator, steering, django_assert_num_queries
):
    add_journeys(programme, operator, steering, 3)
    client = client_as(steering)
    url = f"/journeys/programme/{programme.pk}/board/"
    few = _count(client, url)

    add_journeys(programme, operator, steering, 27)
    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.content.decode().count('<th scope="row">') == 30
    assert few <= 10


def test_board_api_queries_are_constant(client_as, programme, operator, steering):
    add_journeys(programme, operator, steering, 3)
    client = client_as(operator)
    url = f"/api/programmes/{programme.pk}/board"
    few = _count(client, url)
    add_journeys(programme, operator, steering, 27)
    assert _count(client, url) == few
    assert len(client.get(url).json()["rows"]) == 30


def test_journey_lists_and_gate_history_queries_are_constant(
    client_as, programme, operator, steering
):
    [journey] = add_journeys(programme, operator, steering, 1)
    client = client_as(steering)
    urls = [
        f"/journeys/programme/{programme.pk}/",
        f"/journeys/{journey.pk}/",
        f"/api/programmes/{programme.pk}/journeys",
        f"/api/journeys/{journey.pk}/gates",
    ]
    before = {url: _count(client, url) for url in urls}

    add_journeys(programme, operator, steering, 10)
    gate = journey.gates.get(decision="")
    services.decide(
        gate,
        by=steering,
        decision="iterate",
        rationale="Igen",
        decided_on=timezone.localdate(),
        members_present=[steering],
    )
    for _ in range(3):
        gate = services.open_gate(journey, by=operator)
        services.recommend(gate, by=operator, recommendation="iterate", text="Mer")
        services.decide(
            gate,
            by=steering,
            decision="iterate",
            rationale="Igen",
            decided_on=timezone.localdate(),
            members_present=[steering],
        )

    assert {url: _count(client, url) for url in urls} == before


def test_meeting_lists_queries_are_constant(client_as, programme, operator, steering):
    def add_meetings(n):
        for _ in range(n):
            services.create_meeting(
                programme,
                by=operator,
                kind=GroupKind.STEERING_GROUP,
                starts_at=timezone.now(),
                agenda=["Punkt"],
                attendees=[steering],
            )

    add_meetings(1)
    client = client_as(steering)
    urls = [
        f"/journeys/programme/{programme.pk}/meetings/",
        f"/api/programmes/{programme.pk}/meetings",
    ]
    before = {url: _count(client, url) for url in urls}
    add_meetings(8)
    assert {url: _count(client, url) for url in urls} == before
