"""The matching engine (samskapa/matching/engine.py) and `manage.py match`.

Property tests compare the engine with brute force on small random instances: every possible
assignment (optimal mode) or every stable matching (stable mode) is enumerated here, in plain
Python, independently of the engine.
"""

import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samskapa.matching import engine
from samskapa.matching.engine import InvalidInput, parse_input, solve, solve_json

ROOT = Path(__file__).resolve().parent.parent
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(FAST, max_examples=120)  # the comparisons with brute force
GENDERS = ["woman", "man"]

# --- Instances ------------------------------------------------------------------------------


@st.composite
def instances(
    draw,
    max_applicants=6,
    max_challenges=3,
    balance=True,
    min_filled=True,
    locks=True,
    mode="optimal",
):
    """A random valid input as JSON-like data (scores on a coarse grid, so ties happen)."""
    n_challenges = draw(st.integers(1, max_challenges))
    challenges = []
    for c in range(n_challenges):
        capacity = draw(st.integers(0, 3))
        minimum = draw(st.integers(0, capacity)) if min_filled else 0
        challenges.append({"id": f"c{c}", "capacity": capacity, "min_filled": minimum})
    ids = [c["id"] for c in challenges]
    applicants = []
    for a in range(draw(st.integers(0, max_applicants))):
        scored = draw(st.lists(st.sampled_from(ids), unique=True))
        scores = {c: draw(st.integers(0, 10)) / 2 for c in scored}
        preferences = draw(st.permutations(ids).map(lambda p: p[: draw(st.integers(0, len(p)))]))
        gender = draw(st.sampled_from(["woman", "man", "non-binary", None]))
        applicants.append(
            {"id": f"a{a}", "gender": gender, "scores": scores, "preferences": list(preferences)}
        )
    pairs = [(a["id"], c) for a in applicants for c in a["scores"]]
    excluded = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    locked, seats = [], {c["id"]: c["capacity"] for c in challenges}
    if locks and pairs:
        for applicant_id, challenge_id in draw(st.lists(st.sampled_from(pairs), unique=True)):
            if (
                (applicant_id, challenge_id) not in excluded
                and seats[challenge_id] > 0
                and all(applicant_id != other for other, _ in locked)
            ):
                locked.append((applicant_id, challenge_id))
                seats[challenge_id] -= 1
    gender_balance = None
    if balance and draw(st.booleans()):
        gender_balance = {
            "scope": draw(st.sampled_from(["overall", "per_challenge"])),
            "genders": GENDERS,
            "min_share": draw(st.sampled_from([0.0, 0.2, 0.25, 0.4, 0.5])),
        }
    return {
        "mode": mode,
        "challenges": challenges,
        "applicants": applicants,
        "locked": [list(p) for p in locked],
        "excluded": [list(p) for p in excluded],
        "preference_weight": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
        "gender_balance": gender_balance,
    }


# --- Evaluation, independent of the engine --------------------------------------------------


def weight(data, applicant, challenge):
    """score + preference_weight × (n − k + 1) / n, as the issue defines it."""
    preferences = applicant["preferences"]
    bonus = 0.0
    if challenge in preferences:
        n = len(preferences)
        bonus = (n - preferences.index(challenge)) / n
    return applicant["scores"][challenge] + data["preference_weight"] * bonus


def evaluate(data, assignment):
    """(shortfall of each constraint, total min_filled shortfall, total balance shortfall, Σ
    weight) of `assignment` ({applicant id: challenge id or None})."""
    applicants = {a["id"]: a for a in data["applicants"]}
    count = {c["id"]: 0 for c in data["challenges"]}
    for challenge in assignment.values():
        if challenge is not None:
            count[challenge] += 1
    shortfall = {}
    for c in data["challenges"]:
        shortfall[("min_filled", c["id"])] = max(0, c["min_filled"] - count[c["id"]])
    balance = data.get("gender_balance")
    if balance:
        groups = [None] if balance["scope"] == "overall" else list(count)
        for group in groups:
            placed = [
                applicants[a]["gender"]
                for a, c in assignment.items()
                if c is not None and (group is None or c == group)
            ]
            listed = [g for g in placed if g in balance["genders"]]
            shortfall[("gender_balance", group)] = sum(
                max(0.0, balance["min_share"] * len(listed) - listed.count(g))
                for g in balance["genders"]
            )
    total_u = sum(v for (kind, _), v in shortfall.items() if kind == "min_filled")
    total_v = sum(v for (kind, _), v in shortfall.items() if kind == "gender_balance")
    total_w = sum(weight(data, applicants[a], c) for a, c in assignment.items() if c is not None)
    return shortfall, total_u, total_v, total_w


