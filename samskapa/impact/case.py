"""The impact case (social return on investment): a pure calculation, no Django import.

Input (`parse_case` takes it as JSON-like data, `calculate` as a `CaseInput`):

    {"investment": 620000, "discount_rate": 0.035,
     "outcomes": [{"name": "...", "stakeholder": "...", "quantity": 220, "proxy_value": 4500,
       "proxy_source": "...", "deadweight": 0.3, "attribution": 0.2, "displacement": 0.0,
       "drop_off": 0.2, "duration_years": 3, "starts": "during", "payer": "kommun"}]}

Conventions (those of the Social Value / SROI guide; docs/impact-case.md says the same):

* An outcome's impact in its first year = quantity × proxy × (1 − deadweight) ×
  (1 − displacement) × (1 − attribution). Each later year is the previous year × (1 − drop_off)
  (drop-off applies from the second year on). It lasts `duration_years` years. `starts:
  "during"` puts the first year in year 1; `"after"` one year later, in year 2.
* Present value = Σ over years t = 1, 2, … of the year's total / (1 + discount_rate)^t (year 1
  is discounted). Net present value = present value − investment; SROI ratio = present value /
  investment.
* Payback in months = investment / (total first-year impact / 12), where the total
  first-year impact is year 1's total, undiscounted (the first row of `years`): an outcome that
  starts after the pilot, in year 2, does not count in it. None when that total is 0.
* Sensitivity: for each outcome and each of deadweight, attribution and drop-off, the ratio with
  the share moved by −25, −10, +10 and +25 percentage points (clamped to 0–1); for the proxy,
  the ratio with the value moved by −25 %, −10 %, +10 %, +25 %. `break_even` is the value of
  that parameter (everything else unchanged) at which the ratio is exactly 1.0, when one exists
  within the parameter's range (0–1 for shares, ≥ 0 for the proxy); None otherwise (also when
  the ratio does not depend on it, e.g. the drop-off of a one-year outcome).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

PAYERS = (
    "kommun",
    "region",
    "stat",
    "Försäkringskassan",
    "Arbetsförmedlingen",
    "individual",
    "other",
)
STARTS = ("during", "after")
SHARES = ("deadweight", "attribution", "displacement", "drop_off")
# The parameters the sensitivity varies (displacement is not among them, as the issue asks).
SENSITIVITY_PARAMETERS = ("deadweight", "attribution", "drop_off", "proxy_value")
STEPS = (-0.25, -0.10, 0.10, 0.25)
DEFAULT_DISCOUNT_RATE = 0.035
MAX_DURATION_YEARS = 50

_OUTCOME_FIELDS = (
    "name",
    "stakeholder",
    "quantity",
    "proxy_value",
    "proxy_source",
    "deadweight",
    "attribution",
    "displacement",
    "drop_off",
    "duration_years",
    "starts",
    "payer",
)
_REQUIRED_OUTCOME_FIELDS = ("name", "quantity", "proxy_value", "duration_years", "payer")
_CASE_FIELDS = ("investment", "discount_rate", "outcomes")


@dataclass(frozen=True)
class Outcome:
    name: str
    quantity: float
    proxy_value: float
    duration_years: int
    payer: str
    stakeholder: str = ""
    proxy_source: str = ""
    deadweight: float = 0.0
    attribution: float = 0.0
    displacement: float = 0.0
    drop_off: float = 0.0
    starts: str = "during"

    @property
    def first_year(self) -> int:
        """The year (1, 2, …) the outcome first has an effect."""
        return 2 if self.starts == "after" else 1

    @property
    def first_year_impact(self) -> float:
        return (
            self.quantity
            * self.proxy_value
            * (1 - self.deadweight)
            * (1 - self.displacement)
            * (1 - self.attribution)
        )

    def impact_in(self, year: int) -> float:
        """Undiscounted impact in `year` (1-based); 0 outside the years it lasts."""
        k = year - self.first_year
        if k < 0 or k >= self.duration_years:
            return 0.0
        return self.first_year_impact * (1 - self.drop_off) ** k

    @property
    def last_year(self) -> int:
        return self.first_year + self.duration_years - 1


@dataclass(frozen=True)
class CaseInput:
    investment: float
    outcomes: tuple[Outcome, ...]
    discount_rate: float = DEFAULT_DISCOUNT_RATE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (`outcomes[0].deadweight`), a code the product
    translates, its parameters, and an English message."""

    where: str
    code: str
    message: str
    params: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


