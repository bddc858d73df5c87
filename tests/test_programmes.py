from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samskapa.accounts.models import Membership, Role
from samskapa.audit.models import AuditEntry
from samskapa.programmes.models import PhaseKind, Programme
from samskapa.programmes.services import split_period
from tests import factories

pytestmark = pytest.mark.django_db


def _programme_form(operator_org, **overrides):
    return {
        "name": "Den inkluderande staden",
        "narrative": "Alla ska kunna delta.",
        "starts_on": "2026-03-01",
        "ends_on": "2028-02-29",
        "operator_organisation": operator_org.pk,
        **overrides,
    }


def test_operator_creates_a_programme_with_the_four_phases_of_the_method(client_as):
    operator = factories.person(operator_group=True)
    support = factories.support_organisation()
    department = factories.department()
    response = client_as(operator).post(
        "/programmes/new/", _programme_form(support, needs_owners=[department.pk])
    )
    programme = Programme.objects.get(name="Den inkluderande staden")
    assert response.status_code == 302 and response["Location"] == f"/programmes/{programme.pk}/"
    phases = list(programme.phases.order_by("kind"))
    assert [p.kind for p in phases] == list(PhaseKind.values)
    assert phases[0].starts_on == date(2026, 3, 1) and phases[-1].ends_on == date(2028, 2, 29)
    assert all(phase.criteria.exists() for phase in phases)
    assert list(programme.needs_owners.all()) == [department]
    # The creator runs it.
    assert Membership.objects.filter(
        programme=programme, user=operator, role=Role.OPERATOR
    ).exists()
    assert AuditEntry.objects.filter(
        programme=programme, action="programmes.programme.created"
    ).exists()


