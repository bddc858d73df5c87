"""The figures behind the impact dashboards, aggregated in the database.

* An environment's dashboard: each indicator over time against its baseline and target.
* A challenge's dashboard: the indicators its environments took from the library, averaged
  across the environments by period, and each environment's own indicators.

Pages show the last `PERIODS_SHOWN` periods of each indicator (found with an index scan per
indicator, so the cost does not grow with the history); the XLSX export holds all.

Suppression: for anyone outside the innovator's own team (permissions.in_innovator_team) a
figure resting on fewer than 5 people (a measurement's `respondents` known and under 5) is not
shown — "fewer than 5" in tables, left out of charts, left out of averages across environments.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, OuterRef, Q, Subquery, Sum

from samskapa.accounts import permissions
from samskapa.impact.models import Indicator, Measurement

PERIODS_SHOWN = 36
# A challenge's dashboard draws every environment's own indicators: a shorter window each.
OWN_PERIODS_SHOWN = 12
MIN_PEOPLE = 5


@dataclass
class Point:
    period: date
    value: float | None  # None: suppressed
    respondents: int | None = None
    environments: int | None = None  # averages across environments: how many contributed

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Series:
    key: str
    name: str
    unit: str
    direction: str
    subtitle: str = ""
    baseline: float | None = None
    baseline_date: date | None = None
    target: float | None = None
    target_date: date | None = None
    points: list[Point] = field(default_factory=list)
    truncated: bool = False  # older periods left out of the page
    limit: int | None = None  # how many periods the page shows
    aggregated: bool = False
    indicator: Indicator | None = None
    iris_code: str = ""
    uses: int = 0  # averages across environments: how many environments use the indicator

    @property
    def any_suppressed(self) -> bool:
        return any(p.suppressed for p in self.points)


def _small(respondents) -> bool:
    return respondents is not None and respondents < MIN_PEOPLE


def _with_cutoffs(indicators, limit, name="cutoff"):
    """Each indicator with the first period of its last `limit` measurements (None: fewer)."""
    if limit is None:
        return indicators
    latest = Measurement.objects.filter(indicator=OuterRef("pk")).order_by("-period")
    return indicators.annotate(**{name: Subquery(latest.values("period")[limit - 1 : limit])})


def _window(indicators, limit) -> Q:
    """Measurements of `indicators` within their last `limit` periods: one OR branch per
    distinct cutoff, so that each is an index range scan on (indicator, period)."""
    if limit is None:
        return Q(indicator_id__in=[i.pk for i in indicators])
    by_cutoff: dict[date | None, list[int]] = {}
    for indicator in indicators:
        by_cutoff.setdefault(indicator.cutoff, []).append(indicator.pk)
    window = Q(pk__in=[])
    for cutoff, ids in by_cutoff.items():
        branch = Q(indicator_id__in=ids)
        if cutoff is not None:
            branch &= Q(period__gte=cutoff)
        window |= branch
    return window


def _series_of(indicator, *, team: bool, subtitle="", limit=None) -> Series:
    return Series(
        key=f"i{indicator.pk}",
        name=indicator.name,
        unit=indicator.unit,
        direction=indicator.direction,
        subtitle=subtitle,
        baseline=indicator.baseline_value,
        baseline_date=indicator.baseline_date,
        target=indicator.target_value,
        target_date=indicator.target_date,
        truncated=getattr(indicator, "cutoff", None) is not None,
        limit=limit,
        indicator=indicator,
        iris_code=indicator.library_indicator.iris_code if indicator.library_indicator else "",
    )


def _fill(series_by_indicator, indicators, limit, *, team_of) -> None:
    if not indicators:
        return
    rows = (
        Measurement.objects.filter(_window(indicators, limit))
        .order_by("indicator_id", "period")
        .values_list("indicator_id", "period", "value", "respondents")
    )
    for indicator_id, period, value, respondents in rows:
        series = series_by_indicator[indicator_id]
        hidden = _small(respondents) and not team_of(series.indicator)
        series.points.append(
            Point(period, None if hidden else value, None if hidden else respondents)
        )


def environment_dashboard(user, environment, *, limit=PERIODS_SHOWN) -> list[Series]:
    """Each indicator of the environment with its measurements (the last `limit` periods;
    None: all), suppressed for anyone outside the innovator's team."""
    team = permissions.in_innovator_team(user, environment)
    indicators = list(
        _with_cutoffs(
            Indicator.objects.filter(environment=environment)
            .select_related("outcome", "library_indicator")
            .order_by("outcome__position", "outcome_id", "name", "pk"),
            limit,
        )
    )
    series = {
        i.pk: _series_of(i, team=team, subtitle=i.outcome.text, limit=limit) for i in indicators
    }
    _fill(series, indicators, limit, team_of=lambda _indicator: team)
    return list(series.values())


