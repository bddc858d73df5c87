"""Impact cases in the product (samskapa/cases): the proxy library, building a case from the
theory of change (quantities from measured indicators), forecasts and evaluations, the results
page with its tornado chart, the needs owner's view of the municipality's savings, refused input
(nothing stored), the API, the audit trail, and constant queries on the list pages."""

import json
import re
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.cases import services
from samskapa.cases.models import CaseKind, CaseOutcome, ImpactCase, Proxy
from samskapa.impact.models import ChangeStep, Measurement, StepKind
from tests import factories


@pytest.fixture
def setting(programme, people):
    """The programme's innovator's test environment hosted by the needs owner's department,
    with two outcomes in its theory of change (one with a measured indicator) and a proxy."""
    operator = people[Role.OPERATOR]
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    env = factories.environment(
        programme,
        by=operator,
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )
    indicator = factories.indicator(
        env, name="Dagar i hemtjänst", outcome_text="Färre dagar i hemtjänst", unit="dagar"
    )
    Measurement.objects.create(indicator=indicator, period=date(2026, 1, 1), value=180)
    Measurement.objects.create(
        indicator=indicator, period=date(2026, 4, 1), value=200, respondents=3
    )
    second = ChangeStep.objects.create(
        theory=indicator.outcome.theory,
        kind=StepKind.OUTCOME,
        text="Fler i arbete",
        stakeholder="Anhöriga",
        position=2,
    )
    proxy = services.create_proxy(
        programme,
        by=operator,
        name="En dag i hemtjänst",
        value=1000,
        unit="per dag",
        source="Illustrativt",
        year=2025,
        payer="kommun",
    )
    return {
        "env": env,
        "indicator": indicator,
        "home_care": indicator.outcome,
        "work": second,
        "proxy": proxy,
        "operator": operator,
    }


def outcomes(setting, **changes):
    return [
        {
            "step": setting["home_care"].pk,
            "quantity": 100,
            "proxy": setting["proxy"].pk,
            "deadweight": 0.5,
            "duration_years": 2,
            "payer": "kommun",
        }
        | changes,
        {
            "step": setting["work"].pk,
            "quantity": 10,
            "proxy_value": 10000,
            "proxy_source": "Illustrativt: ett år av försörjningsstöd",
            "attribution": 0.5,
            "duration_years": 1,
            "starts": "after",
            "payer": "Arbetsförmedlingen",
        },
    ]


def forecast(setting, by=None, **fields):
    return services.create_case(
        setting["env"],
        by=by or setting["operator"],
        title=fields.pop("title", "Prognos 2026"),
        investment=fields.pop("investment", 50000),
        discount_rate=fields.pop("discount_rate", 0),
        outcomes=fields.pop("outcomes", outcomes(setting)),
    )


# --- Building a case --------------------------------------------------------------------------


def test_a_case_is_built_from_the_theory_of_change_and_calculated(setting):
    case = forecast(setting)
    rows = list(case.outcomes.all())
    assert [r.name for r in rows] == ["Färre dagar i hemtjänst", "Fler i arbete"]
    assert rows[0].proxy_value == 1000  # the library's value
    assert rows[0].proxy_source == "En dag i hemtjänst: Illustrativt (2025)"
    assert rows[1].stakeholder == "Anhöriga"
    results = services.results(case)
    # Home care: 100 × 1000 × 0.5 = 50000 a year, two years: 100000 (kommun)
    # Work: 10 × 10000 × 0.5 = 50000 in year 2 (after): 50000 (Arbetsförmedlingen)
    assert results["present_value"] == pytest.approx(150000)
    assert results["sroi_ratio"] == pytest.approx(3)
    assert results["by_payer"]["kommun"] == pytest.approx(100000)
    assert case.kind == CaseKind.FORECAST
    entry = AuditEntry.objects.get(action="cases.case.created")
    assert entry.object_id == str(case.pk)