def assignment_of(result_json, data):
    placed = {item["applicant"]: item["challenge"] for item in result_json["assignments"]}
    return {a["id"]: placed.get(a["id"]) for a in data["applicants"]}


def check_hard_constraints(data, result_json):
    """Capacities, one place each, only where scored and not excluded, locks kept."""
    assignment = assignment_of(result_json, data)
    applicants = {a["id"]: a for a in data["applicants"]}
    seen = [item["applicant"] for item in result_json["assignments"]]
    assert len(seen) == len(set(seen)), "an applicant placed twice"
    assert set(result_json["unassigned"]) == {a for a, c in assignment.items() if c is None}
    for c in data["challenges"]:
        placed = sum(1 for x in assignment.values() if x == c["id"])
        assert placed <= c["capacity"], f"{c['id']} over capacity"
    excluded = {tuple(p) for p in data["excluded"]}
    for a, c in assignment.items():
        if c is not None:
            assert c in applicants[a]["scores"], f"{a} placed at {c} without a score"
            assert (a, c) not in excluded, f"{a} placed at excluded {c}"
    for a, c in data["locked"]:
        assert assignment[a] == c, f"lock {a}→{c} not kept"
    assert set(result_json["explanations"]) == set(applicants)


def brute_force_optimum(data):
    """The lexicographic optimum over every assignment: least min_filled shortfall, then least
    gender-balance shortfall, then the largest Σ weight. Returns (U, V, W)."""
    locks = {a: c for a, c in data["locked"]}
    excluded = {tuple(p) for p in data["excluded"]}
    capacity = {c["id"]: c["capacity"] for c in data["challenges"]}
    options = []
    for applicant in data["applicants"]:
        if applicant["id"] in locks:
            options.append([locks[applicant["id"]]])
        else:
            allowed = [c for c in applicant["scores"] if (applicant["id"], c) not in excluded]
            options.append([None, *allowed])
    ids = [a["id"] for a in data["applicants"]]
    best = None
    for combo in itertools.product(*options):
        placed = [c for c in combo if c is not None]
        if any(placed.count(c) > capacity[c] for c in set(placed)):
            continue
        _, u, v, w = evaluate(data, dict(zip(ids, combo, strict=True)))
        key = (u, round(v, 9), -w)
        if best is None or key < best:
            best = key
    return best[0], best[1], -best[2]


def ranks_higher(data, challenge, a, b):
    """Does `challenge` rank applicant a above b (score, then the smaller id)?"""
    applicants = {x["id"]: x for x in data["applicants"]}
    score_a, score_b = applicants[a]["scores"][challenge], applicants[b]["scores"][challenge]
    return score_a > score_b or (score_a == score_b and a < b)


def acceptable(data, applicant):
    """The challenges an applicant proposes to in stable mode, in its order."""
    excluded = {tuple(p) for p in data["excluded"]}
    return [
        c
        for c in applicant["preferences"]
        if c in applicant["scores"] and (applicant["id"], c) not in excluded
    ]


def blocking_pairs(data, assignment):
    locks = {a: c for a, c in data["locked"]}
    residual = {c["id"]: c["capacity"] for c in data["challenges"]}
    for c in locks.values():
        residual[c] -= 1
    found = []
    for applicant in data["applicants"]:
        a = applicant["id"]
        if a in locks:
            continue
        wanted = acceptable(data, applicant)
        current = assignment[a]
        better = wanted[: wanted.index(current)] if current in wanted else wanted
        for c in better:
            holders = [b for b, x in assignment.items() if x == c and b not in locks]
            if len(holders) < residual[c] or any(ranks_higher(data, c, a, b) for b in holders):
                found.append((a, c))
    return found


