"""Calls and applications in the API: the same visibility as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.calls.models import Application, ApplicationStatus, Call
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(programme):
    now = timezone.now()
    return Call.objects.create(
        programme=programme,
        title="Utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
        blind_review=True,
    )


def _submitted(call, person):
    return Application.objects.create(
        call=call,
        applicant=person,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=call.closes_at - timedelta(days=2),
        innovator_type="student",
        gender="woman",
    )


def test_operators_see_every_submitted_application_with_names(client_as, call, operator):
    _submitted(call, factories.person(full_name="Ada Ansökare"))
    items = client_as(operator).get(f"/api/calls/{call.pk}/applications").json()["items"]
    assert [item["applicant_name"] for item in items] == ["Ada Ansökare"]
    assert "gender" not in items[0]  # for aggregate statistics only


def test_an_applicant_sees_only_their_own_application(client_as, call):
    ada, bo = factories.person(full_name="Ada"), factories.person(full_name="Bo")
    _submitted(call, ada)
    _submitted(call, bo)
    items = client_as(ada).get(f"/api/calls/{call.pk}/applications").json()["items"]
    assert [item["applicant_name"] for item in items] == ["Ada"]


def test_blind_review_hides_names_from_needs_owners(client_as, programme, call):
    from samskapa.challenges.models import Challenge, ChallengeStatus

    department = factories.department()
    programme.needs_owners.add(department)
    challenge = Challenge.objects.create(
        programme=programme,
        department=department,
        status=ChallengeStatus.PUBLISHED,
        title="Ensamhet",
        need="n",
        target_group="t",
        desired_effects="d",
    )
    call.challenges.add(challenge)
    owner = factories.member(programme, Role.NEEDS_OWNER, department_=department)
    _submitted(call, factories.person(full_name="Ada Ansökare"))
    items = client_as(owner).get(f"/api/calls/{call.pk}/applications").json()["items"]
    assert len(items) == 1 and items[0]["applicant_name"] is None


def test_calls_outside_ones_programmes_answer_404(client_as, call):
    stranger = factories.member(factories.programme(), Role.OPERATOR)
    assert client_as(stranger).get(f"/api/calls/{call.pk}").status_code == 404
    assert client_as(stranger).get(f"/api/calls/{call.pk}/applications").status_code == 404