def indicator_series(user, indicator, environment) -> Series:
    """One indicator with all its measurements (its own page)."""
    team = permissions.in_innovator_team(user, environment)
    series = {indicator.pk: _series_of(indicator, team=team, subtitle=indicator.outcome.text)}
    _fill(series, [indicator], None, team_of=lambda _indicator: team)
    return series[indicator.pk]


@dataclass
class ChallengeDashboard:
    shared: list[Series]
    own: list[Series]
    environments: list


def challenge_dashboard(
    user, challenge, *, limit=PERIODS_SHOWN, own_limit=OWN_PERIODS_SHOWN
) -> ChallengeDashboard:
    """The challenge's environments' indicators: those taken from the library averaged across
    environments by period (in the database; the last `limit` periods), and each environment's
    own (the last `own_limit`). `limit` None: every period of both."""
    own_limit = None if limit is None else own_limit
    from samskapa.environments.models import TestEnvironment

    environments = list(
        TestEnvironment.objects.filter(challenge=challenge)
        .select_related("journey__innovator", "programme")
        .order_by("journey__innovator__full_name", "pk")
    )
    team = {env.pk: permissions.in_innovator_team(user, env) for env in environments}
    by_env = {env.pk: env for env in environments}
    indicators = list(
        _with_cutoffs(
            _with_cutoffs(
                Indicator.objects.filter(environment__challenge=challenge)
                .select_related("library_indicator")
                .order_by("environment_id", "name", "pk"),
                limit,
            ),
            own_limit,
            name="own_cutoff",
        )
    )
    own = [i for i in indicators if i.library_indicator_id is None]
    for indicator in own:
        indicator.cutoff = getattr(indicator, "own_cutoff", None)
    shared = [i for i in indicators if i.library_indicator_id is not None]

    own_series = {
        i.pk: _series_of(
            i,
            team=team[i.environment_id],
            subtitle=by_env[i.environment_id].journey.innovator.full_name,
            limit=own_limit,
        )
        for i in own
    }
    _fill(own_series, own, own_limit, team_of=lambda indicator: team[indicator.environment_id])

    shared_series: dict[int, Series] = {}
    for indicator in shared:
        library = indicator.library_indicator
        if library.pk not in shared_series:
            shared_series[library.pk] = Series(
                key=f"l{library.pk}",
                name=library.name,
                unit=library.unit,
                direction=library.direction,
                aggregated=True,
                iris_code=library.iris_code,
                limit=limit,
            )
        shared_series[library.pk].uses += 1
    if shared:
        rows = Measurement.objects.filter(_window(shared, limit))
        outside = [env_id for env_id, in_team in team.items() if not in_team]
        if outside:
            rows = rows.exclude(indicator__environment_id__in=outside, respondents__lt=MIN_PEOPLE)
        rows = (
            rows.values("indicator__library_indicator_id", "period")
            .annotate(
                mean=Avg("value"),
                people=Sum("respondents"),
                count=Count("indicator__environment_id", distinct=True),
            )
            .order_by("indicator__library_indicator_id", "period")
        )
        for row in rows:
            series = shared_series[row["indicator__library_indicator_id"]]
            series.points.append(
                Point(row["period"], row["mean"], row["people"], environments=row["count"])
            )
        for series in shared_series.values():
            if limit is not None and len(series.points) > limit:
                series.points = series.points[-limit:]
                series.truncated = True
            elif limit is not None and any(
                i.cutoff for i in shared if i.library_indicator_id == int(series.key[1:])
            ):
                series.truncated = True
    return ChallengeDashboard(
        shared=list(shared_series.values()),
        own=list(own_series.values()),
        environments=environments,
    )