def all_stable_matchings(data):
    locks = {a: c for a, c in data["locked"]}
    residual = {c["id"]: c["capacity"] for c in data["challenges"]}
    for c in locks.values():
        residual[c] -= 1
    free = [a for a in data["applicants"] if a["id"] not in locks]
    options = [[None, *acceptable(data, a)] for a in free]
    for combo in itertools.product(*options):
        placed = [c for c in combo if c is not None]
        if any(placed.count(c) > residual[c] for c in set(placed)):
            continue
        assignment = dict(locks)
        assignment.update({a["id"]: c for a, c in zip(free, combo, strict=True)})
        if not blocking_pairs(data, assignment):
            yield assignment


# --- Optimal mode ---------------------------------------------------------------------------


@THOROUGH
@given(instances())
def test_optimal_equals_the_brute_force_optimum(data):
    result = solve_json(data)
    check_hard_constraints(data, result)
    u, v, w = brute_force_optimum(data)
    shortfall, got_u, got_v, got_w = evaluate(data, assignment_of(result, data))
    assert got_u == u
    assert got_v == pytest.approx(v, abs=1e-6)
    assert got_w == pytest.approx(w, abs=1e-6)
    assert result["objective"] == pytest.approx(got_w, abs=1e-5)
    assert result["feasible"] == (u == 0 and v < 1e-9)
    named = {
        (item["constraint"], item["challenge"] if item["constraint"] == "min_filled" else None)
        for item in result["relaxed"]
        if item["constraint"] == "min_filled" or data["gender_balance"]["scope"] == "overall"
    }
    assert {k for k, s in shortfall.items() if s > 1e-9 and k[0] == "min_filled"} <= named


@FAST
@given(instances(max_applicants=6, max_challenges=3))
def test_reduced_cost_fixing_finds_the_same_optimum(data):
    """The path large instances take (fix most pairs by reduced cost, solve what remains),
    forced here on small ones by leaving no extra pair free at first."""
    inp = parse_input(data)
    model = engine._Model(inp)
    assignment = engine._solve_optimal(model, free_pairs=0)
    ids = [a["id"] for a in data["applicants"]]
    got = {
        ids[a]: (model.challenge_ids[c] if c is not None else None)
        for a, c in enumerate(assignment)
    }
    _, got_u, got_v, got_w = evaluate(data, got)
    u, v, w = brute_force_optimum(data)
    assert (got_u, round(got_v, 6)) == (u, round(v, 6))
    assert got_w == pytest.approx(w, abs=1e-6)


@FAST
@given(instances(max_applicants=25, max_challenges=6))
def test_capacities_and_locks_always_hold(data):
    for mode in ("optimal", "stable"):
        check_hard_constraints(data, solve_json({**data, "mode": mode}))


@FAST
@given(instances(max_applicants=12, max_challenges=4, balance=False, min_filled=False))
def test_optimal_is_never_below_stable(data):
    optimal = solve_json(data)
    stable = solve_json({**data, "mode": "stable"})
    assert optimal["feasible"] and stable["feasible"]
    assert optimal["objective"] >= stable["objective"] - 1e-6