def test_end_date_before_start_date_is_refused_and_nothing_created(client_as):
    operator = factories.person(operator_group=True)
    response = client_as(operator).post(
        "/programmes/new/",
        _programme_form(
            factories.support_organisation(), starts_on="2027-01-01", ends_on="2026-01-01"
        ),
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Programme.objects.exists()


def test_operator_edits_phase_dates_and_gate_criteria(client_as, programme, operator):
    url = f"/programmes/{programme.pk}/phases/{PhaseKind.TEST_ENVIRONMENT}/edit/"
    response = client_as(operator).post(
        url,
        {
            "starts_on": "2026-04-01",
            "ends_on": "2026-12-31",
            "criteria": "Testmiljö avtalad\n\n  GDPR-avtal klart  \n",
        },
    )
    assert response.status_code == 302
    phase = programme.phases.get(kind=PhaseKind.TEST_ENVIRONMENT)
    assert [c.text for c in phase.criteria.all()] == ["Testmiljö avtalad", "GDPR-avtal klart"]
    entry = AuditEntry.objects.get(action="programmes.phase.updated")
    assert entry.actor == operator
    assert entry.changes["criteria"][1] == ["Testmiljö avtalad", "GDPR-avtal klart"]
    page = client_as(operator).get(f"/programmes/{programme.pk}/").content.decode()
    assert "GDPR-avtal klart" in page
    history = client_as(operator).get(f"/programmes/{programme.pk}/history/").content.decode()
    assert "<dt>Gate criteria</dt>" in history and "Phase changed" in history


def test_phase_end_before_start_is_refused(client_as, programme, operator):
    url = f"/programmes/{programme.pk}/phases/1/edit/"
    before = [c.text for c in programme.phases.get(kind=1).criteria.all()]
    response = client_as(operator).post(
        url, {"starts_on": "2026-05-01", "ends_on": "2026-04-01", "criteria": "x"}
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert [c.text for c in programme.phases.get(kind=1).criteria.all()] == before


def test_duplicate_membership_is_refused_with_a_clear_error(client_as, programme, operator):
    person = factories.member(programme, Role.OBSERVER)
    response = client_as(operator).post(
        f"/programmes/{programme.pk}/members/", {"email": person.email, "role": "observer"}
    )
    assert response.status_code == 200
    assert "This person already has this role in the programme." in response.content.decode()
    assert programme.memberships.filter(user=person).count() == 1


def test_one_person_can_hold_different_roles_in_different_programmes(
    client_as, programme, operator
):
    person = factories.member(programme, Role.INNOVATOR)
    other = factories.programme()
    factories.member(other, Role.REVIEWER, user=person)
    page = client_as(person).get("/dashboard/").content.decode()
    assert programme.name in page and other.name in page
    assert "Innovator" in page and "Reviewer" in page


def test_needs_owner_must_act_for_a_department(client_as, programme, operator):
    client = client_as(operator)
    url = f"/programmes/{programme.pk}/members/"
    response = client.post(
        url, {"email": "bo@example.se", "full_name": "Bo", "role": "needs_owner"}
    )
    assert "A needs owner acts for a department." in response.content.decode()
    assert not programme.memberships.filter(user__email="bo@example.se").exists()
    outside = factories.department(name="Någon annans förvaltning")
    data = {"email": "bo@example.se", "full_name": "Bo", "role": "needs_owner"}
    response = client.post(url, {**data, "department": outside.pk})
    assert "Select a valid choice" in response.content.decode()  # not in this programme
    department = factories.department(name="Socialförvaltningen")
    programme.needs_owners.add(department)
    page = client.get(url).content.decode()
    assert f"Socialförvaltningen ({department.parent.name})" in page
    assert "Någon annans förvaltning" not in page
    client.post(url, {**data, "department": department.pk})
    assert programme.memberships.get(user__email="bo@example.se").department == department


def test_adding_a_member_with_htmx_returns_the_updated_panel(client_as, programme, operator):
    response = client_as(operator).post(
        f"/programmes/{programme.pk}/members/",
        {"email": "ny@example.se", "full_name": "Ny Person", "role": "reviewer"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div id="members-panel">' in body and "<html" not in body
    assert "Ny Person" in body
    # The confirmation goes out of band into the live region that stays on the page.
    assert 'id="members-status"' in body and 'hx-swap-oob="true"' in body
    assert "ny@example.se is added." in body


def test_removing_a_member_is_audited(client_as, programme, operator):
    person = factories.member(programme, Role.OBSERVER)
    membership = programme.memberships.get(user=person)
    client_as(operator).post(f"/programmes/{programme.pk}/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.membership.removed")
    assert entry.changes["person"] == [str(person), None]


def test_programme_page_shows_steering_and_needs_owner_groups(client_as, programme, people):
    page = client_as(people[Role.OBSERVER]).get(f"/programmes/{programme.pk}/").content.decode()
    assert people[Role.STEERING_GROUP].full_name in page
    assert people[Role.NEEDS_OWNER].full_name in page
    # Other innovators' names are not shown to an observer.
    assert people[Role.INNOVATOR].full_name not in page


def test_dashboard_lists_only_my_programmes(client_as, programme, people):
    other = factories.programme(name="Någon annans program")
    page = client_as(people[Role.INNOVATOR]).get("/dashboard/").content.decode()
    assert programme.name in page and other.name not in page


def test_history_shows_who_changed_what(client_as, programme, operator):
    client = client_as(operator)
    client.post(
        f"/programmes/{programme.pk}/edit/",
        {
            "name": "Nytt namn",
            "narrative": programme.narrative,
            "starts_on": programme.starts_on,
            "ends_on": programme.ends_on,
            "operator_organisation": programme.operator_organisation_id,
        },
    )
    page = client.get(f"/programmes/{programme.pk}/history/").content.decode()
    assert "Programme changed" in page and "programmes.programme.updated" in page
    assert operator.full_name in page and "Nytt namn" in page
    assert "<dt>Name</dt>" in page  # the field as the form labels it, not its code name


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    length=st.integers(min_value=0, max_value=3650),
)
def test_phase_periods_are_consecutive_and_cover_the_programme(start, length):
    end = start + timedelta(days=length)
    periods = list(split_period(start, end).values())
    assert periods[0][0] == start and periods[-1][1] == end
    for first, last in periods:
        assert start <= first <= last <= end
    for (_, previous_end), (next_start, _) in zip(periods, periods[1:], strict=False):
        assert next_start in (previous_end + timedelta(days=1), previous_end)


def test_a_membership_of_another_programme_cannot_be_removed_through_this_one(
    client_as, programme, people
):
    # An operator of programme B, who is also an observer in programme A (ours)
    other = factories.programme()
    outsider_operator = other.memberships.get(role=Role.OPERATOR).user
    own = Membership.objects.create(programme=programme, user=outsider_operator, role=Role.OBSERVER)
    victim = programme.memberships.get(user=people[Role.INNOVATOR])
    client = client_as(outsider_operator)
    for membership in (victim, own):
        response = client.post(f"/programmes/{other.pk}/members/{membership.pk}/remove/")
        assert response.status_code == 404
    assert Membership.objects.filter(pk__in=[victim.pk, own.pk]).count() == 2


def test_dashboard_shows_the_current_phase(client_as):
    today = date.today()
    programme = factories.programme(
        starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=300)
    )
    current = next(p for p in programme.phases.all() if p.is_current())
    person = factories.member(programme, Role.OBSERVER)
    page = client_as(person).get("/dashboard/").content.decode()
    assert f"Current phase: {current.name}" in page


def test_a_phase_stays_within_the_programme_period(client_as, programme, operator):
    url = f"/programmes/{programme.pk}/phases/4/edit/"
    response = client_as(operator).post(
        url, {"starts_on": "2027-06-01", "ends_on": "2030-01-01", "criteria": "x"}
    )
    assert "A phase lies within the programme" in response.content.decode()
    assert programme.phases.get(kind=4).ends_on == programme.ends_on


def test_shortening_the_programme_past_its_phases_is_refused(client_as, programme, operator):
    response = client_as(operator).post(
        f"/programmes/{programme.pk}/edit/",
        {
            "name": programme.name,
            "narrative": programme.narrative,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "operator_organisation": programme.operator_organisation_id,
        },
    )
    assert response.status_code == 200
    assert "change their dates first" in response.content.decode()
    programme.refresh_from_db()
    assert programme.ends_on == date(2027, 12, 31)


def test_the_last_operator_cannot_be_removed(client_as, programme, operator):
    own = programme.memberships.get(user=operator, role=Role.OPERATOR)
    client = client_as(operator)
    response = client.post(f"/programmes/{programme.pk}/members/{own.pk}/remove/", follow=True)
    assert "A programme needs at least one operator" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    factories.member(programme, Role.OPERATOR)
    client.post(f"/programmes/{programme.pk}/members/{own.pk}/remove/")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_creating_a_programme_records_its_first_operator(programme, operator):
    actions = list(
        AuditEntry.objects.filter(programme=programme)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["programmes.programme.created", "accounts.membership.added"]