def test_a_quantity_can_come_from_the_latest_measurement(setting):
    case = forecast(
        setting, outcomes=outcomes(setting, quantity=None, indicator=setting["indicator"].pk)
    )
    row = case.outcomes.get(step=setting["home_care"])
    assert (row.quantity, row.measured_period, row.measured_respondents) == (
        200,
        date(2026, 4, 1),
        3,
    )
    assert row.measured


def test_an_indicator_without_measurements_is_refused(setting):
    empty = factories.indicator(setting["env"], name="Ensamhet")
    data = outcomes(setting)
    data[0]["step"] = empty.outcome.pk
    data[0]["indicator"] = empty.pk
    with pytest.raises(ValidationError) as caught:
        forecast(setting, outcomes=data)
    assert caught.value.message_dict["outcomes.0.indicator"] == [
        "Ensamhet has no measurements yet: type the quantity instead."
    ]
    assert not ImpactCase.objects.exists()


def test_bad_input_lists_every_problem_and_stores_nothing(setting):
    data = outcomes(setting, deadweight=1.3, payer="kyrkan", duration_years=0)
    data[1]["quantity"] = -4
    with pytest.raises(ValidationError) as caught:
        forecast(setting, title=" ", investment=0, discount_rate=2, outcomes=data)
    assert caught.value.message_dict == {
        "title": ["Give the case a title."],
        "investment": ["The investment must be more than 0 SEK."],
        "discount_rate": ["The discount rate must be at least 0 and less than 1 (0.035 = 3.5 %)."],
        "outcomes.0.deadweight": ["Deadweight is a share: between 0 and 1 (0.3 = 30 %)."],
        "outcomes.0.duration_years": ["The duration must be a whole number of years from 1 to 50."],
        "outcomes.0.payer": ["Choose a payer from the list."],
        "outcomes.1.quantity": ["The quantity cannot be negative."],
    }
    assert not ImpactCase.objects.exists()
    assert not CaseOutcome.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cases.case").exists()


def test_amounts_too_large_to_store_and_nul_characters_are_refused(setting, client_as, people):
    with pytest.raises(ValidationError) as caught:
        forecast(setting, investment=10**13)
    assert caught.value.message_dict == {
        "investment": ["The investment must be less than 1 000 000 000 000 SEK."]
    }
    client = client_as(people[Role.OPERATOR])
    url = f"/api/programmes/{setting['env'].programme_id}/proxies"
    new = {"name": "A\x00", "value": 1, "unit": "st", "source": "S", "year": 2025, "payer": "stat"}
    assert client.post(url, new, content_type="application/json").status_code == 422
    too_big = new | {"name": "Stor", "value": 10**15}
    assert client.post(url, too_big, content_type="application/json").status_code == 422
    assert not Proxy.objects.filter(name="Stor").exists()


IDENTITY = "19121212-1212"  # a valid personnummer (the Tax Agency's test number)


def test_identity_numbers_in_the_title_and_proxy_source_are_refused(setting, client_as, people):
    with pytest.raises(ValidationError) as caught:
        forecast(
            setting,
            title=f"Prognos för {IDENTITY}",
            outcomes=outcomes(setting, proxy_source=f"Uppgift från {IDENTITY}"),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"title", "outcomes.0.proxy_source"}
    assert errors["title"][0].startswith("The title contains what looks like a personal identity")
    assert errors["outcomes.0.proxy_source"][0].startswith("The proxy source contains")
    assert IDENTITY not in str(errors)
    assert not ImpactCase.objects.exists() and not CaseOutcome.objects.exists()
    # The form puts it on the field; the API answers 422; nothing is stored.
    env, home = setting["env"], setting["home_care"]
    client = client_as(people[Role.INNOVATOR])
    page = client.post(
        f"/cases/environments/{env.pk}/new/",
        {
            "title": "Prognos",
            "investment": "50000",
            "discount_rate": "0",
            f"outcome-{home.pk}-include": "on",
            f"outcome-{home.pk}-quantity": "100",
            f"outcome-{home.pk}-proxy_value": "1000",
            f"outcome-{home.pk}-proxy_source": f"Enligt {IDENTITY.replace('-', '')}",
            f"outcome-{home.pk}-deadweight": "0",
            f"outcome-{home.pk}-attribution": "0",
            f"outcome-{home.pk}-displacement": "0",
            f"outcome-{home.pk}-drop_off": "0",
            f"outcome-{home.pk}-duration_years": "1",
            f"outcome-{home.pk}-starts": "during",
            f"outcome-{home.pk}-payer": "kommun",
        },
    )
    assert page.status_code == 200
    assert "The proxy source contains what looks like" in page.content.decode()
    payload = {"title": f"API {IDENTITY}", "investment": 50000, "outcomes": outcomes(setting)}
    api = client.post(f"/api/environments/{env.pk}/cases", payload, content_type="application/json")
    assert api.status_code == 422 and "title" in api.json()["errors"]
    assert not ImpactCase.objects.exists()