def test_the_output_has_the_issues_shape():
    data = {
        "mode": "optimal",
        "challenges": [{"id": "c1", "capacity": 3, "min_filled": 1}, {"id": "c2", "capacity": 1}],
        "applicants": [
            {
                "id": "a1",
                "gender": "woman",
                "scores": {"c1": 4.2, "c2": 3.1},
                "preferences": ["c2", "c1"],
            },
            {"id": "a2", "gender": "man", "scores": {"c1": 3.0}, "preferences": ["c1"]},
            {"id": "a7", "gender": "man", "scores": {}, "preferences": ["c1"]},
        ],
        "locked": [["a1", "c1"]],
        "excluded": [["a2", "c2"]],
        "preference_weight": 0.5,
        "gender_balance": {"scope": "overall", "genders": ["woman", "man"], "min_share": 0.4},
    }
    result = solve_json(data)
    assert list(result) == [
        "feasible",
        "mode",
        "objective",
        "assignments",
        "unassigned",
        "gender_shares",
        "explanations",
        "relaxed",
        "explanation_details",
    ]
    assert result["feasible"] is True and result["relaxed"] == []
    assert result["mode"] == "optimal"
    # a1 locked at its 2nd choice: 4.2 + 0.5 × 1/2; a2 at its only choice: 3.0 + 0.5.
    assert result["objective"] == pytest.approx(4.45 + 3.5)
    assert result["assignments"] == [
        {"applicant": "a1", "challenge": "c1"},
        {"applicant": "a2", "challenge": "c1"},
    ]
    assert result["unassigned"] == ["a7"]
    assert result["gender_shares"]["overall"] == {"woman": 0.5, "man": 0.5}
    assert result["gender_shares"]["per_challenge"]["c2"] == {"woman": None, "man": None}
    assert all(isinstance(text, str) and text for text in result["explanations"].values())
    assert result["explanation_details"]["a1"]["code"] == "locked"
    assert result["explanation_details"]["a7"]["code"] == "no_score"
    assert result["explanations"]["a7"] == (
        "Not placed. It has no score for any challenge it may be placed at."
    )
    json.dumps(result)  # plain JSON all through


def test_an_empty_instance():
    result = solve_json({"challenges": [], "applicants": []})
    assert result == {
        "feasible": True,
        "mode": "optimal",
        "objective": 0.0,
        "assignments": [],
        "unassigned": [],
        "gender_shares": {"overall": {}, "per_challenge": {}},
        "explanations": {},
        "relaxed": [],
        "explanation_details": {},
    }


def test_applicants_without_scores_stay_unplaced():
    data = {
        "challenges": [{"id": "c1", "capacity": 2}],
        "applicants": [{"id": "a1", "preferences": ["c1"]}, {"id": "a2", "scores": {}}],
    }
    for mode in ("optimal", "stable"):
        result = solve_json({**data, "mode": mode})
        assert result["unassigned"] == ["a1", "a2"] and result["feasible"]
        details = result["explanation_details"]
        assert details["a1"]["code"] == details["a2"]["code"] == "no_score"
        assert details["a1"]["first_choice"] == "c1"


# --- Relaxation -----------------------------------------------------------------------------


def test_the_gender_balance_gives_before_min_filled():
    """c1 must have two placed, but only men have a score there: the balance gives, and the
    result says by how much."""
    data = {
        "challenges": [{"id": "c1", "capacity": 2, "min_filled": 2}],
        "applicants": [
            {"id": "a1", "gender": "man", "scores": {"c1": 5}},
            {"id": "a2", "gender": "man", "scores": {"c1": 4}},
            {"id": "a3", "gender": "woman", "scores": {}},
        ],
        "gender_balance": {"scope": "overall", "genders": GENDERS, "min_share": 0.4},
    }
    result = solve_json(data)
    assert result["feasible"] is False
    assert {x["applicant"] for x in result["assignments"]} == {"a1", "a2"}
    assert result["relaxed"] == [
        {
            "constraint": "gender_balance",
            "scope": "overall",
            "challenge": None,
            "gender": "woman",
            "required_share": 0.4,
            "reached_share": 0.0,
            "text": "The share of woman overall is 0 %, below the required 40 %.",
        }
    ]


def test_min_filled_gives_when_it_cannot_hold_and_the_rest_is_still_optimised():
    data = {
        "challenges": [
            {"id": "c1", "capacity": 3, "min_filled": 2},
            {"id": "c2", "capacity": 1, "min_filled": 0},
        ],
        "applicants": [
            {"id": "a1", "gender": "woman", "scores": {"c1": 1, "c2": 5}},
            {"id": "a2", "gender": "man", "scores": {"c2": 4}},
        ],
    }
    result = solve_json(data)
    assert result["feasible"] is False
    # Keeping c1's shortfall at its least (1) puts a1 at c1; a2 then takes c2.
    assert result["assignments"] == [
        {"applicant": "a1", "challenge": "c1"},
        {"applicant": "a2", "challenge": "c2"},
    ]
    assert [
        (x["constraint"], x["challenge"], x["required"], x["reached"]) for x in result["relaxed"]
    ] == [("min_filled", "c1", 2, 1)]
    assert result["relaxed"][0]["text"] == "c1 has 1 placed, fewer than its minimum of 2."


