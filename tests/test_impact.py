"""Measuring effects: the theory of change, indicators, the indicator library and manual entry
of measurements — services, pages and API."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.impact import services
from samskapa.impact.models import (
    ChangeStep,
    Indicator,
    LibraryIndicator,
    Measurement,
)
from tests import factories

pytestmark = pytest.mark.django_db

# A valid personal identity number (the Swedish Tax Agency's test range).
PERSONNUMMER = "19900101-0017"


@pytest.fixture
def env(programme, people):
    """The programme's innovator's test environment, hosted by the needs owner's department."""
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    return factories.environment(
        programme,
        by=people[Role.OPERATOR],
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )


def _outcome(env, by, text="Minskad ensamhet", stakeholder="Äldre"):
    return services.add_step(env, by=by, kind="outcome", text=text, stakeholder=stakeholder)


# The theory of change -----------------------------------------------------------------------


def test_links_are_added_in_order_per_column_and_audited(env, people):
    # Given the innovator
    innovator = people[Role.INNOVATOR]
    # When they add two activities and an outcome
    first = services.add_step(env, by=innovator, kind="activity", text="Samtalsgrupper")
    second = services.add_step(env, by=innovator, kind="activity", text="Promenader")
    outcome = _outcome(env, innovator)
    # Then each column has its own order, and each addition is audited
    assert (first.position, second.position, outcome.position) == (0, 1, 0)
    assert AuditEntry.objects.filter(action="impact.step.added").count() == 3
    assert env.theory_of_change.programme == env.programme


def test_an_outcome_needs_its_stakeholder_group(env, people):
    with pytest.raises(ValidationError) as refused:
        services.add_step(env, by=people[Role.INNOVATOR], kind="outcome", text="Mindre ensamhet")
    assert "stakeholder" in refused.value.message_dict
    assert not ChangeStep.objects.exists()


def test_an_identity_number_in_a_link_is_refused_and_nothing_is_stored(env, people):
    with pytest.raises(ValidationError) as refused:
        services.add_step(
            env,
            by=people[Role.INNOVATOR],
            kind="input",
            text=f"Samtal med {PERSONNUMMER}",
        )
    assert "personal identity" in " ".join(refused.value.messages)
    assert PERSONNUMMER not in " ".join(refused.value.messages)
    assert not ChangeStep.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="impact.").exists()


def test_links_move_within_their_column(env, people):
    innovator = people[Role.INNOVATOR]
    a = services.add_step(env, by=innovator, kind="activity", text="A")
    b = services.add_step(env, by=innovator, kind="activity", text="B")
    services.move_step(b, by=innovator, up=True)
    order = list(ChangeStep.objects.filter(kind="activity").values_list("text", flat=True))
    assert order == ["B", "A"]
    # At the top nothing happens
    services.move_step(ChangeStep.objects.get(pk=b.pk), by=innovator, up=True)
    assert ChangeStep.objects.get(pk=a.pk).position == 1
    assert AuditEntry.objects.filter(action="impact.step.moved").count() == 1


def test_an_outcome_with_measurements_cannot_be_removed(env, people):
    innovator = people[Role.INNOVATOR]
    indicator = factories.indicator(env)
    services.record_measurement(indicator, by=innovator, period=date(2026, 1, 1), value=3)
    with pytest.raises(ValidationError):
        services.remove_step(indicator.outcome, by=innovator)
    assert ChangeStep.objects.filter(pk=indicator.outcome_id).exists()
    # An input is removed, audited
    step = services.add_step(env, by=innovator, kind="input", text="Lokal")
    services.remove_step(step, by=innovator)
    assert not ChangeStep.objects.filter(pk=step.pk).exists()
    assert AuditEntry.objects.filter(action="impact.step.removed").count() == 1


def test_only_editors_change_the_theory(env, people):
    for role in (Role.NEEDS_OWNER, Role.STEERING_GROUP, Role.OBSERVER):
        with pytest.raises(PermissionDenied):
            services.add_step(env, by=people[role], kind="input", text="Lokal")
    # Another innovator's operator-less colleague: an innovator of another environment
    other = factories.member(env.programme, Role.INNOVATOR)
    other_env = factories.environment(env.programme, by=people[Role.OPERATOR], innovator=other)
    services.add_step(other_env, by=other, kind="input", text="Lokal")  # their own: fine


