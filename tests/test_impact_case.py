"""The impact case's pure core (samskapa/impact/case.py) and `manage.py impact_case`.

Hand-computed cases write their arithmetic in comments; property tests (hypothesis) check the
conventions on random valid inputs."""

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samskapa.impact import case
from samskapa.impact.case import CaseInput, InvalidCase, Outcome, calculate, parse_case

ROOT = Path(__file__).resolve().parent.parent
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def example():
    """The issue's example input."""
    return {
        "investment": 620000,
        "discount_rate": 0.035,
        "outcomes": [
            {
                "name": "Färre dagar i hemtjänst",
                "stakeholder": "Äldre som bor hemma",
                "quantity": 220,
                "proxy_value": 4500,
                "proxy_source": "Illustrativt: kostnad för en dag i hemtjänst",
                "deadweight": 0.3,
                "attribution": 0.2,
                "displacement": 0.0,
                "drop_off": 0.2,
                "duration_years": 3,
                "starts": "during",
                "payer": "kommun",
            }
        ],
    }


def two_payers():
    """Two outcomes, two payers, no discounting: easy sums."""
    return {
        "investment": 1000,
        "discount_rate": 0,
        "outcomes": [
            {
                "name": "A",
                "quantity": 10,
                "proxy_value": 100,
                "deadweight": 0.5,
                "drop_off": 0.5,
                "duration_years": 3,
                "payer": "kommun",
            },
            {
                "name": "B",
                "quantity": 1,
                "proxy_value": 1000,
                "attribution": 0.25,
                "displacement": 0.2,
                "duration_years": 1,
                "payer": "region",
            },
        ],
    }


# --- Hand-computed cases ----------------------------------------------------------------------


def test_the_issues_example():
    result = calculate(parse_case(example()))
    # First year: 220 × 4500 × (1 − 0.3) × (1 − 0) × (1 − 0.2) = 990000 × 0.7 × 0.8 = 554400
    # Year 2: 554400 × (1 − 0.2) = 443520; year 3: 443520 × 0.8 = 354816
    assert [row["value"] for row in result["years"]] == pytest.approx([554400, 443520, 354816])
    # Discounted, year 1 included: 554400 / 1.035 = 535652.17; 443520 / 1.035² = 414030.67;
    # 354816 / 1.035³ = 320023.70; sum 1269706.54
    assert [row["discounted"] for row in result["years"]] == pytest.approx(
        [535652.17, 414030.67, 320023.70], abs=0.01
    )
    assert result["present_value"] == pytest.approx(1269706.54, abs=0.01)
    assert result["net_present_value"] == pytest.approx(1269706.54 - 620000, abs=0.01)
    # 1269706.54 / 620000 = 2.0479
    assert result["sroi_ratio"] == pytest.approx(2.047914, abs=1e-6)
    # 620000 / (554400 / 12) = 620000 / 46200 = 13.42 months
    assert result["payback_months"] == pytest.approx(13.4199, abs=1e-4)
    assert result["by_payer"] == {
        "kommun": pytest.approx(1269706.54, abs=0.01),
        "region": 0,
        "stat": 0,
        "Försäkringskassan": 0,
        "Arbetsförmedlingen": 0,
        "individual": 0,
        "other": 0,
    }


def test_two_outcomes_with_drop_off_and_two_payers():
    result = calculate(parse_case(two_payers()))
    # A: 10 × 100 × (1 − 0.5) = 500, then 250, then 125 (drop-off 0.5 from year 2): 875
    # B: 1 × 1000 × (1 − 0.2) × (1 − 0.25) = 600, one year
    assert [row["value"] for row in result["years"]] == pytest.approx([1100, 250, 125])
    assert result["present_value"] == pytest.approx(1475)  # no discounting
    assert result["sroi_ratio"] == pytest.approx(1.475)
    assert result["by_payer"]["kommun"] == pytest.approx(875)
    assert result["by_payer"]["region"] == pytest.approx(600)
    # 1000 / ((500 + 600) / 12) = 10.909 months
    assert result["payback_months"] == pytest.approx(12000 / 1100)