def test_a_lock_that_breaks_the_per_challenge_balance_is_kept_and_named():
    data = {
        "challenges": [{"id": "c1", "capacity": 2}, {"id": "c2", "capacity": 2}],
        "applicants": [
            {"id": "a1", "gender": "man", "scores": {"c1": 3}},
            {"id": "a2", "gender": "woman", "scores": {"c2": 3}},
            {"id": "a3", "gender": "man", "scores": {"c2": 3}},
        ],
        "locked": [["a1", "c1"]],
        "gender_balance": {"scope": "per_challenge", "genders": GENDERS, "min_share": 0.5},
    }
    result = solve_json(data)
    assert result["feasible"] is False
    assert len(result["assignments"]) == 3  # c2's balance holds with one of each
    assert [(x["challenge"], x["gender"], x["reached_share"]) for x in result["relaxed"]] == [
        ("c1", "woman", 0.0)
    ]
    assert result["gender_shares"]["per_challenge"]["c2"] == {"woman": 0.5, "man": 0.5}


# --- Stable mode ----------------------------------------------------------------------------


@THOROUGH
@given(instances(max_applicants=5, max_challenges=3, balance=False, mode="stable"))
def test_stable_is_stable_and_applicant_optimal(data):
    result = solve_json(data)
    check_hard_constraints(data, result)
    found = assignment_of(result, data)
    assert blocking_pairs(data, found) == []
    stable_matchings = list(all_stable_matchings(data))
    assert found in stable_matchings
    for applicant in data["applicants"]:
        wanted = acceptable(data, applicant)

        def rank(c, wanted=wanted):
            return wanted.index(c) if c in wanted else len(wanted)

        a = applicant["id"]
        assert all(rank(found[a]) <= rank(other[a]) for other in stable_matchings), a


@FAST
@given(instances(max_applicants=40, max_challenges=6, mode="stable"))
def test_stable_has_no_blocking_pair_on_larger_instances(data):
    result = solve_json(data)
    assert blocking_pairs(data, assignment_of(result, data)) == []
    for applicant_id, detail in result["explanation_details"].items():
        if detail["code"] == "first_choice_full":
            # Everyone placed at the first choice is ranked above this applicant there.
            placed = [
                x["applicant"]
                for x in result["assignments"]
                if x["challenge"] == detail["first_choice"]
                and [x["applicant"], x["challenge"]] not in data["locked"]
            ]
            assert all(ranks_higher(data, detail["first_choice"], b, applicant_id) for b in placed)


def test_stable_reports_what_it_does_not_enforce():
    data = {
        "mode": "stable",
        "challenges": [{"id": "c1", "capacity": 1, "min_filled": 1}, {"id": "c2", "capacity": 1}],
        "applicants": [
            {"id": "a1", "gender": "man", "scores": {"c1": 4, "c2": 4}, "preferences": ["c2"]},
            {"id": "a2", "gender": "woman", "scores": {"c2": 3}, "preferences": ["c2"]},
        ],
        "gender_balance": {"scope": "overall", "genders": GENDERS, "min_share": 0.5},
    }
    result = solve_json(data)
    assert result["assignments"] == [{"applicant": "a1", "challenge": "c2"}]
    assert result["feasible"] is False
    assert [x["constraint"] for x in result["relaxed"]] == ["min_filled", "gender_balance"]
    assert result["relaxed"][0]["text"].endswith("(stable matching does not enforce it).")
    assert result["explanations"]["a2"] == (
        "Not placed. Its first choice c2 is full with 1 applicants it ranks higher "
        "(scores from 4; its own score there is 3). Swapping with a1 (score 4 there), "
        "a1 left unplaced, would lower the total by 1."
    )