class InvalidCase(ValueError):
    """Every problem of an input at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# --- Parsing ----------------------------------------------------------------------------------


def _finite(value) -> float | None:
    """value as a finite float, or None (booleans, text, NaN, infinities, huge integers)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def parse_case(data) -> CaseInput:
    """A `CaseInput` from JSON-like data, or `InvalidCase` listing every problem found."""
    problems: list[Problem] = []

    def problem(where, code, message, **params):
        problems.append(Problem(where, code, message, params))

    if not isinstance(data, dict):
        raise InvalidCase([Problem("", "not_an_object", "The input must be a JSON object.")])
    for name in sorted(set(data) - set(_CASE_FIELDS), key=str):
        problem(str(name), "unknown_field", f"unknown field {name!r}", field=str(name))

    investment = _number(data, "investment", lambda *a, **k: problem("investment", *a, **k))
    if investment is not None and investment <= 0:
        problem(
            "investment",
            "not_positive",
            f"the investment must be more than 0, not {investment:g}",
            value=investment,
        )
    discount_rate = DEFAULT_DISCOUNT_RATE
    if "discount_rate" in data:
        discount_rate = _number(
            data, "discount_rate", lambda *a, **k: problem("discount_rate", *a, **k)
        )
        if discount_rate is not None and not 0 <= discount_rate < 1:
            problem(
                "discount_rate",
                "rate",
                f"the discount rate must be at least 0 and less than 1, not {discount_rate:g}",
                value=discount_rate,
            )

    outcomes: list[Outcome] = []
    raw_outcomes = data.get("outcomes")
    if "outcomes" not in data:
        problem("outcomes", "missing", "missing field 'outcomes'", field="outcomes")
    elif not isinstance(raw_outcomes, list):
        problem("outcomes", "not_a_list", "'outcomes' must be a list of outcomes")
    elif not raw_outcomes:
        problem("outcomes", "no_outcomes", "a case needs at least one outcome")
    else:
        for index, raw in enumerate(raw_outcomes):
            outcome = _outcome(raw, f"outcomes[{index}]", problem)
            if outcome is not None:
                outcomes.append(outcome)

    if problems:
        raise InvalidCase(problems)
    return CaseInput(
        investment=float(investment), outcomes=tuple(outcomes), discount_rate=float(discount_rate)
    )


def _number(data, key, report):
    """data[key] as a float, or None after reporting what is wrong with it."""
    if key not in data:
        report("missing", f"missing field {key!r}", field=key)
        return None
    value = _finite(data[key])
    if value is None:
        report("not_a_number", f"{key} must be a number, not {data[key]!r}", field=key)
    return value