@pytest.mark.parametrize("field", ["name", "unit", "source"])
def test_identity_numbers_in_a_library_proxy_are_refused(setting, client_as, people, field):
    operator = people[Role.OPERATOR]
    new = {"name": "Ny", "value": 1, "unit": "st", "source": "S", "year": 2025, "payer": "stat"}
    with pytest.raises(ValidationError) as caught:
        services.create_proxy(
            setting["env"].programme, by=operator, **new | {field: f"x {IDENTITY}"}
        )
    assert list(caught.value.message_dict) == [field]
    assert "looks like a personal identity" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.update_proxy(setting["proxy"], by=operator, **{field: IDENTITY})
    setting["proxy"].refresh_from_db()
    assert IDENTITY not in (setting["proxy"].name, setting["proxy"].unit, setting["proxy"].source)
    url = f"/api/programmes/{setting['env'].programme_id}/proxies"
    api = client_as(operator).post(url, new | {field: IDENTITY}, content_type="application/json")
    assert api.status_code == 422 and field in api.json()["errors"]
    page = client_as(operator).post(
        f"/cases/programmes/{setting['env'].programme_id}/proxies/",
        {**new, field: IDENTITY, "year": "2025", "value": "1"},
    )
    assert page.status_code == 200 and "looks like a personal identity" in page.content.decode()
    assert not Proxy.objects.filter(name__in=["Ny", IDENTITY]).exists()


def test_a_case_needs_an_outcome_of_its_own_theory_of_change(setting, programme):
    other_env = factories.environment(programme, by=setting["operator"])
    foreign = factories.indicator(other_env).outcome
    with pytest.raises(ValidationError) as caught:
        forecast(setting, outcomes=[])
    assert caught.value.message_dict == {
        "outcomes": ["A case needs at least one outcome: include one."]
    }
    with pytest.raises(ValidationError) as caught:
        forecast(setting, outcomes=outcomes(setting, step=foreign.pk))
    assert "outcomes.0.step" in caught.value.message_dict


def test_a_proxy_of_another_programme_is_refused(setting):
    other = factories.programme()
    operator = other.memberships.get(role=Role.OPERATOR).user
    foreign = services.create_proxy(
        other, by=operator, name="X", value=5, unit="st", source="S", year=2024, payer="stat"
    )
    with pytest.raises(ValidationError) as caught:
        forecast(setting, outcomes=outcomes(setting, proxy=foreign.pk))
    assert caught.value.message_dict["outcomes.0.proxy"] == [
        "Choose a proxy from this programme's library."
    ]


def test_updating_replaces_the_outcomes_and_is_audited(setting):
    case = forecast(setting)
    services.update_case(
        case,
        by=setting["operator"],
        title="Prognos, reviderad",
        investment=60000,
        discount_rate=0.035,
        outcomes=outcomes(setting)[:1],
    )
    case.refresh_from_db()
    assert case.title == "Prognos, reviderad"
    assert case.outcomes.count() == 1
    entry = AuditEntry.objects.get(action="cases.case.updated")
    assert entry.changes["title"] == ["Prognos 2026", "Prognos, reviderad"]
    assert "outcomes" in entry.changes