# --- Explanations ---------------------------------------------------------------------------


def test_a_swap_loss_is_exact():
    """a1 has the higher score at c1, yet the total is higher with a2 there: a1's 5 at c1
    plus a2's 1 at c2 (6) is less than a2's 4 plus a1's 3 (7)."""
    data = {
        "challenges": [{"id": "c1", "capacity": 1}, {"id": "c2", "capacity": 1}],
        "applicants": [
            {"id": "a1", "scores": {"c1": 5, "c2": 3}, "preferences": ["c1", "c2"]},
            {"id": "a2", "scores": {"c1": 4, "c2": 1}, "preferences": ["c1", "c2"]},
        ],
    }
    result = solve_json(data)
    assert result["objective"] == 7
    detail = result["explanation_details"]["a1"]
    assert detail["code"] == "first_choice_full"
    assert detail["swap"] == {
        "with": "a2",
        "with_score": 4.0,
        "with_moves_to": "c2",
        "loss": 1.0,
        "breaks": [],
    }
    assert result["explanations"]["a1"] == (
        "Placed at c2 (its 2nd choice, score 3). Its first choice c1 is full (1 places; the "
        "lowest placed score there is 4, its own is 5). Swapping with a2 (score 4 there), a2 "
        "moving here, would lower the total by 1."
    )
    assert result["explanations"]["a2"] == "Placed at c1, its first choice (score 4)."


def test_an_explanation_names_the_gender_balance():
    data = {
        "challenges": [{"id": "c1", "capacity": 1}, {"id": "c2", "capacity": 1}],
        "applicants": [
            {"id": "a1", "gender": "man", "scores": {"c1": 5}, "preferences": ["c1"]},
            {"id": "a2", "gender": "man", "scores": {"c2": 5}, "preferences": ["c2"]},
            {"id": "a3", "gender": "woman", "scores": {"c1": 4, "c2": 1}, "preferences": ["c1"]},
        ],
        "gender_balance": {"scope": "overall", "genders": GENDERS, "min_share": 0.5},
    }
    result = solve_json(data)
    assert result["objective"] == 9  # a3 at c1, a2 at c2
    detail = result["explanation_details"]["a1"]
    assert detail["code"] == "gender_balance"
    assert detail["blocked_swap"]["loss"] == -1.0  # a1 for a3 would gain 1 …
    assert detail["blocked_swap"]["breaks"] == [{"constraint": "gender_balance", "challenge": None}]
    assert result["explanations"]["a1"] == (
        "Not placed. Its first choice c1 is full (1 places; the lowest placed score there is 4, "
        "its own is 5). Swapping with a3 (score 4 there), a3 left unplaced, would raise the "
        "total by 1 but break the gender balance."
    )


def test_locked_excluded_and_best_fit_explanations():
    data = {
        "challenges": [{"id": "c1", "capacity": 2}, {"id": "c2", "capacity": 2}],
        "applicants": [
            {"id": "a1", "scores": {"c1": 1, "c2": 5}, "preferences": ["c2"]},
            {"id": "a2", "scores": {"c1": 2, "c2": 5}, "preferences": ["c2", "c1"]},
            {"id": "a3", "scores": {"c1": 2, "c2": 3}},
        ],
        "locked": [["a1", "c1"]],
        "excluded": [["a2", "c2"]],
    }
    details = solve_json(data)["explanation_details"]
    assert details["a1"]["code"] == "locked"
    assert details["a2"]["code"] == "first_choice_excluded"
    assert details["a3"]["code"] == "best_fit" and details["a3"]["best_fit"] == "c2"


def shortfalls_grown(data, before, after):
    grown = set()
    old, new = evaluate(data, before)[0], evaluate(data, after)[0]
    for key, value in new.items():
        if value > old[key] + 1e-9:
            grown.add(key)
    return grown


def named(breaks):
    return {(item["constraint"], item["challenge"]) for item in breaks}


