"""Impact dashboards: charts with data tables, suppression of figures on fewer than 5 people
outside the innovator's team, the challenge's averages across environments, XLSX exports and
constant query counts."""

from datetime import date
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from samskapa.accounts.models import Role
from samskapa.impact import charts, dashboards, services
from samskapa.impact.models import LibraryIndicator, Measurement
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge(programme, people):
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    return factories.challenge(programme, host.department)


@pytest.fixture
def env(programme, people, challenge):
    return factories.environment(
        programme, by=people[Role.OPERATOR], innovator=people[Role.INNOVATOR], challenge_=challenge
    )


def _measure(indicator, values, *, respondents=None, start_year=2026):
    """Quarterly values from the first quarter of `start_year`."""
    Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            period=date(start_year + i // 4, 3 * (i % 4) + 1, 1),
            value=value,
            respondents=respondents[i] if respondents else None,
        )
        for i, value in enumerate(values)
    )


def test_the_environment_dashboard_draws_each_indicator_with_a_table(client_as, env, people):
    indicator = factories.indicator(
        env,
        name="Upplevd ensamhet",
        baseline_value=40,
        target_value=25,
        baseline_date=date(2026, 1, 1),
    )
    _measure(indicator, [40, 36, 31.5])
    response = client_as(people[Role.INNOVATOR]).get(f"/impact/environments/{env.pk}/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "<title id=" in html
    assert "Upplevd ensamhet over time" in html
    assert 'stroke-dasharray="6 4"' in html
    assert "Baseline 40" in html and "Target 25" in html
    assert "<caption>Upplevd ensamhet by period</caption>" in html
    assert '<th scope="row">' in html and "31.5" in html
    assert "<polyline" in html


def test_figures_on_fewer_than_5_people_are_suppressed_outside_the_team(client_as, env, people):
    # Given an indicator whose second figure rests on 3 people
    indicator = factories.indicator(env, name="Trygghet")
    _measure(indicator, [11, 22, 33], respondents=[12, 3, None])
    # The innovator (own team) and the operator see every figure
    for role in (Role.INNOVATOR, Role.OPERATOR):
        [series] = dashboards.environment_dashboard(people[role], env)
        assert [p.value for p in series.points] == [11, 22, 33]
    # The host department's needs owner sees "fewer than 5" in the table, and no point in the chart
    [series] = dashboards.environment_dashboard(people[Role.NEEDS_OWNER], env)
    assert [p.value for p in series.points] == [11, None, 33]
    assert series.points[1].respondents is None
    html = client_as(people[Role.NEEDS_OWNER]).get(f"/impact/environments/{env.pk}/dashboard/")
    html = html.content.decode()
    assert "fewer than 5" in html
    assert ">22<" not in html and "22.0" not in html
    # The line is broken at the suppressed figure: two points, no polyline between them
    assert html.count("<circle") == 2
    assert "<polyline" not in html


def test_the_environment_export_has_every_period_with_the_same_suppression(client_as, env, people):
    indicator = factories.indicator(env, name="Trygghet")
    _measure(indicator, list(range(40)), respondents=[4] + [20] * 39)
    response = client_as(people[Role.NEEDS_OWNER]).get(
        f"/impact/environments/{env.pk}/dashboard.xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 40
    assert rows[0][9] == "fewer than 5" and rows[0][10] == "fewer than 5"
    assert rows[1][9] == 1
    own = client_as(people[Role.INNOVATOR]).get(f"/impact/environments/{env.pk}/dashboard.xlsx")
    first = list(load_workbook(BytesIO(own.content)).active.iter_rows(min_row=3, values_only=True))
    assert first[0][9] == 0 and first[0][10] == 4


def test_the_page_shows_the_last_36_periods(client_as, env, people):
    indicator = factories.indicator(env, name="Trygghet")
    _measure(indicator, list(range(50)))
    [series] = dashboards.environment_dashboard(people[Role.INNOVATOR], env)
    assert len(series.points) == 36 and series.points[0].value == 14 and series.truncated
    [full] = dashboards.environment_dashboard(people[Role.INNOVATOR], env, limit=None)
    assert len(full.points) == 50
    html = client_as(people[Role.INNOVATOR]).get(f"/impact/environments/{env.pk}/dashboard/")
    assert "the XLSX export holds them all" in html.content.decode()


def test_the_challenge_dashboard_shows_fewer_periods_of_own_indicators(people, env, challenge):
    own = factories.indicator(env, name="Egen")
    _measure(own, list(range(20)))
    board = dashboards.challenge_dashboard(people[Role.OPERATOR], challenge)
    assert [p.value for p in board.own[0].points] == list(range(8, 20))
    assert board.own[0].truncated and board.own[0].limit == 12
    full = dashboards.challenge_dashboard(people[Role.OPERATOR], challenge, limit=None)
    assert len(full.own[0].points) == 20


def _library(programme, operator, name="Ensamhet"):
    return services.create_library_indicator(
        programme, by=operator, name=name, definition="d", unit="%", direction="lower"
    )


def test_the_challenge_dashboard_averages_library_indicators_across_environments(
    client_as, programme, people, env, challenge
):
    operator = people[Role.OPERATOR]
    item = _library(programme, operator)
    other = factories.environment(programme, by=operator, challenge_=challenge)
    first = factories.indicator(env, library_indicator=item, name="Ensamhet")
    second = factories.indicator(other, library_indicator=item, name="Ensamhet (vår)")
    own = factories.indicator(other, name="Egen indikator")
    _measure(first, [10, 20], respondents=[10, 10])
    _measure(second, [30, 40], respondents=[10, 2])
    _measure(own, [7], respondents=[3])
    # The operator (every innovator's team): every figure, averaged by period
    board = dashboards.challenge_dashboard(operator, challenge)
    [shared] = board.shared
    assert [(p.value, p.environments) for p in shared.points] == [(20, 2), (30, 2)]
    assert shared.uses == 2
    assert [p.value for p in board.own[0].points] == [7]
    # The steering group: the figure on 2 people is left out of the average, the own one hidden
    board = dashboards.challenge_dashboard(people[Role.STEERING_GROUP], challenge)
    [shared] = board.shared
    assert [(p.value, p.environments) for p in shared.points] == [(20, 2), (20, 1)]
    assert board.own[0].points[0].suppressed
    response = client_as(people[Role.STEERING_GROUP]).get(
        f"/impact/challenges/{challenge.pk}/dashboard/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Common indicators from the library" in html and "Average across 2" in html
    assert "Egen indikator" in html and "fewer than 5" in html
    api = client_as(people[Role.STEERING_GROUP]).get(
        f"/api/challenges/{challenge.pk}/impact-dashboard"
    )
    assert api.status_code == 200
    data = api.json()
    assert [p["value"] for p in data["common"][0]["points"]] == [20, 20]
    assert data["own"][0]["points"][0] == {
        "period": "2026-01-01",
        "value": None,
        "respondents": None,
        "suppressed": True,
        "environments": None,
    }
    xlsx = client_as(people[Role.STEERING_GROUP]).get(
        f"/impact/challenges/{challenge.pk}/dashboard.xlsx"
    )
    book = load_workbook(BytesIO(xlsx.content))
    own_rows = list(book.worksheets[1].iter_rows(min_row=3, values_only=True))
    assert own_rows[0][9] == "fewer than 5"


def test_who_sees_the_challenge_dashboard(client_as, programme, people, challenge, env):
    url = f"/impact/challenges/{challenge.pk}/dashboard/"
    assert client_as(people[Role.NEEDS_OWNER]).get(url).status_code == 200
    assert client_as(people[Role.INNOVATOR]).get(url).status_code in (403, 404)
    other_department = factories.challenge(programme)
    other_url = f"/impact/challenges/{other_department.pk}/dashboard/"
    assert client_as(people[Role.NEEDS_OWNER]).get(other_url).status_code in (403, 404)
    assert client_as(people["outsider"]).get(url).status_code == 404


def test_the_api_dashboard_suppresses_the_same_way(client_as, env, people):
    indicator = factories.indicator(env, name="Trygghet")
    _measure(indicator, [1, 2], respondents=[2, 9])
    own = client_as(people[Role.INNOVATOR]).get(f"/api/environments/{env.pk}/impact-dashboard")
    assert [p["value"] for p in own.json()["indicators"][0]["points"]] == [1, 2]
    host = client_as(people[Role.NEEDS_OWNER]).get(f"/api/environments/{env.pk}/impact-dashboard")
    data = host.json()
    assert data["suppressed_outside_team"] is True
    assert [p["value"] for p in data["indicators"][0]["points"]] == [None, 2]
    listed = client_as(people[Role.NEEDS_OWNER]).get(f"/api/indicators/{indicator.pk}/measurements")
    assert [p["suppressed"] for p in listed.json()] == [True, False]


# Charts -------------------------------------------------------------------------------------


def test_nice_ticks_cover_the_range_with_round_steps():
    assert charts.nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    ticks = charts.nice_ticks(3.2, 8.9)
    assert ticks[0] <= 3.2 and ticks[-1] >= 8.9
    assert charts.nice_ticks(5, 5)[0] <= 4


def test_a_chart_of_only_suppressed_figures_says_so():
    series = dashboards.Series(
        key="x",
        name="N",
        unit="%",
        direction="higher",
        points=[dashboards.Point(date(2026, 1, 1), None)],
    )
    assert "fewer than 5" in charts.line_chart(series, chart_id="c")


# Query counts -------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow(env, item, n):
    for i in range(n):
        indicator = factories.indicator(
            env, name=f"I{i}", library_indicator=item if i % 2 else None
        )
        _measure(indicator, list(range(40)), respondents=[3, 8] * 20)


def test_dashboards_use_a_constant_number_of_queries(client_as, programme, people, env, challenge):
    item = _library(programme, people[Role.OPERATOR])
    other = factories.environment(programme, by=people[Role.OPERATOR], challenge_=challenge)
    _grow(env, item, 3)
    _grow(other, item, 3)
    innovator = client_as(people[Role.INNOVATOR])
    small_env = _count(innovator, f"/impact/environments/{env.pk}/dashboard/")
    steering = client_as(people[Role.STEERING_GROUP])
    small_challenge = _count(steering, f"/impact/challenges/{challenge.pk}/dashboard/")
    _grow(env, item, 27)
    _grow(other, item, 27)
    innovator = client_as(people[Role.INNOVATOR])
    assert _count(innovator, f"/impact/environments/{env.pk}/dashboard/") == small_env
    steering = client_as(people[Role.STEERING_GROUP])
    assert _count(steering, f"/impact/challenges/{challenge.pk}/dashboard/") == small_challenge
    assert small_env <= 9 and small_challenge <= 10, (small_env, small_challenge)
    assert LibraryIndicator.objects.count() == 1


def test_a_name_like_a_formula_stays_text_in_the_export(client_as, env, people):
    indicator = factories.indicator(env, name='=HYPERLINK("https://example.se","x")')
    _measure(indicator, [1, 2])
    response = client_as(people[Role.INNOVATOR]).get(
        f"/impact/environments/{env.pk}/dashboard.xlsx"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    for row in (3, 4):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value.startswith("=HYPERLINK")
    assert [sheet.cell(row=row, column=10).value for row in (3, 4)] == [1, 2]


def test_the_environment_page_links_the_challenge_dashboard_for_those_who_may_open_it(
    client_as, env, people
):
    url = f"/impact/challenges/{env.challenge_id}/dashboard/"
    for role, shown in ((Role.NEEDS_OWNER, True), (Role.OPERATOR, True), (Role.INNOVATOR, False)):
        page = client_as(people[role]).get(f"/environments/{env.pk}/")
        assert (url in page.content.decode()) is shown, role