def test_an_evaluation_follows_the_forecast_and_both_stay(setting, client_as):
    case = forecast(setting)
    evaluation = services.start_evaluation(case, by=setting["operator"])
    assert (evaluation.kind, evaluation.follows) == (CaseKind.EVALUATIVE, case)
    assert evaluation.title == "Prognos 2026: evaluation"
    assert evaluation.outcomes.count() == 2
    services.update_case(
        evaluation,
        by=setting["operator"],
        title=evaluation.title,
        investment=50000,
        discount_rate=0,
        outcomes=outcomes(setting, quantity=None, indicator=setting["indicator"].pk),
    )
    assert services.results(case)["present_value"] == pytest.approx(150000)  # unchanged
    # 200 × 1000 × 0.5 × 2 years + 50000 = 250000
    assert services.results(evaluation)["present_value"] == pytest.approx(250000)
    page = client_as(setting["operator"]).get(f"/cases/environments/{setting['env'].pk}/")
    text = page.content.decode()
    assert "Prognos 2026" in text and "Prognos 2026: evaluation" in text
    assert "Forecast" in text and "Evaluative" in text
    detail = client_as(setting["operator"]).get(f"/cases/{evaluation.pk}/").content.decode()
    assert "This evaluation next to its forecast" in detail
    with pytest.raises(ValidationError):
        services.start_evaluation(evaluation, by=setting["operator"])


# --- Who may do what --------------------------------------------------------------------------


def test_who_may_build_a_case(setting, people, programme):
    for role in (Role.STEERING_GROUP, Role.REVIEWER, Role.OBSERVER, "outsider"):
        with pytest.raises(Http404):
            forecast(setting, by=people[role])
    with pytest.raises(PermissionDenied):
        forecast(setting, by=people[Role.NEEDS_OWNER])  # sees it, may not build it
    assert forecast(setting, by=people[Role.INNOVATOR]).created_by == people[Role.INNOVATOR]
    other_innovator = factories.member(programme, Role.INNOVATOR)
    with pytest.raises(Http404):
        forecast(setting, by=other_innovator)


def test_only_operators_keep_the_proxy_library(setting, people, programme, client_as):
    with pytest.raises(PermissionDenied):
        services.create_proxy(
            programme,
            by=people[Role.INNOVATOR],
            name="X",
            value=1,
            unit="st",
            source="S",
            year=2024,
            payer="stat",
        )
    page = client_as(people[Role.OBSERVER]).get(f"/cases/programmes/{programme.pk}/proxies/")
    assert page.status_code == 200
    assert "En dag i hemtjänst" in page.content.decode()
    assert "Add a proxy" not in page.content.decode()
    response = client_as(people[Role.OPERATOR]).post(
        f"/cases/programmes/{programme.pk}/proxies/",
        {
            "name": "Ett besök i primärvården",
            "value": "-5",
            "unit": "per besök",
            "source": "Illustrativt",
            "year": "2025",
            "payer": "region",
        },
    )
    assert response.status_code == 200
    assert not Proxy.objects.filter(name="Ett besök i primärvården").exists()
    services.update_proxy(setting["proxy"], by=people[Role.OPERATOR], value=1100)
    assert AuditEntry.objects.filter(action="cases.proxy.updated").exists()


# --- Pages ------------------------------------------------------------------------------------