@FAST
@given(instances(max_applicants=10, max_challenges=4))
def test_explained_swaps_and_moves_are_computed_exactly(data):
    """Every swap, move and alternative an explanation reports is replayed here: its loss is
    the objective's real change, the constraints it names are exactly those whose shortfall
    would grow, and (optimal mode) none that keeps every constraint would raise the total."""
    result = solve_json(data)
    current = assignment_of(result, data)
    total = evaluate(data, current)[3]
    for a, detail in result["explanation_details"].items():
        here, target = detail["challenge"], detail.get("first_choice") or detail.get("best_fit")
        replays = []
        for key in ("swap", "blocked_swap"):
            swap = detail.get(key)
            if swap:
                after = {**current, a: target, swap["with"]: swap["with_moves_to"]}
                replays.append((after, swap["loss"], swap["breaks"]))
                assert swap["with_moves_to"] == (
                    here
                    if here is not None
                    and here
                    in next(x for x in data["applicants"] if x["id"] == swap["with"])["scores"]
                    and [swap["with"], here] not in data["excluded"]
                    else None
                )
        if "move_loss" in detail:
            replays.append(({**current, a: target}, detail["move_loss"], detail["breaks"]))
        if detail.get("elsewhere"):
            other = detail["elsewhere"]
            replays.append(({**current, a: other["challenge"]}, -other["gain"], other["breaks"]))
        for after, loss, breaks in replays:
            assert total - evaluate(data, after)[3] == pytest.approx(loss, abs=1e-6)
            assert named(breaks) == shortfalls_grown(data, current, after)
            if not breaks and data["mode"] == "optimal":
                assert loss >= -1e-6, (a, detail)


# --- Invalid input --------------------------------------------------------------------------


def valid():
    return {
        "mode": "optimal",
        "challenges": [{"id": "c1", "capacity": 2, "min_filled": 1}, {"id": "c2", "capacity": 1}],
        "applicants": [
            {"id": "a1", "gender": "woman", "scores": {"c1": 4}, "preferences": ["c1"]},
            {"id": "a2", "gender": "man", "scores": {"c1": 3, "c2": 2}, "preferences": []},
        ],
        "locked": [["a1", "c1"]],
        "excluded": [["a2", "c2"]],
        "preference_weight": 0.5,
        "gender_balance": {"scope": "overall", "genders": GENDERS, "min_share": 0.4},
    }


INVALID = [
    (lambda d: d["applicants"][0]["scores"].update(c9=1), "score for unknown challenge 'c9'"),
    (lambda d: d["applicants"][0]["preferences"].append("c9"), "preference for unknown"),
    (lambda d: d["locked"].append(["a9", "c1"]), "('a9', 'c1'): unknown applicant"),
    (lambda d: d["excluded"].append(["a1", "c9"]), "(…, 'c9'): unknown challenge"),
    (lambda d: d["challenges"].append({"id": "c1", "capacity": 1}), "duplicate challenge id"),
    (lambda d: d["applicants"].append({"id": "a1"}), "duplicate applicant id 'a1'"),
    (lambda d: d["challenges"][1].update(capacity=-1), "capacity -1 is negative"),
    (lambda d: d["challenges"][0].update(min_filled=3), "min_filled 3 is more than its capacity"),
    (lambda d: d["excluded"].append(["a1", "c1"]), "locked pair ('a1', 'c1') is also excluded"),
    (lambda d: d["locked"].append(["a1", "c2"]), "'a1' is locked to two challenges"),
    (lambda d: d["locked"].append(["a2", "c2"]), "('a2', 'c2') is also excluded"),
    (
        lambda d: d["locked"].append(["a2", "c1"]) or d["challenges"][0].update(capacity=1),
        "2 applicants locked to it, more than its capacity 1",
    ),
    (lambda d: d.update(locked=[["a1", "c2"]]), "the applicant has no score for that challenge"),
    (lambda d: d["gender_balance"].update(min_share=0.6), "between 0 and 0.5, not 0.6"),
    (lambda d: d["gender_balance"].update(min_share=-0.1), "between 0 and 0.5, not -0.1"),
    (lambda d: d.update(mode="greedy"), "unknown mode 'greedy'"),
    (lambda d: d["gender_balance"].update(scope="team"), "unknown scope 'team'"),
    (lambda d: d["applicants"][0]["scores"].update(c1="high"), "must be a finite number"),
    (lambda d: d["applicants"][0]["scores"].update(c1=True), "must be a finite number"),
    (lambda d: d["applicants"][0]["scores"].update(c1=float("nan")), "must be a finite number"),
    (lambda d: d["applicants"][0]["preferences"].append("c1"), "'c1' ranked twice"),
    (lambda d: d["challenges"][0].update(capacity="2"), "'capacity' must be a whole number"),
    (lambda d: d["challenges"][0].pop("id"), "challenges[0]: 'id' must be a non-empty string"),
    (lambda d: d.update(preference_weight=-1), "preference_weight must be a number ≥ 0"),
    (lambda d: d.update(lokced=[]), "unknown field 'lokced'"),
    (lambda d: d["gender_balance"].update(genders=["woman"]), "at least two genders"),
    (
        lambda d: d["gender_balance"].update(genders=["w", "m", "x"], min_share=0.4),
        "adds up to more than 1",
    ),
    (lambda d: d.update(locked=[["a1"]]), "locked[0] must be a pair"),
    (lambda d: d.update(applicants="everyone"), "'applicants' must be a list"),
]