def _outcome(raw, where, problem) -> Outcome | None:
    if not isinstance(raw, dict):
        problem(where, "not_an_object", "an outcome must be a JSON object")
        return None
    count = 0

    def bad(suffix, code, message, **params):
        nonlocal count
        count += 1
        problem(f"{where}.{suffix}" if suffix else where, code, message, **params)

    for name in sorted(set(raw) - set(_OUTCOME_FIELDS), key=str):
        bad(str(name), "unknown_field", f"unknown field {name!r}", field=str(name))
    for name in _REQUIRED_OUTCOME_FIELDS:
        if name not in raw:
            bad(name, "missing", f"missing field {name!r}", field=name)
    values = {}
    for name in ("name", "stakeholder", "proxy_source"):
        if name in raw:
            if not isinstance(raw[name], str):
                bad(name, "not_text", f"{name} must be text", field=name)
            else:
                values[name] = raw[name].strip()
    if "name" in values and not values["name"]:
        bad("name", "missing", "the outcome needs a name", field="name")
    for name in ("quantity", "proxy_value"):
        if name in raw:
            value = _number(raw, name, lambda *a, n=name, **k: bad(n, *a, **k))
            if value is not None and value < 0:
                bad(
                    name,
                    "negative",
                    f"{name} cannot be negative, not {value:g}",
                    field=name,
                    value=value,
                )
            elif value is not None:
                values[name] = value
    for name in SHARES:
        if name in raw:
            value = _number(raw, name, lambda *a, n=name, **k: bad(n, *a, **k))
            if value is not None and not 0 <= value <= 1:
                bad(
                    name,
                    "share",
                    f"{name} must be between 0 and 1, not {value:g}",
                    field=name,
                    value=value,
                )
            elif value is not None:
                values[name] = value
    if "duration_years" in raw:
        value = raw["duration_years"]
        number = _finite(value)
        if number is None or number != int(number) or not 1 <= number <= MAX_DURATION_YEARS:
            bad(
                "duration_years",
                "duration",
                f"duration_years must be a whole number of years from 1 to "
                f"{MAX_DURATION_YEARS}, not {value!r}",
                value=value,
                limit=MAX_DURATION_YEARS,
            )
        else:
            values["duration_years"] = int(number)
    if "starts" in raw:
        if raw["starts"] not in STARTS:
            bad(
                "starts",
                "unknown_starts",
                f'starts must be "during" or "after", not {raw["starts"]!r}',
                value=str(raw["starts"]),
            )
        else:
            values["starts"] = raw["starts"]
    if "payer" in raw:
        if raw["payer"] not in PAYERS:
            bad(
                "payer",
                "unknown_payer",
                f"unknown payer {raw['payer']!r} (one of: {', '.join(PAYERS)})",
                value=str(raw["payer"]),
            )
        else:
            values["payer"] = raw["payer"]
    if count:
        return None
    return Outcome(**values)


# --- Calculation ------------------------------------------------------------------------------


def horizon(case: CaseInput) -> int:
    return max((o.last_year for o in case.outcomes), default=0)


def present_value(case: CaseInput) -> float:
    rate = case.discount_rate
    return sum(
        o.impact_in(t) / (1 + rate) ** t
        for o in case.outcomes
        for t in range(o.first_year, o.last_year + 1)
    )


def ratio(case: CaseInput) -> float:
    return present_value(case) / case.investment


def years(case: CaseInput) -> list[dict]:
    """Per year 1 … horizon: the total impact, undiscounted and discounted."""
    table = []
    for t in range(1, horizon(case) + 1):
        value = sum(o.impact_in(t) for o in case.outcomes)
        table.append(
            {"year": t, "value": value, "discounted": value / (1 + case.discount_rate) ** t}
        )
    return table


def for_payer(case: CaseInput, payer: str) -> CaseInput:
    """The same case with only the outcomes that `payer` gains from (e.g. the kommun's budget)."""
    return replace(case, outcomes=tuple(o for o in case.outcomes if o.payer == payer))


def calculate(case: CaseInput) -> dict:
    """The results in the documented output shape (JSON-ready)."""
    pv = present_value(case)
    if not math.isfinite(pv / case.investment):
        raise InvalidCase([Problem("", "too_large", "the figures are too large to calculate")])
    table = years(case)
    first_year_total = table[0]["value"] if table else 0.0
    by_payer = {payer: 0.0 for payer in PAYERS}
    for outcome in case.outcomes:
        by_payer[outcome.payer] += present_value(replace(case, outcomes=(outcome,)))
    return {
        "investment": case.investment,
        "discount_rate": case.discount_rate,
        "present_value": pv,
        "net_present_value": pv - case.investment,
        "sroi_ratio": pv / case.investment,
        "payback_months": _payback(case.investment, first_year_total),
        "first_year_impact": first_year_total,
        "years": table,
        "by_payer": by_payer,
        "outcomes": [
            {
                "name": o.name,
                "payer": o.payer,
                "first_year": o.first_year,
                "first_year_impact": o.first_year_impact,
                "present_value": present_value(replace(case, outcomes=(o,))),
            }
            for o in case.outcomes
        ],
        "sensitivity": sensitivity(case),
    }