def test_payback_counts_year_1_only():
    data = two_payers()
    data["outcomes"][1]["starts"] = "after"
    result = calculate(parse_case(data))
    # Year 1: A's 500 only (B's 600 comes in year 2); year 2: 250 + 600; year 3: 125
    assert [row["value"] for row in result["years"]] == pytest.approx([500, 850, 125])
    # 1000 / (500 / 12) = 24 months (not 1000 / (1100 / 12): B does not count in year 1)
    assert result["first_year_impact"] == pytest.approx(500)
    assert result["payback_months"] == pytest.approx(24)


def test_a_vanishing_first_year_gives_no_payback():
    data = two_payers()
    data["outcomes"] = [data["outcomes"][0] | {"quantity": 1e-320, "deadweight": 0}]
    result = calculate(parse_case(data))
    assert result["payback_months"] is None


def test_an_outcome_that_starts_after_is_shifted_one_year():
    data = {
        "investment": 100000,
        "discount_rate": 0.1,
        "outcomes": [
            {
                "name": "Arbete",
                "quantity": 100,
                "proxy_value": 1000,
                "duration_years": 2,
                "starts": "after",
                "payer": "Arbetsförmedlingen",
            }
        ],
    }
    result = calculate(parse_case(data))
    # Years 1, 2, 3: 0, 100000, 100000 (it lasts two years, from year 2)
    assert [row["value"] for row in result["years"]] == pytest.approx([0, 100000, 100000])
    # 100000 / 1.1² + 100000 / 1.1³ = 82644.63 + 75131.48 = 157776.11
    assert result["present_value"] == pytest.approx(157776.11, abs=0.01)
    # Payback uses year 1's total, undiscounted: 0 here (the outcome starts in year 2): none
    assert result["first_year_impact"] == 0
    assert result["payback_months"] is None
    assert result["outcomes"][0]["first_year"] == 2


def test_sensitivity_and_break_even_by_hand():
    result = calculate(parse_case(two_payers()))
    rows = {(r["outcome"], r["parameter"]): r for r in result["sensitivity"]}
    assert len(rows) == 2 * 4  # deadweight, attribution, drop-off, proxy for each outcome
    a_deadweight = rows[("A", "deadweight")]
    # A's present value = 1000 × (1 − deadweight) × 1.75 (1 + 0.5 + 0.25); B adds 600.
    # deadweight 0.75 (+25 points): 600 + 1750 × 0.25 = 1037.5 → 1.0375
    # deadweight 0.25 (−25 points): 600 + 1750 × 0.75 = 1912.5 → 1.9125
    assert a_deadweight["values"] == {"-25": 0.25, "-10": 0.4, "+10": 0.6, "+25": 0.75}
    assert a_deadweight["ratios"]["+25"] == pytest.approx(1.0375)
    assert a_deadweight["ratios"]["-25"] == pytest.approx(1.9125)
    assert a_deadweight["swing"] == pytest.approx(1.9125 - 1.0375)
    # Ratio 1.0: 600 + 1750 × (1 − d) = 1000 → d = 1 − 400 / 1750 = 0.771428…
    assert a_deadweight["break_even"] == pytest.approx(1 - 400 / 1750, abs=1e-9)
    # Proxy: 600 + 10 × 0.5 × 1.75 × p = 1000 → p = 400 / 8.75 = 45.714…
    assert rows[("A", "proxy_value")]["break_even"] == pytest.approx(400 / 8.75)
    assert rows[("A", "proxy_value")]["values"]["+10"] == pytest.approx(110)
    # Drop-off: A is worth at least its first year (500), so 600 + 500 > 1000 whatever it is
    assert rows[("A", "drop_off")]["break_even"] is None
    # B's attribution: 875 + 800 × (1 − a) = 1000 → a = 1 − 125 / 800 = 0.84375
    assert rows[("B", "attribution")]["break_even"] == pytest.approx(0.84375, abs=1e-9)
    # Shares are clamped to 0–1: B's attribution 0.25 − 25 points = 0
    assert rows[("B", "attribution")]["values"]["-25"] == 0
    # B lasts one year: its drop-off changes nothing (no break-even, no swing)
    assert rows[("B", "drop_off")]["swing"] == 0
    assert rows[("B", "drop_off")]["break_even"] is None