def test_the_page_shows_the_chain_in_order_with_arrows_as_text(client_as, env, people):
    innovator = people[Role.INNOVATOR]
    services.add_step(env, by=innovator, kind="impact", text="Ett tryggare åldrande")
    services.add_step(env, by=innovator, kind="input", text="Två processledare")
    _outcome(env, innovator)
    response = client_as(innovator).get(f"/impact/environments/{env.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Två processledare") < html.index("Minskad ensamhet")
    assert html.index("Minskad ensamhet") < html.index("Ett tryggare åldrande")
    assert html.count('<span class="visually-hidden">leads to</span>') == 4
    assert "Stakeholder group: Äldre" in html
    assert "Add the link" in html


def test_the_needs_owner_reads_the_theory_but_cannot_add_links(client_as, env, people):
    client = client_as(people[Role.NEEDS_OWNER])
    page = client.get(f"/impact/environments/{env.pk}/")
    assert page.status_code == 200
    assert "Add the link" not in page.content.decode()
    refused = client.post(
        f"/impact/environments/{env.pk}/steps/", {"kind": "input", "text": "Lokal"}
    )
    assert refused.status_code == 403
    # The steering group does not see the environment at all
    assert (
        client_as(people[Role.STEERING_GROUP]).get(f"/impact/environments/{env.pk}/").status_code
        == 404
    )


def test_the_page_refuses_an_identity_number_with_a_message(client_as, env, people):
    response = client_as(people[Role.INNOVATOR]).post(
        f"/impact/environments/{env.pk}/steps/",
        {"kind": "input", "text": f"Intervju {PERSONNUMMER}"},
    )
    assert response.status_code == 422
    assert "personal identity or coordination number" in response.content.decode()
    assert not ChangeStep.objects.exists()


def test_edit_move_and_remove_through_the_pages(client_as, env, people):
    client = client_as(people[Role.INNOVATOR])
    a = services.add_step(env, by=people[Role.INNOVATOR], kind="output", text="A")
    b = services.add_step(env, by=people[Role.INNOVATOR], kind="output", text="B")
    edited = client.post(f"/impact/steps/{a.pk}/edit/", {"kind": "output", "text": "A2"})
    assert edited.status_code == 302
    assert client.post(f"/impact/steps/{b.pk}/move/", {"direction": "up"}).status_code == 302
    assert list(ChangeStep.objects.values_list("text", flat=True)) == ["B", "A2"]
    assert client.post(f"/impact/steps/{a.pk}/remove/").status_code == 302
    assert list(ChangeStep.objects.values_list("text", flat=True)) == ["B"]


# Indicators ---------------------------------------------------------------------------------


def _indicator_fields(**overrides):
    return {
        "name": "Upplevd ensamhet",
        "definition": "Andel deltagare som ofta känner sig ensamma",
        "unit": "%",
        "direction": "lower",
        "baseline_value": 40,
        "baseline_date": date(2026, 1, 1),
        "target_value": 25,
        "target_date": date(2027, 1, 1),
        "frequency": "quarterly",
        "data_source": "Enkät före och efter",
        **overrides,
    }


def test_an_indicator_is_created_on_an_outcome_and_audited(env, people):
    outcome = _outcome(env, people[Role.INNOVATOR])
    indicator = services.create_indicator(outcome, by=people[Role.INNOVATOR], **_indicator_fields())
    assert indicator.environment == env and indicator.programme == env.programme
    assert AuditEntry.objects.filter(action="impact.indicator.created").count() == 1


def test_a_target_before_the_baseline_is_refused(env, people):
    outcome = _outcome(env, people[Role.INNOVATOR])
    with pytest.raises(ValidationError) as refused:
        services.create_indicator(
            outcome,
            by=people[Role.INNOVATOR],
            **_indicator_fields(target_date=date(2025, 6, 1)),
        )
    assert "target_date" in refused.value.message_dict
    assert not Indicator.objects.exists()


def test_indicators_measure_outcomes_only(env, people):
    activity = services.add_step(env, by=people[Role.INNOVATOR], kind="activity", text="Möten")
    with pytest.raises(ValidationError):
        services.create_indicator(activity, by=people[Role.INNOVATOR], **_indicator_fields())


def test_taking_from_the_library_fills_in_its_definition(env, people):
    operator = people[Role.OPERATOR]
    item = services.create_library_indicator(
        env.programme,
        by=operator,
        name="Social isolering",
        definition="Antal dagar utan samtal",
        unit="dagar",
        direction="lower",
        iris_code="pi4060",
    )
    assert item.iris_code == "PI4060"
    outcome = _outcome(env, people[Role.INNOVATOR])
    indicator = services.create_indicator(
        outcome, by=people[Role.INNOVATOR], library_indicator=item, frequency="monthly"
    )
    assert (indicator.name, indicator.unit, indicator.direction) == (
        "Social isolering",
        "dagar",
        "lower",
    )
    assert indicator.library_indicator == item