def _payback(investment: float, first_year_total: float) -> float | None:
    """investment / (first_year_total / 12), or None when the total is 0 (or so close to it
    that the months are beyond any float)."""
    if first_year_total <= 0:
        return None
    months = investment * 12 / first_year_total
    return months if math.isfinite(months) else None


def _with(case: CaseInput, index: int, parameter: str, value: float) -> CaseInput:
    outcomes = list(case.outcomes)
    outcomes[index] = replace(outcomes[index], **{parameter: value})
    return replace(case, outcomes=tuple(outcomes))


def _step_label(step: float) -> str:
    return f"{round(step * 100):+d}"


def sensitivity(case: CaseInput) -> list[dict]:
    """Per outcome and parameter: the varied values, the ratio at each, the swing (the largest
    minus the smallest of those ratios) and the break-even value."""
    rows = []
    for index, outcome in enumerate(case.outcomes):
        for parameter in SENSITIVITY_PARAMETERS:
            base = getattr(outcome, parameter)
            values, ratios = {}, {}
            for step in STEPS:
                if parameter == "proxy_value":
                    varied = base * (1 + step)
                else:
                    varied = round(min(1.0, max(0.0, base + step)), 10)
                label = _step_label(step)
                values[label] = varied
                ratios[label] = ratio(_with(case, index, parameter, varied))
            rows.append(
                {
                    "outcome": outcome.name,
                    "outcome_index": index,
                    "parameter": parameter,
                    "value": base,
                    "values": values,
                    "ratios": ratios,
                    "swing": max(ratios.values()) - min(ratios.values()),
                    "break_even": break_even(case, index, parameter),
                }
            )
    return rows


def break_even(case: CaseInput, index: int, parameter: str) -> float | None:
    """The value of `parameter` of outcome `index` at which the ratio is 1.0, or None."""
    if parameter in ("proxy_value", "deadweight", "attribution"):
        # The present value is linear in the proxy and in (1 − share): pv = others + slope × x,
        # with x the proxy or 1 − share.
        zero = 0.0 if parameter == "proxy_value" else 1.0
        others = present_value(_with(case, index, parameter, zero))
        # The slope: the outcome alone at x = 1 (not a difference of two present values, which
        # loses the slope of a tiny outcome next to large ones to rounding).
        alone = replace(case, outcomes=(case.outcomes[index],))
        one = present_value(_with(alone, 0, parameter, 1.0 - zero))
        needed = case.investment - others
        if one <= 0 or needed < 0:
            return None
        x = needed / one
        if not math.isfinite(x):
            return None
        if parameter == "proxy_value":
            return x
        return 1.0 - x if x <= 1 else None

    def gap(x: float) -> float:
        return ratio(_with(case, index, parameter, x)) - 1.0

    low, high = gap(0.0), gap(1.0)
    if math.isclose(low, high, rel_tol=0, abs_tol=1e-12) or low * high > 0:
        return None
    if low == 0:
        return 0.0
    if high == 0:
        return 1.0
    # Drop-off: the ratio falls as it rises (monotone, a polynomial): bisection.
    a, b = 0.0, 1.0
    for _ in range(200):
        middle = (a + b) / 2
        if (gap(middle) > 0) == (low > 0):
            a = middle
        else:
            b = middle
        if b - a < 1e-15:
            break
    return (a + b) / 2


def calculate_json(data) -> dict:
    """parse_case + calculate: the command's and the API's entry point."""
    return calculate(parse_case(data))