def test_the_form_builds_a_case_and_shows_refusals_on_the_outcome(setting, client_as, people):
    env, home, work = setting["env"], setting["home_care"], setting["work"]
    client = client_as(people[Role.INNOVATOR])
    page = client.get(f"/cases/environments/{env.pk}/new/")
    assert page.status_code == 200
    assert "Färre dagar i hemtjänst" in page.content.decode()
    data = {
        "title": "Prognos",
        "investment": "50000",
        "discount_rate": "0",
        f"outcome-{home.pk}-include": "on",
        f"outcome-{home.pk}-quantity": "100",
        f"outcome-{home.pk}-proxy": str(setting["proxy"].pk),
        f"outcome-{home.pk}-deadweight": "1.5",
        f"outcome-{home.pk}-attribution": "0",
        f"outcome-{home.pk}-displacement": "0",
        f"outcome-{home.pk}-drop_off": "0",
        f"outcome-{home.pk}-duration_years": "2",
        f"outcome-{home.pk}-starts": "during",
        f"outcome-{home.pk}-payer": "kommun",
        # The second outcome is left out: its empty fields do not matter.
        f"outcome-{work.pk}-quantity": "",
    }
    refused = client.post(f"/cases/environments/{env.pk}/new/", data)
    assert refused.status_code == 200
    assert "Deadweight is a share: between 0 and 1 (0.3 = 30 %)." in refused.content.decode()
    assert not ImpactCase.objects.exists()
    data[f"outcome-{home.pk}-deadweight"] = "0.5"
    saved = client.post(f"/cases/environments/{env.pk}/new/", data)
    case = ImpactCase.objects.get()
    assert saved.status_code == 302 and saved.url == f"/cases/{case.pk}/"
    assert case.outcomes.count() == 1
    edit = client.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'value="100.0"' in edit or 'value="100"' in edit


def test_the_results_page_has_the_figures_the_tornado_and_its_table(setting, client_as, people):
    case = forecast(setting)
    text = client_as(people[Role.INNOVATOR]).get(f"/cases/{case.pk}/").content.decode()
    assert "SROI ratio" in text and "3.00" in text
    assert '<svg class="tornado"' in text and "<rect" in text
    assert "Sensitivity of the SROI ratio" in text
    assert "How the case is calculated" in text
    assert "style=" not in text.split('<svg class="tornado"')[1].split("</svg>")[0]


def test_the_needs_owner_sees_what_the_municipality_saves_per_year(setting, client_as, people):
    case = forecast(setting, discount_rate=0.1)
    page = client_as(people[Role.NEEDS_OWNER]).get(f"/cases/{case.pk}/budget/")
    assert page.status_code == 200
    budget = page.context["budget"]
    # The kommun's outcome alone: 50000 in years 1 and 2; discounted 45454.55 and 41322.31
    assert [y["value"] for y in budget["years"]] == pytest.approx([50000, 50000])
    assert [y["discounted"] for y in budget["years"]] == pytest.approx(
        [45454.545, 41322.314], abs=0.01
    )
    assert budget["investment"] == 50000
    text = page.content.decode()
    assert "The municipality&#x27;s savings per year" in text or "savings per year" in text
    # The steering group does not see the environment's cases (its visibility): 404.
    assert (
        client_as(people[Role.STEERING_GROUP]).get(f"/cases/{case.pk}/budget/").status_code == 404
    )