def test_another_challenges_library_indicator_is_refused(env, people):
    other_challenge = factories.challenge(env.programme)
    item = services.create_library_indicator(
        env.programme,
        by=people[Role.OPERATOR],
        name="Skolnärvaro",
        definition="d",
        unit="%",
        challenge=other_challenge,
    )
    outcome = _outcome(env, people[Role.INNOVATOR])
    with pytest.raises(ValidationError):
        services.create_indicator(outcome, by=people[Role.INNOVATOR], library_indicator=item)


def test_the_new_indicator_page_prefills_from_the_library(client_as, env, people):
    item = services.create_library_indicator(
        env.programme,
        by=people[Role.OPERATOR],
        name="Social isolering",
        definition="Antal dagar utan samtal",
        unit="dagar",
    )
    outcome = _outcome(env, people[Role.INNOVATOR])
    client = client_as(people[Role.INNOVATOR])
    page = client.get(f"/impact/outcomes/{outcome.pk}/indicators/new/?library={item.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Social isolering"' in html
    assert "Antal dagar utan samtal" in html
    response = client.post(
        f"/impact/outcomes/{outcome.pk}/indicators/new/",
        {
            "library_indicator": item.pk,
            "name": "Social isolering",
            "definition": "Antal dagar utan samtal",
            "unit": "dagar",
            "direction": "lower",
            "frequency": "monthly",
        },
    )
    assert response.status_code == 302
    assert Indicator.objects.get().library_indicator == item


def test_the_indicator_page_refuses_a_target_before_the_baseline(client_as, env, people):
    outcome = _outcome(env, people[Role.INNOVATOR])
    response = client_as(people[Role.INNOVATOR]).post(
        f"/impact/outcomes/{outcome.pk}/indicators/new/",
        {
            "name": "Ensamhet",
            "definition": "d",
            "unit": "%",
            "direction": "lower",
            "frequency": "quarterly",
            "baseline_date": "2026-06-01",
            "target_date": "2026-01-01",
        },
    )
    assert response.status_code == 422
    assert "The target date cannot be before the baseline date." in response.content.decode()
    assert not Indicator.objects.exists()


def test_editing_an_indicator(client_as, env, people):
    indicator = factories.indicator(env)
    response = client_as(people[Role.INNOVATOR]).post(
        f"/impact/indicators/{indicator.pk}/edit/",
        {
            "name": "Ny",
            "definition": "d",
            "unit": "st",
            "direction": "higher",
            "frequency": "yearly",
            "target_value": "10",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.name, indicator.frequency, indicator.target_value) == ("Ny", "yearly", 10)
    assert AuditEntry.objects.filter(action="impact.indicator.updated").count() == 1


# The library ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["P4060", "PI40600", "4060PI", "PI-4060"])
def test_a_malformed_iris_code_is_refused(programme, operator, code):
    with pytest.raises(ValidationError) as refused:
        services.create_library_indicator(
            programme, by=operator, name="N", definition="d", unit="st", iris_code=code
        )
    assert "iris_code" in refused.value.message_dict
    assert not LibraryIndicator.objects.exists()


def test_only_operators_manage_the_library_members_see_it(client_as, programme, people):
    with pytest.raises(PermissionDenied):
        services.create_library_indicator(
            programme, by=people[Role.INNOVATOR], name="N", definition="d", unit="st"
        )
    data = {"name": "Ensamhet", "definition": "d", "unit": "%", "direction": "lower"}
    assert (
        client_as(people[Role.INNOVATOR])
        .post(f"/impact/programmes/{programme.pk}/library/", data)
        .status_code
        == 403
    )
    created = client_as(people[Role.OPERATOR]).post(
        f"/impact/programmes/{programme.pk}/library/", {**data, "iris_code": "OI1479"}
    )
    assert created.status_code == 302
    page = client_as(people[Role.OBSERVER]).get(f"/impact/programmes/{programme.pk}/library/")
    assert page.status_code == 200
    assert "OI1479" in page.content.decode()
    assert "Add to the library" not in page.content.decode()
    assert (
        client_as(people["outsider"]).get(f"/impact/programmes/{programme.pk}/library/").status_code
        == 404
    )


def test_the_library_page_shows_a_bad_iris_code_message(client_as, programme, operator):
    response = client_as(operator).post(
        f"/impact/programmes/{programme.pk}/library/",
        {"name": "N", "definition": "d", "unit": "st", "direction": "higher", "iris_code": "X1"},
    )
    assert response.status_code == 422
    assert "like PI4060 or OI1479" in response.content.decode()


# Measurements -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "day", "period"),
    [
        ("monthly", date(2026, 5, 17), date(2026, 5, 1)),
        ("quarterly", date(2026, 5, 17), date(2026, 4, 1)),
        ("quarterly", date(2026, 12, 31), date(2026, 10, 1)),
        ("half_yearly", date(2026, 8, 2), date(2026, 7, 1)),
        ("yearly", date(2026, 8, 2), date(2026, 1, 1)),
        ("once", date(2026, 8, 2), date(2026, 8, 2)),
    ],
)
def test_the_period_is_the_first_day_by_the_frequency(frequency, day, period):
    assert services.period_start(day, frequency) == period


def test_a_second_value_for_a_period_replaces_the_first_only_when_confirmed(env, people):
    innovator = people[Role.INNOVATOR]
    indicator = factories.indicator(env, frequency="quarterly")
    services.record_measurement(
        indicator, by=innovator, period=date(2026, 2, 3), value=40, respondents=12
    )
    with pytest.raises(services.ReplaceNeeded):
        services.record_measurement(indicator, by=innovator, period=date(2026, 3, 30), value=35)
    assert Measurement.objects.get().value == 40
    services.record_measurement(
        indicator, by=innovator, period=date(2026, 3, 30), value=35, replace=True
    )
    stored = Measurement.objects.get()
    assert (stored.period, stored.value, stored.respondents) == (date(2026, 1, 1), 35, None)
    replaced = AuditEntry.objects.get(action="impact.measurement.replaced")
    assert replaced.changes["value"] == [40, 35]


def test_a_non_numeric_value_or_negative_people_is_refused(env, people):
    indicator = factories.indicator(env)
    for bad in ({"value": "många"}, {"value": float("nan")}, {"value": 3, "respondents": -1}):
        with pytest.raises(ValidationError):
            services.record_measurement(
                indicator, by=people[Role.INNOVATOR], period=date(2026, 1, 1), **bad
            )
    assert not Measurement.objects.exists()


def test_manual_entry_asks_before_replacing(client_as, env, people):
    indicator = factories.indicator(env, frequency="monthly")
    client = client_as(people[Role.INNOVATOR])
    url = f"/impact/indicators/{indicator.pk}/measurements/"
    assert (
        client.post(url, {"period": "2026-03-14", "value": "7", "respondents": "9"}).status_code
        == 302
    )
    asked = client.post(url, {"period": "2026-03-02", "value": "8"})
    assert asked.status_code == 409
    html = asked.content.decode()
    assert "already holds the value 7" in html
    assert 'name="replace" value="True"' in html
    assert Measurement.objects.get().value == 7
    confirmed = client.post(url, {"period": "2026-03-02", "value": "8", "replace": "True"})
    assert confirmed.status_code == 302
    assert Measurement.objects.get().value == 8
    # A bad value: 422 with the message, nothing stored
    bad = client.post(url, {"period": "2026-04-01", "value": "x"})
    assert bad.status_code == 422
    assert Measurement.objects.count() == 1


def test_the_needs_owner_cannot_enter_measurements(client_as, env, people):
    indicator = factories.indicator(env)
    client = client_as(people[Role.NEEDS_OWNER])
    assert client.get(f"/impact/indicators/{indicator.pk}/").status_code == 200
    response = client.post(
        f"/impact/indicators/{indicator.pk}/measurements/", {"period": "2026-01-01", "value": "1"}
    )
    assert response.status_code == 403


# API ------------------------------------------------------------------------------------------


def test_api_builds_a_theory_with_an_indicator_and_measurements(client_as, env, people):
    client = client_as(people[Role.INNOVATOR])
    link = client.post(
        f"/api/environments/{env.pk}/theory-of-change/links",
        {"kind": "outcome", "text": "Minskad ensamhet", "stakeholder": "Äldre"},
        content_type="application/json",
    )
    assert link.status_code == 201, link.content
    link_id = link.json()["id"]
    patched = client.patch(
        f"/api/theory-of-change/links/{link_id}",
        {"text": "Mindre ensamhet"},
        content_type="application/json",
    )
    assert patched.json()["text"] == "Mindre ensamhet"
    indicator = client.post(
        f"/api/theory-of-change/links/{link_id}/indicators",
        {"name": "Ensamhet", "definition": "d", "unit": "%", "frequency": "monthly"},
        content_type="application/json",
    )
    assert indicator.status_code == 201, indicator.content
    indicator_id = indicator.json()["id"]
    url = f"/api/indicators/{indicator_id}/measurements"
    first = client.post(
        url, {"period": "2026-02-11", "value": 3, "respondents": 4}, content_type="application/json"
    )
    assert first.status_code == 201 and first.json()["period"] == "2026-02-01"
    again = client.post(url, {"period": "2026-02-20", "value": 5}, content_type="application/json")
    assert again.status_code == 409 and again.json()["existing"]["value"] == 3
    replaced = client.post(
        url, {"period": "2026-02-20", "value": 5, "replace": True}, content_type="application/json"
    )
    assert replaced.status_code == 200
    assert client.get(url).json() == [
        {
            "period": "2026-02-01",
            "value": 5.0,
            "respondents": None,
            "suppressed": False,
            "environments": None,
        }
    ]
    theory = client.get(f"/api/environments/{env.pk}/theory-of-change").json()
    assert theory["links"][0]["indicator_ids"] == [indicator_id]
    # Removing the measured outcome is refused (422)
    assert client.delete(f"/api/theory-of-change/links/{link_id}").status_code == 422


def test_api_refuses_an_identity_number_and_a_bad_target(client_as, env, people):
    client = client_as(people[Role.INNOVATOR])
    refused = client.post(
        f"/api/environments/{env.pk}/theory-of-change/links",
        {"kind": "input", "text": f"Lista: {PERSONNUMMER}"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert PERSONNUMMER not in refused.content.decode()
    outcome = _outcome(env, people[Role.INNOVATOR])
    bad = client.post(
        f"/api/theory-of-change/links/{outcome.pk}/indicators",
        {
            "name": "E",
            "definition": "d",
            "unit": "%",
            "baseline_date": "2026-05-01",
            "target_date": "2026-01-01",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "target_date" in bad.json()["errors"]


def test_api_library(client_as, programme, people):
    data = {"name": "Ensamhet", "definition": "d", "unit": "%", "iris_code": "PI4060"}
    url = f"/api/programmes/{programme.pk}/indicator-library"
    assert (
        client_as(people[Role.INNOVATOR])
        .post(url, data, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        client_as(people[Role.OPERATOR])
        .post(url, data, content_type="application/json")
        .status_code
        == 201
    )
    bad = client_as(people[Role.OPERATOR]).post(
        url, {**data, "iris_code": "nope"}, content_type="application/json"
    )
    assert bad.status_code == 422
    listed = client_as(people[Role.OBSERVER]).get(url).json()
    assert [item["iris_code"] for item in listed] == ["PI4060"]


# The demo -----------------------------------------------------------------------------------


def test_the_demo_gives_ida_a_theory_of_change_indicators_and_measurements(client_as):
    from io import StringIO

    from django.core.management import call_command

    from samskapa.core.demo import DEMO_DOMAIN
    from samskapa.core.demo_impact import add_impact
    from samskapa.environments.models import TestEnvironment
    from samskapa.programmes.models import Programme

    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get()
    operator = programme.memberships.filter(role=Role.OPERATOR).first().user
    add_impact(programme, operator)
    add_impact(programme, operator)  # a second run adds nothing
    ida = TestEnvironment.objects.get(journey__innovator__email=f"innovator@{DEMO_DOMAIN}")
    assert ida.theory_of_change.steps.count() == 8
    indicators = Indicator.objects.filter(environment=ida)
    assert indicators.count() == 3
    assert indicators.filter(library_indicator__isnull=False).count() == 1
    entered = Measurement.objects.filter(indicator__environment=ida, source="manual")
    assert entered.count() == 21
    assert LibraryIndicator.objects.filter(programme=programme).count() == 4
    bo = programme.memberships.get(user__email=f"behovsagare@{DEMO_DOMAIN}").user
    page = client_as(bo).get(f"/impact/environments/{ida.pk}/dashboard/")
    assert page.status_code == 200
    assert "fewer than 5" in page.content.decode()


def test_the_demo_does_nothing_without_idas_environment(programme, operator):
    from samskapa.core.demo_impact import add_impact

    add_impact(programme, operator)
    assert not LibraryIndicator.objects.exists()