@pytest.mark.parametrize(("mutate", "message"), INVALID)
def test_invalid_input_is_refused_with_a_clear_message(mutate, message):
    data = valid()
    mutate(data)
    with pytest.raises(InvalidInput) as caught:
        parse_input(data)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert message in str(caught.value)


def test_every_problem_is_listed_at_once():
    data = valid()
    data["challenges"][1]["capacity"] = -1
    data["locked"].append(["a9", "c1"])
    data["gender_balance"]["min_share"] = 0.9
    with pytest.raises(InvalidInput) as caught:
        parse_input(data)
    assert len(caught.value.problems) == 3
    assert str(caught.value).startswith("Invalid matching input (3 problems):\n  - ")


def test_solve_checks_an_input_built_in_code():
    inp = engine.MatchingInput(
        challenges=(engine.Challenge("c1", capacity=1),),
        applicants=(engine.Applicant("a1", scores={"c1": 1.0}),),
        locked=(("a1", "c2"),),
    )
    with pytest.raises(InvalidInput, match="unknown challenge"):
        solve(inp)


def test_the_input_survives_a_round_trip():
    inp = parse_input(valid())
    assert parse_input(json.loads(json.dumps(inp.to_json()))) == inp


def test_the_engine_imports_no_django():
    code = (
        "import sys; import samskapa.matching.engine; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"


# --- manage.py match ------------------------------------------------------------------------


def run_match(*args, stdin=None):
    """`manage.py match` in its own process: no SECRET_KEY, and a database that does not
    exist, so any use of one would fail."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/no_such_database"
    return subprocess.run(
        [sys.executable, "manage.py", "match", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_command_prints_the_result(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(valid()), encoding="utf-8")
    done = run_match(str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == solve_json(valid())


def test_the_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(valid())))
    out = io.StringIO()
    call_command("match", "-", "--indent", "0", stdout=out)
    assert out.getvalue().count("\n") == 1  # one line
    assert json.loads(out.getvalue()) == solve_json(valid())


def test_the_command_refuses_bad_input_with_status_2(tmp_path):
    data = valid()
    data["gender_balance"]["min_share"] = 0.7
    data["excluded"].append(["a1", "c1"])
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run_match(str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "min_share must be between 0 and 0.5, not 0.7" in done.stderr
    assert "locked pair ('a1', 'c1') is also excluded" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("{not json", "is not valid JSON: Expecting property name"),
        (b"\xff\xfe", "Cannot read"),
        ("[1, 2]", "the input must be a JSON object, not list"),
    ],
)
def test_the_command_refuses_unreadable_files(tmp_path, content, message):
    path = tmp_path / "input.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("match", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert message in str(caught.value)