def test_break_even_of_a_share_in_a_case_below_one():
    data = example()
    data["investment"] = 2_000_000  # ratio 0.635 at deadweight 0.3
    result = calculate(parse_case(data))
    row = next(r for r in result["sensitivity"] if r["parameter"] == "deadweight")
    # PV = 1269706.54 / 0.7 × (1 − d); equal to 2000000 needs 1 − d = 1.1026: impossible
    assert row["break_even"] is None
    proxy = next(r for r in result["sensitivity"] if r["parameter"] == "proxy_value")
    # PV is linear in the proxy: 4500 × 2000000 / 1269706.54 = 7088.2
    assert proxy["break_even"] == pytest.approx(4500 * 2_000_000 / 1269706.5428, rel=1e-9)


def test_a_payer_case_keeps_only_that_payers_outcomes():
    data = parse_case(two_payers())
    kommun = calculate(case.for_payer(data, "kommun"))
    assert [row["value"] for row in kommun["years"]] == pytest.approx([500, 250, 125])
    assert kommun["present_value"] == pytest.approx(875)


# --- Invalid input ----------------------------------------------------------------------------


def problems_of(data) -> list[str]:
    with pytest.raises(InvalidCase) as caught:
        parse_case(data)
    return [str(p) for p in caught.value.problems]


def test_every_problem_is_listed_at_once():
    data = example()
    data["investment"] = 0
    data["colour"] = "blue"
    data["outcomes"][0] |= {
        "deadweight": 1.5,
        "attribution": -0.1,
        "quantity": -3,
        "proxy_value": "lots",
        "payer": "kyrkan",
        "starts": "later",
        "duration_years": 0,
        "note": "x",
    }
    del data["outcomes"][0]["name"]
    assert problems_of(data) == [
        "colour: unknown field 'colour'",
        "investment: the investment must be more than 0, not 0",
        "outcomes[0].note: unknown field 'note'",
        "outcomes[0].name: missing field 'name'",
        "outcomes[0].quantity: quantity cannot be negative, not -3",
        "outcomes[0].proxy_value: proxy_value must be a number, not 'lots'",
        "outcomes[0].deadweight: deadweight must be between 0 and 1, not 1.5",
        "outcomes[0].attribution: attribution must be between 0 and 1, not -0.1",
        "outcomes[0].duration_years: duration_years must be a whole number of years from 1 "
        "to 50, not 0",
        'outcomes[0].starts: starts must be "during" or "after", not \'later\'',
        "outcomes[0].payer: unknown payer 'kyrkan' (one of: kommun, region, stat, "
        "Försäkringskassan, Arbetsförmedlingen, individual, other)",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"investment": -5}, "investment: the investment must be more than 0, not -5"),
        ({"investment": True}, "investment: investment must be a number, not True"),
        ({"investment": 10**400}, "investment: investment must be a number"),
        ({"discount_rate": 1.2}, "discount_rate: the discount rate must be at least 0 and less"),
        ({"discount_rate": -0.01}, "discount_rate: the discount rate must be at least 0 and"),
        ({"outcomes": []}, "outcomes: a case needs at least one outcome"),
        ({"outcomes": {}}, "outcomes: 'outcomes' must be a list of outcomes"),
        ({"outcomes": [3]}, "outcomes[0]: an outcome must be a JSON object"),
    ],
)
def test_single_problems(change, message):
    data = example() | change
    assert any(p.startswith(message) for p in problems_of(data)), problems_of(data)