def test_a_case_on_fewer_than_5_people_shows_no_figures_outside_the_team(
    setting, client_as, people
):
    # The home-care outcome alone, its quantity the latest measurement (200, on 3 people):
    # first year 200 × 1000 × (1 − 0.5) = 100000, two years, undiscounted: 200000.
    case = forecast(
        setting,
        outcomes=outcomes(setting, quantity=None, indicator=setting["indicator"].pk)[:1],
    )
    evaluation = services.start_evaluation(case, by=setting["operator"])
    reason = "This case rests on a measurement of fewer than 5 people"
    figures = ("100,000", "200,000", "4.00", '<svg class="tornado"', "Year by year")
    env = setting["env"]
    pages = [
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/budget/",
        f"/cases/{evaluation.pk}/",
        f"/cases/environments/{env.pk}/",
    ]
    inside = client_as(people[Role.INNOVATOR])
    assert "100,000" in inside.get(f"/cases/{case.pk}/").content.decode()
    assert "200,000" in inside.get(f"/cases/{case.pk}/budget/").content.decode()
    assert "4.00" in inside.get(f"/cases/environments/{env.pk}/").content.decode()
    for url in pages:
        assert reason not in inside.get(url).content.decode()
    body = inside.get(f"/api/cases/{case.pk}").json()
    assert body["withheld_reason"] is None
    assert body["outcomes"][0]["quantity"] == 200
    assert body["results"]["outcomes"][0]["first_year_impact"] == pytest.approx(100000)
    assert body["municipality"]["present_value"] == pytest.approx(200000)
    # client_as signs the one test client in as another user.
    outside = client_as(people[Role.NEEDS_OWNER])
    for url in pages:
        page = outside.get(url)
        text = page.content.decode()
        assert page.status_code == 200
        assert reason in text, url
        assert not [figure for figure in figures if figure in text], url
    detail = outside.get(f"/cases/{case.pk}/")
    assert detail.context["results"] is None and detail.context["tornado"] is None
    assert "fewer than 5 people" in detail.content.decode()

    for url in (f"/api/cases/{case.pk}", f"/api/cases/{evaluation.pk}"):
        body = outside.get(url).json()
        assert body["withheld_reason"].startswith(reason)
        assert body["outcomes"][0]["quantity"] is None
        assert (body["results"], body["municipality"]) == (None, None)
        assert (body["present_value"], body["sroi_ratio"]) == (None, None)
        assert "100000" not in json.dumps(body) and "200000" not in json.dumps(body)
    listed = outside.get(f"/api/environments/{env.pk}/cases").json()["items"]
    assert {(c["present_value"], c["sroi_ratio"]) for c in listed} == {(None, None)}
    assert all(c["withheld_reason"] for c in listed)


def test_a_case_on_5_people_or_more_shows_its_figures_to_all(setting, client_as, people):
    Measurement.objects.filter(indicator=setting["indicator"], respondents=3).update(respondents=5)
    case = forecast(
        setting, outcomes=outcomes(setting, quantity=None, indicator=setting["indicator"].pk)
    )
    outside = client_as(people[Role.NEEDS_OWNER])
    assert outside.get(f"/cases/{case.pk}/").context["results"] is not None
    assert outside.get(f"/api/cases/{case.pk}").json()["outcomes"][0]["quantity"] == 200


def test_pages_in_swedish(setting, client_as, people):
    case = forecast(setting)
    page = client_as(people[Role.NEEDS_OWNER], language="sv").get(f"/cases/{case.pk}/budget/")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "sv"
    detail = client_as(people[Role.NEEDS_OWNER], language="sv").get(f"/cases/{case.pk}/")
    svg = detail.content.decode().split('<svg class="tornado"')[1].split("</svg>")[0]
    assert not re.search(r'="[0-9.]*,[0-9]', svg)  # coordinates never take a decimal comma


# --- API --------------------------------------------------------------------------------------