def test_missing_fields_and_not_an_object():
    assert problems_of([]) == ["The input must be a JSON object."]
    assert problems_of({}) == [
        "investment: missing field 'investment'",
        "outcomes: missing field 'outcomes'",
    ]
    assert problems_of({"investment": 1, "outcomes": [{}]}) == [
        f"outcomes[0].{name}: missing field '{name}'"
        for name in ("name", "quantity", "proxy_value", "duration_years", "payer")
    ]


def test_optional_fields_take_their_defaults():
    data = {
        "investment": 10,
        "outcomes": [
            {"name": "x", "quantity": 1, "proxy_value": 1, "duration_years": 1, "payer": "stat"}
        ],
    }
    parsed = parse_case(data)
    assert parsed.discount_rate == 0.035
    assert parsed.outcomes[0] == Outcome(
        name="x", quantity=1, proxy_value=1, duration_years=1, payer="stat"
    )
    assert parsed.outcomes[0].starts == "during"


def test_problems_carry_codes_for_translation():
    data = example()
    data["outcomes"][0]["deadweight"] = 2
    with pytest.raises(InvalidCase) as caught:
        parse_case(data)
    [problem] = caught.value.problems
    assert (problem.where, problem.code, problem.params) == (
        "outcomes[0].deadweight",
        "share",
        {"field": "deadweight", "value": 2.0},
    )


def test_figures_too_large_to_calculate_are_refused():
    data = example()
    data["outcomes"][0] |= {"quantity": 1e300, "proxy_value": 1e300}
    with pytest.raises(InvalidCase, match="too large"):
        calculate(parse_case(data))


# --- Properties -------------------------------------------------------------------------------

# No subnormal floats (below 2.2e-308): no quantity, proxy or share is ever that small, and
# their reciprocals overflow, which says nothing about the calculation.
shares = st.floats(0, 1, allow_nan=False, allow_subnormal=False)


@st.composite
def outcomes(draw):
    return Outcome(
        name=draw(st.text(alphabet="abcåäö ", min_size=1, max_size=5).filter(str.strip)).strip(),
        quantity=draw(st.floats(0, 10_000, allow_nan=False, allow_subnormal=False)),
        proxy_value=draw(st.floats(0, 100_000, allow_nan=False, allow_subnormal=False)),
        duration_years=draw(st.integers(1, 8)),
        payer=draw(st.sampled_from(case.PAYERS)),
        deadweight=draw(shares),
        attribution=draw(shares),
        displacement=draw(shares),
        drop_off=draw(shares),
        starts=draw(st.sampled_from(case.STARTS)),
    )


@st.composite
def cases(draw):
    return CaseInput(
        investment=draw(st.floats(1, 10_000_000, allow_nan=False)),
        discount_rate=draw(st.floats(0, 0.2, allow_nan=False)),
        outcomes=tuple(draw(st.lists(outcomes(), min_size=1, max_size=4))),
    )


@FAST
@given(cases(), st.data())
def test_more_deadweight_never_raises_the_ratio(data_case, data):
    index = data.draw(st.integers(0, len(data_case.outcomes) - 1))
    outcome = data_case.outcomes[index]
    more = data.draw(st.floats(outcome.deadweight, 1, allow_nan=False))
    changed = list(data_case.outcomes)
    changed[index] = replace(outcome, deadweight=more)
    higher = replace(data_case, outcomes=tuple(changed))
    assert case.ratio(higher) <= case.ratio(data_case) * (1 + 1e-12) + 1e-12


@FAST
@given(cases())
def test_no_deductions_and_no_discounting_give_quantity_times_proxy_times_duration(data_case):
    plain = replace(
        data_case,
        discount_rate=0.0,
        outcomes=tuple(
            replace(o, deadweight=0, attribution=0, displacement=0, drop_off=0)
            for o in data_case.outcomes
        ),
    )
    expected = sum(o.quantity * o.proxy_value * o.duration_years for o in plain.outcomes)
    assert calculate(plain)["present_value"] == pytest.approx(expected, rel=1e-9, abs=1e-6)