def test_the_api_creates_reads_and_updates_a_case(setting, client_as, people):
    client = client_as(people[Role.INNOVATOR])
    env = setting["env"]
    payload = {
        "title": "Prognos via API",
        "investment": 50000,
        "discount_rate": 0,
        "outcomes": outcomes(setting),
    }
    created = client.post(
        f"/api/environments/{env.pk}/cases", payload, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["results"]["sroi_ratio"] == pytest.approx(3)
    listed = client.get(f"/api/environments/{env.pk}/cases").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    payload["outcomes"][0]["deadweight"] = 7
    refused = client.put(f"/api/cases/{body['id']}", payload, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"]["outcomes.0.deadweight"]
    payload["outcomes"][0]["deadweight"] = 0
    updated = client.put(f"/api/cases/{body['id']}", payload, content_type="application/json")
    assert updated.status_code == 200
    assert updated.json()["results"]["present_value"] == pytest.approx(250000)
    budget = client_as(people[Role.NEEDS_OWNER]).get(f"/api/cases/{body['id']}").json()
    assert budget["municipality"]["years"][0]["value"] == pytest.approx(100000)


def test_the_api_proxy_library(setting, client_as, people, programme):
    url = f"/api/programmes/{programme.pk}/proxies"
    assert client_as(people[Role.OBSERVER]).get(url).json()["items"][0]["name"] == (
        "En dag i hemtjänst"
    )
    new = {
        "name": "En månad försörjningsstöd",
        "value": 9000,
        "unit": "per månad",
        "source": "Illustrativt",
        "year": 2025,
        "payer": "kommun",
    }
    assert (
        client_as(people[Role.INNOVATOR])
        .post(url, new, content_type="application/json")
        .status_code
        == 403
    )
    bad = client_as(people[Role.OPERATOR]).post(
        url, new | {"payer": "kyrkan"}, content_type="application/json"
    )
    assert bad.status_code == 422
    good = client_as(people[Role.OPERATOR]).post(url, new, content_type="application/json")
    assert good.status_code == 201


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_do_not_grow_with_cases_and_proxies(setting, client_as, people, programme):
    client = client_as(people[Role.INNOVATOR])
    env = setting["env"]
    urls = [
        f"/cases/environments/{env.pk}/",
        f"/cases/programmes/{programme.pk}/proxies/",
        f"/api/environments/{env.pk}/cases",
        f"/api/programmes/{programme.pk}/proxies",
    ]
    case = forecast(setting)
    services.start_evaluation(case, by=setting["operator"])
    before = [count_queries(client, url) for url in urls]
    for n in range(4):
        more = forecast(setting, title=f"Prognos {n}")
        services.start_evaluation(more, by=setting["operator"])
        services.create_proxy(
            programme,
            by=setting["operator"],
            name=f"Proxy {n}",
            value=10,
            unit="st",
            source="S",
            year=2025,
            payer="kommun",
        )
    after = [count_queries(client, url) for url in urls]
    assert after == before
    detail = count_queries(client, f"/cases/{case.pk}/")
    assert detail <= 12, detail


# --- Demo -------------------------------------------------------------------------------------


def test_the_demo_adds_a_proxy_library_a_forecast_and_an_evaluation(programme, operator):
    from samskapa.core.demo_cases import add_cases

    assert add_cases(programme, operator) == []  # no Ida Berg: only the library
    assert Proxy.objects.filter(programme=programme).count() == 5
    ida = factories.person("innovator@demo.samskapa.se", full_name="Innovatör Ida Berg")
    factories.environment(programme, by=operator, innovator=ida)
    forecast_case, evaluation = add_cases(programme, operator)
    assert (forecast_case.kind, evaluation.kind) == (CaseKind.FORECAST, CaseKind.EVALUATIVE)
    assert evaluation.follows == forecast_case
    assert services.results(forecast_case)["sroi_ratio"] > 1
    measured = evaluation.outcomes.get(position=0)
    assert measured.measured and measured.quantity == 38
    assert all("Illustrativ" in p.source for p in Proxy.objects.filter(programme=programme))
    assert add_cases(programme, operator) == []  # once only
    assert Proxy.objects.filter(programme=programme).count() == 5


def test_the_demo_builds_on_the_impact_demos_theory_of_change(programme, operator):
    from samskapa.core.demo_cases import add_cases
    from samskapa.core.demo_impact import add_impact

    ida = factories.person("innovator@demo.samskapa.se", full_name="Innovatör Ida Berg")
    factories.environment(programme, by=operator, innovator=ida)
    add_impact(programme, operator)
    forecast_case, evaluation = add_cases(programme, operator)
    assert [row.name for row in forecast_case.outcomes.all()] == [
        "Minskad ensamhet",
        "En mer meningsfull vardag",
    ]
    measured = evaluation.outcomes.get(position=0)
    assert (measured.indicator.name, measured.quantity) == ("Deltagare per kvartal", 38)
    # 40 × 22000 × 0.7 × 0.8 a year, drop-off 0.2, 3 years; plus 80 visits × 2300 × 0.6 × 0.7
    # from year 2 for 2 years: well above the pilot's cost
    assert services.results(forecast_case)["sroi_ratio"] > 1.5