@FAST
@given(cases(), st.floats(0.1, 10, allow_nan=False))
def test_the_ratio_scales_with_one_over_the_investment(data_case, factor):
    scaled = replace(data_case, investment=data_case.investment * factor)
    assert case.ratio(scaled) == pytest.approx(case.ratio(data_case) / factor, rel=1e-9, abs=1e-12)


@FAST
@given(cases())
def test_by_payer_sums_to_the_present_value_and_years_to_their_totals(data_case):
    result = calculate(data_case)
    assert list(result["by_payer"]) == list(case.PAYERS)
    assert sum(result["by_payer"].values()) == pytest.approx(
        result["present_value"], rel=1e-9, abs=1e-6
    )
    assert sum(row["discounted"] for row in result["years"]) == pytest.approx(
        result["present_value"], rel=1e-9, abs=1e-6
    )
    assert len(result["sensitivity"]) == 4 * len(data_case.outcomes)


@FAST
@given(cases())
def test_a_break_even_value_gives_a_ratio_of_one(data_case):
    for row in calculate(data_case)["sensitivity"]:
        if row["break_even"] is None:
            continue
        index, parameter, value = row["outcome_index"], row["parameter"], row["break_even"]
        if parameter == "drop_off":  # bisection: 1.0 lies between its neighbours
            below = case._with(data_case, index, parameter, max(0.0, value - 1e-9))
            above = case._with(data_case, index, parameter, min(1.0, value + 1e-9))
            assert case.ratio(below) >= 1 - 1e-9 and case.ratio(above) <= 1 + 1e-9
        else:  # closed form
            moved = case._with(data_case, index, parameter, value)
            assert case.ratio(moved) == pytest.approx(1.0, rel=1e-7)


@FAST
@given(cases())
def test_parse_accepts_what_calculate_takes(data_case):
    data = {
        "investment": data_case.investment,
        "discount_rate": data_case.discount_rate,
        "outcomes": [o.__dict__ for o in data_case.outcomes],
    }
    assert parse_case(json.loads(json.dumps(data))) == data_case


def test_the_core_imports_no_django():
    code = (
        "import sys; import samskapa.impact.case; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


# --- manage.py impact_case --------------------------------------------------------------------


def run_command(*args, stdin=None):
    """`manage.py impact_case` in its own process: no SECRET_KEY, and a database that does not
    exist, so any use of one would fail."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/no_such_database"
    return subprocess.run(
        [sys.executable, "manage.py", "impact_case", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
    )


def test_the_command_prints_the_result(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(example()), encoding="utf-8")
    done = run_command(str(path))
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed == json.loads(json.dumps(calculate(parse_case(example()))))
    assert printed["sroi_ratio"] == pytest.approx(2.047914, abs=1e-6)


def test_the_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(two_payers())))
    out = io.StringIO()
    call_command("impact_case", "-", "--indent", "0", stdout=out)
    assert out.getvalue().count("\n") == 1  # one line
    assert json.loads(out.getvalue())["present_value"] == pytest.approx(1475)


def test_the_command_refuses_an_invalid_case_with_status_2():
    data = example()
    data["investment"] = 0
    data["outcomes"][0]["payer"] = "kyrkan"
    done = run_command("-", stdin=json.dumps(data))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "investment: the investment must be more than 0, not 0" in done.stderr
    assert "outcomes[0].payer: unknown payer 'kyrkan'" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("{not json", "is not valid JSON: Expecting property name"),
        (b"\xff\xfe", "Cannot read"),
        ("[" * 100_000, "is not valid JSON"),
        ("[]", "The input must be a JSON object."),
    ],
)
def test_the_command_refuses_unreadable_files(tmp_path, content, message):
    path = tmp_path / "case.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("impact_case", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_a_bad_file_in_its_own_process_gives_no_traceback(tmp_path):
    done = run_command(str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert "Cannot read" in done.stderr
    assert "Traceback" not in done.stderr
