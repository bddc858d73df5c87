"""The matching engine: applicants (innovators) to challenges, optimal or stable, explained.

Pure Python on NumPy and SciPy — no Django — so that it can be run from the command line
(`manage.py match INPUT.json`), benchmarked (`bench/matching.py`) and tested on its own.
See docs/matching.md for the model, the relaxation order and the explanations, and
docs/adr/0005-matching-as-an-integer-program.md for the choice of solver.

    result = solve(parse_input(json.load(file)))
    print(json.dumps(result.to_json()))

* `parse_input(dict)` checks the shape and every value of the input and raises `InvalidInput`
  listing every problem at once; `solve()` checks a `MatchingInput` built in code the same way.
* mode "optimal": an integer program solved by HiGHS (`scipy.optimize.milp`). When the
  constraints cannot all hold, the gender balance gives first, then `min_filled`
  (lexicographically: the least shortfall of each, in that order, then the best objective).
* mode "stable": applicant-proposing deferred acceptance (hospitals/residents).
* Every applicant gets an explanation: a code, the figures behind it and an English sentence.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

MODES = ("optimal", "stable")
SCOPES = ("overall", "per_challenge")
# Shortfalls and objective differences smaller than this are rounding, not a difference.
TOLERANCE = 1e-6
# InvalidInput's message shows this many problems; `.problems` holds them all.
MAX_PROBLEMS_SHOWN = 50


class InvalidInput(ValueError):
    """The input cannot be matched as given. `.problems` lists every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = [f"Invalid matching input ({count} problem{'s' if count != 1 else ''}):"]
        lines += [f"  - {problem}" for problem in self.problems[:MAX_PROBLEMS_SHOWN]]
        if count > MAX_PROBLEMS_SHOWN:
            lines.append(f"  - … and {count - MAX_PROBLEMS_SHOWN} more")
        super().__init__("\n".join(lines))


class SolverError(RuntimeError):
    """HiGHS stopped without an answer (not expected for valid input; a bug to report)."""


# --- Input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    id: str
    capacity: int
    min_filled: int = 0


@dataclass(frozen=True)
class Applicant:
    id: str
    gender: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    preferences: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenderBalance:
    scope: str
    genders: tuple[str, ...]
    min_share: float


@dataclass(frozen=True)
class MatchingInput:
    challenges: tuple[Challenge, ...]
    applicants: tuple[Applicant, ...]
    mode: str = "optimal"
    locked: tuple[tuple[str, str], ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()
    preference_weight: float = 0.0
    gender_balance: GenderBalance | None = None

    def to_json(self) -> dict:
        """The input as `parse_input` accepts it (for storing a run with its input)."""
        data: dict[str, Any] = {
            "mode": self.mode,
            "challenges": [
                {"id": c.id, "capacity": c.capacity, "min_filled": c.min_filled}
                for c in self.challenges
            ],
            "applicants": [
                {
                    "id": a.id,
                    "gender": a.gender,
                    "scores": dict(a.scores),
                    "preferences": list(a.preferences),
                }
                for a in self.applicants
            ],
            "locked": [list(pair) for pair in self.locked],
            "excluded": [list(pair) for pair in self.excluded],
            "preference_weight": self.preference_weight,
        }
        if self.gender_balance is not None:
            balance = self.gender_balance
            data["gender_balance"] = {
                "scope": balance.scope,
                "genders": list(balance.genders),
                "min_share": balance.min_share,
            }
        return data


_TOP_FIELDS = (
    "mode",
    "challenges",
    "applicants",
    "locked",
    "excluded",
    "preference_weight",
    "gender_balance",
)
_CHALLENGE_FIELDS = ("id", "capacity", "min_filled")
_APPLICANT_FIELDS = ("id", "gender", "scores", "preferences")
_BALANCE_FIELDS = ("scope", "genders", "min_share")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _whole_number(value: Any) -> int | None:
    if _is_number(value) and float(value).is_integer():
        return int(value)
    return None


def _unknown_fields(data: dict, known: Sequence[str], where: str, problems: list[str]) -> None:
    for key in data:
        if key not in known:
            problems.append(
                f"{where}: unknown field {_show(key)} (known fields: {', '.join(known)})"
            )


def _records_with_ids(data: dict, key: str, noun: str, problems: list[str]):
    """The objects of the list `data[key]` that have a string id, each with the name problems
    about it are reported under; what is malformed is reported and passed over."""
    records = data.get(key)
    if not isinstance(records, list):
        problems.append(f"'{key}' must be a list of objects")
        return
    for position, raw in enumerate(records):
        where = f"{key}[{position}]"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be an object")
        elif not isinstance(raw.get("id"), str) or not raw.get("id"):
            problems.append(f"{where}: 'id' must be a non-empty string")
        else:
            yield raw, f"{noun} {raw['id']!r}"


def parse_input(data: Any) -> MatchingInput:
    """A `MatchingInput` from JSON-like data; `InvalidInput` lists every problem found."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise InvalidInput([f"the input must be a JSON object, not {type(data).__name__}"])
    _unknown_fields(data, _TOP_FIELDS, "input", problems)

    challenges = []
    for raw, where in _records_with_ids(data, "challenges", "challenge", problems):
        _unknown_fields(raw, _CHALLENGE_FIELDS, where, problems)
        capacity = _whole_number(raw.get("capacity"))
        min_filled = _whole_number(raw.get("min_filled", 0))
        if capacity is None:
            problems.append(
                f"{where}: 'capacity' must be a whole number, not {_show(raw.get('capacity'))}"
            )
        if min_filled is None:
            problems.append(
                f"{where}: 'min_filled' must be a whole number, not {_show(raw.get('min_filled'))}"
            )
        if capacity is not None and min_filled is not None:
            challenges.append(Challenge(raw["id"], capacity, min_filled))

    applicants = []
    for raw, where in _records_with_ids(data, "applicants", "applicant", problems):
        _unknown_fields(raw, _APPLICANT_FIELDS, where, problems)
        gender = raw.get("gender")
        if gender is not None and not isinstance(gender, str):
            problems.append(f"{where}: 'gender' must be a string or null, not {_show(gender)}")
            gender = None
        scores = raw.get("scores", {})
        if not isinstance(scores, dict):
            problems.append(f"{where}: 'scores' must be an object of challenge id → number")
            scores = {}
        preferences = raw.get("preferences", [])
        if not isinstance(preferences, list) or not all(isinstance(p, str) for p in preferences):
            problems.append(f"{where}: 'preferences' must be a list of challenge ids")
            preferences = []
        applicants.append(Applicant(raw["id"], gender, dict(scores), tuple(preferences)))

    pairs = {}
    for name in ("locked", "excluded"):
        raw_pairs = data.get(name, [])
        good = []
        if not isinstance(raw_pairs, list):
            problems.append(f"'{name}' must be a list of [applicant id, challenge id] pairs")
            raw_pairs = []
        for position, pair in enumerate(raw_pairs):
            if (
                isinstance(pair, list | tuple)
                and len(pair) == 2
                and all(isinstance(part, str) for part in pair)
            ):
                good.append((pair[0], pair[1]))
            else:
                problems.append(
                    f"{name}[{position}] must be a pair [applicant id, challenge id], "
                    f"not {_show(pair)}"
                )
        pairs[name] = tuple(good)

    weight = data.get("preference_weight", 0.0)
    if not _is_number(weight):
        problems.append(f"'preference_weight' must be a number, not {_show(weight)}")
        weight = 0.0

    balance = None
    raw_balance = data.get("gender_balance")
    if raw_balance is not None:
        if not isinstance(raw_balance, dict):
            problems.append("'gender_balance' must be an object (or null for none)")
        else:
            _unknown_fields(raw_balance, _BALANCE_FIELDS, "gender_balance", problems)
            genders = raw_balance.get("genders")
            min_share = raw_balance.get("min_share")
            scope = raw_balance.get("scope", "overall")
            ok = True
            if not isinstance(genders, list) or not all(isinstance(g, str) for g in genders):
                problems.append("gender_balance: 'genders' must be a list of strings")
                ok = False
            if not _is_number(min_share):
                problems.append(
                    f"gender_balance: 'min_share' must be a number, not {_show(min_share)}"
                )
                ok = False
            if not isinstance(scope, str):
                problems.append(f"gender_balance: 'scope' must be a string, not {_show(scope)}")
                ok = False
            if ok:
                balance = GenderBalance(scope, tuple(genders), float(min_share))

    mode = data.get("mode", "optimal")
    if not isinstance(mode, str):
        problems.append(f"'mode' must be one of {', '.join(MODES)}, not {_show(mode)}")
        mode = "optimal"

    matching_input = MatchingInput(
        challenges=tuple(challenges),
        applicants=tuple(applicants),
        mode=mode,
        locked=pairs["locked"],
        excluded=pairs["excluded"],
        preference_weight=float(weight),
        gender_balance=balance,
    )
    problems += check(matching_input)
    if problems:
        raise InvalidInput(problems)
    return matching_input


def check(inp: MatchingInput) -> list[str]:
    """Every problem with the values of `inp` (empty when it can be solved)."""
    problems: list[str] = []
    if inp.mode not in MODES:
        problems.append(f"unknown mode {_show(inp.mode)} (use one of: {', '.join(MODES)})")

    challenge_ids: dict[str, Challenge] = {}
    for challenge in inp.challenges:
        where = f"challenge {challenge.id!r}"
        if challenge.id in challenge_ids:
            problems.append(f"duplicate challenge id {challenge.id!r}")
        challenge_ids[challenge.id] = challenge
        if challenge.capacity < 0:
            problems.append(f"{where}: capacity {challenge.capacity} is negative")
        if challenge.min_filled < 0:
            problems.append(f"{where}: min_filled {challenge.min_filled} is negative")
        elif challenge.min_filled > challenge.capacity >= 0:
            problems.append(
                f"{where}: min_filled {challenge.min_filled} is more than its "
                f"capacity {challenge.capacity}"
            )

    applicants: dict[str, Applicant] = {}
    for applicant in inp.applicants:
        where = f"applicant {applicant.id!r}"
        if applicant.id in applicants:
            problems.append(f"duplicate applicant id {applicant.id!r}")
        applicants[applicant.id] = applicant
        for challenge_id, score in applicant.scores.items():
            if challenge_id not in challenge_ids:
                problems.append(f"{where}: score for unknown challenge {challenge_id!r}")
            if not _is_number(score) or not math.isfinite(score):
                problems.append(
                    f"{where}: score for {challenge_id!r} must be a finite number, "
                    f"not {_show(score)}"
                )
        seen = set()
        for challenge_id in applicant.preferences:
            if challenge_id not in challenge_ids:
                problems.append(f"{where}: preference for unknown challenge {challenge_id!r}")
            if challenge_id in seen:
                problems.append(f"{where}: challenge {challenge_id!r} ranked twice")
            seen.add(challenge_id)

    excluded = set()
    for applicant_id, challenge_id in inp.excluded:
        if applicant_id not in applicants:
            problems.append(f"excluded pair ({applicant_id!r}, …): unknown applicant")
        if challenge_id not in challenge_ids:
            problems.append(f"excluded pair (…, {challenge_id!r}): unknown challenge")
        excluded.add((applicant_id, challenge_id))

    lock_of: dict[str, str] = {}
    locks_at: dict[str, int] = {}
    for applicant_id, challenge_id in inp.locked:
        pair = f"locked pair ({applicant_id!r}, {challenge_id!r})"
        known = True
        if applicant_id not in applicants:
            problems.append(f"{pair}: unknown applicant")
            known = False
        if challenge_id not in challenge_ids:
            problems.append(f"{pair}: unknown challenge")
            known = False
        if applicant_id in lock_of:
            if lock_of[applicant_id] != challenge_id:
                problems.append(
                    f"applicant {applicant_id!r} is locked to two challenges: "
                    f"{lock_of[applicant_id]!r} and {challenge_id!r}"
                )
            continue
        lock_of[applicant_id] = challenge_id
        if not known:
            continue
        if (applicant_id, challenge_id) in excluded:
            problems.append(f"{pair} is also excluded")
        if challenge_id not in applicants[applicant_id].scores:
            problems.append(f"{pair}: the applicant has no score for that challenge")
        locks_at[challenge_id] = locks_at.get(challenge_id, 0) + 1
    for challenge_id, count in locks_at.items():
        capacity = challenge_ids[challenge_id].capacity
        if count > capacity >= 0:
            problems.append(
                f"challenge {challenge_id!r}: {count} applicants locked to it, "
                f"more than its capacity {capacity}"
            )

    weight = inp.preference_weight
    if not _is_number(weight) or not math.isfinite(weight) or weight < 0:
        problems.append(f"preference_weight must be a number ≥ 0, not {_show(weight)}")

    balance = inp.gender_balance
    if balance is not None:
        if balance.scope not in SCOPES:
            problems.append(
                f"gender_balance: unknown scope {_show(balance.scope)} "
                f"(use one of: {', '.join(SCOPES)})"
            )
        genders = balance.genders
        if len(set(genders)) != len(genders) or not all(genders):
            problems.append("gender_balance: 'genders' must be distinct, non-empty strings")
        if len(genders) < 2:
            problems.append("gender_balance: list at least two genders to balance")
        share = balance.min_share
        if not _is_number(share) or not 0 <= share <= 0.5:
            problems.append(f"gender_balance: min_share must be between 0 and 0.5, not {share!r}")
        elif len(genders) >= 2 and share * len(genders) > 1 + 1e-12:
            problems.append(
                f"gender_balance: min_share {share} for each of {len(genders)} genders "
                "adds up to more than 1"
            )
    return problems


# --- Model ----------------------------------------------------------------------------------


class _Model:
    """Indexes of the input: applicants and challenges by position, the allowed pairs, weights."""

    def __init__(self, inp: MatchingInput):
        self.inp = inp
        self.challenge_ids = [c.id for c in inp.challenges]
        self.applicant_ids = [a.id for a in inp.applicants]
        challenge_index = {cid: i for i, cid in enumerate(self.challenge_ids)}
        applicant_index = {aid: i for i, aid in enumerate(self.applicant_ids)}
        self.capacity = [c.capacity for c in inp.challenges]
        self.min_filled = [c.min_filled for c in inp.challenges]
        self.excluded = {(applicant_index[a], challenge_index[c]) for a, c in inp.excluded}
        self.lock = {applicant_index[a]: challenge_index[c] for a, c in inp.locked}
        weight = inp.preference_weight
        # Per applicant: scores by challenge index, the ranked challenges, the allowed pairs'
        # weights (score + preference_weight × bonus) for challenges it may be placed at.
        self.scores: list[dict[int, float]] = []
        self.preferences: list[list[int]] = []
        self.rank: list[dict[int, int]] = []
        self.weights: list[dict[int, float]] = []
        for i, applicant in enumerate(inp.applicants):
            scores = {challenge_index[c]: float(s) for c, s in applicant.scores.items()}
            preferences = [challenge_index[c] for c in applicant.preferences]
            rank = {c: k for k, c in enumerate(preferences, start=1)}
            n = len(preferences)
            weights = {}
            for c, score in scores.items():
                if (i, c) in self.excluded:
                    continue
                bonus = (n - rank[c] + 1) / n if c in rank else 0.0
                weights[c] = score + weight * bonus
            self.scores.append(scores)
            self.preferences.append(preferences)
            self.rank.append(rank)
            self.weights.append(weights)

        balance = inp.gender_balance
        self.balance = balance
        self.genders = list(balance.genders) if balance else []
        gender_index = {g: k for k, g in enumerate(self.genders)}
        # The index of the applicant's gender in the balanced genders, -1 when not listed.
        self.gender_code = [gender_index.get(a.gender, -1) for a in inp.applicants]

    def weight(self, applicant: int, challenge: int | None) -> float:
        if challenge is None:
            return 0.0
        return self.weights[applicant][challenge]

    def objective(self, assignment: Sequence[int | None]) -> float:
        return sum(self.weight(a, c) for a, c in enumerate(assignment) if c is not None)


# --- Optimal mode ---------------------------------------------------------------------------

# Reduced-cost fixing starts with about this many free pairs besides the LP's basic ones.
_FREE_PAIRS = 2000


def _solve_optimal(model: _Model, free_pairs: int = _FREE_PAIRS) -> list[int | None]:
    """The assignment that maximises Σ weight under every constraint, relaxing if need be.

    Variables, in this order:
      x  one per allowed pair (applicant, challenge), 1 when the applicant is placed there;
      y  the number of placed applicants of each balanced gender (overall, or per challenge),
         integer: y = Σ x over that gender's pairs;
      u  the shortfall of each challenge with a min_filled (integer);
      v  the shortfall of each gender-balance row (continuous).
    Rows: Σ x ≤ 1 per applicant; Σ x ≤ capacity and Σ x + u ≥ min_filled per challenge;
    y = Σ x per gender (and challenge); y_g − min_share × Σ_h y_h + v ≥ 0 per gender (and
    challenge).

    x is continuous: the rows that involve x form two laminar families (applicants and their
    genders; challenges and their genders), so the matrix is totally unimodular and every
    vertex with integral y has integral x. HiGHS then branches on the few y only, instead of
    on 100,000 x. A solution with a fractional x (not expected) is solved again with x binary.
    See `_optimise` for how the integer program is kept small.

    The full model bounds u and v to 0. When it is infeasible: (A) minimise Σu with v free,
    (B) minimise Σv with Σu at its minimum, (C) maximise Σ weight with both at their minima —
    so the gender balance gives before min_filled does, and each only as much as it must.
    """
    n_applicants = len(model.applicant_ids)
    n_challenges = len(model.challenge_ids)
    pair_applicant, pair_challenge, pair_weight, locked_pairs = [], [], [], []
    for a, weights in enumerate(model.weights):
        for c, w in weights.items():
            if model.lock.get(a) == c:
                locked_pairs.append(len(pair_weight))
            pair_applicant.append(a)
            pair_challenge.append(c)
            pair_weight.append(w)
    n = len(pair_weight)
    if n == 0:
        return [None] * n_applicants
    pa = np.asarray(pair_applicant, dtype=np.int64)
    pc = np.asarray(pair_challenge, dtype=np.int64)
    w = np.asarray(pair_weight, dtype=float)
    columns = np.arange(n)

    # The gender counts y: one per (group, gender), the group being 0 ("overall") or the
    # challenge. Only counts that some pair can contribute to get a variable.
    balance = model.balance
    count_rows = sparse.csr_array((0, n))
    balance_rows = sparse.csr_array((0, 0))
    if balance is not None and balance.min_share > 0:
        k = len(model.genders)
        gender = np.asarray(model.gender_code, dtype=np.int64)[pa]
        listed = gender >= 0
        group = pc if balance.scope == "per_challenge" else np.zeros(n, dtype=np.int64)
        key = (group * k + gender)[listed]
        keys, y_of_pair = np.unique(key, return_inverse=True)
        count_rows = sparse.csr_array(
            (np.ones(key.size), (y_of_pair, columns[listed])), shape=(keys.size, n)
        )
        # One balance row per (group, gender) for every group that has a count.
        y_group, y_gender = keys // k, keys % k
        rows, cols, vals = [], [], []
        for index, each_group in enumerate(np.unique(y_group)):
            members = np.flatnonzero(y_group == each_group)
            for g in range(k):
                for y in members:
                    rows.append(index * k + g)
                    cols.append(y)
                    vals.append((1.0 if y_gender[y] == g else 0.0) - balance.min_share)
        balance_rows = sparse.csr_array(
            (vals, (rows, cols)), shape=(np.unique(y_group).size * k, keys.size)
        )
    n_y = count_rows.shape[0]
    n_v = balance_rows.shape[0]
    min_rows = [c for c in range(n_challenges) if model.min_filled[c] > 0]
    n_u = len(min_rows)
    sizes = {"x": n, "y": n_y, "u": n_u, "v": n_v}
    start = dict(zip(sizes, np.cumsum([0, *sizes.values()])[:-1], strict=True))
    part = {name: slice(start[name], start[name] + size) for name, size in sizes.items()}
    n_all = sum(sizes.values())

    def rows_of(**blocks):
        """A block of rows over all variables from its parts (x, y, u, v)."""
        height = next(iter(blocks.values())).shape[0]
        return sparse.hstack(
            [blocks.get(name, sparse.csr_array((height, size))) for name, size in sizes.items()],
            format="csr",
        )

    per_applicant = sparse.csr_array((np.ones(n), (pa, columns)), shape=(n_applicants, n))
    per_challenge = sparse.csr_array((np.ones(n), (pc, columns)), shape=(n_challenges, n))
    blocks = [
        (rows_of(x=per_applicant), -np.inf, 1.0),
        (rows_of(x=per_challenge), -np.inf, np.asarray(model.capacity, float)),
    ]
    if n_u:
        minimum = np.asarray([model.min_filled[c] for c in min_rows], float)
        blocks.append(
            (
                rows_of(x=per_challenge[min_rows], u=sparse.eye_array(n_u, format="csr")),
                minimum,
                np.inf,
            )
        )
    if n_y:
        blocks.append((rows_of(x=count_rows, y=-sparse.eye_array(n_y, format="csr")), 0.0, 0.0))
        blocks.append((rows_of(y=balance_rows, v=sparse.eye_array(n_v, format="csr")), 0.0, np.inf))
    matrix = sparse.vstack([b[0] for b in blocks], format="csr")
    row_lower = np.concatenate([np.broadcast_to(b[1], b[0].shape[0]) for b in blocks])
    row_upper = np.concatenate([np.broadcast_to(b[2], b[0].shape[0]) for b in blocks])

    lower = np.zeros(n_all)
    lower[locked_pairs] = 1.0  # a locked pair is placed
    integer = np.zeros(n_all, dtype=bool)
    integer[part["y"]] = integer[part["u"]] = True
    maximise_weight = np.zeros(n_all)
    maximise_weight[part["x"]] = -w
    upper_fixed = np.zeros(n_all)
    upper_fixed[part["x"]] = 1
    upper_fixed[part["y"]] = np.inf
    upper_relaxed = upper_fixed.copy()
    upper_relaxed[part["u"]] = [model.min_filled[c] for c in min_rows]
    upper_relaxed[part["v"]] = np.inf

    def run(objective, upper, extra=()):
        rows = sparse.vstack([matrix, *(row for row, _, _ in extra)], format="csr")
        low = np.concatenate([row_lower, [lo for _, lo, _ in extra]])
        high = np.concatenate([row_upper, [hi for _, _, hi in extra]])
        return _optimise(objective, rows, low, high, lower, upper, integer, part["x"], free_pairs)

    solution = run(maximise_weight, upper_fixed)
    if solution is None:
        extra = []
        if n_u:  # (A) the least total min_filled shortfall, with the balance free
            sum_u = np.zeros(n_all)
            sum_u[part["u"]] = 1
            least_u = sum_u @ run(sum_u, upper_relaxed)
            extra.append((sparse.csr_array(sum_u[None, :]), -np.inf, round(least_u) + 0.5))
        if n_v:  # (B) the least total balance shortfall, with min_filled at its least
            sum_v = np.zeros(n_all)
            sum_v[part["v"]] = 1
            least_v = sum_v @ run(sum_v, upper_relaxed, extra)
            extra.append((sparse.csr_array(sum_v[None, :]), -np.inf, least_v + TOLERANCE))
        solution = run(maximise_weight, upper_relaxed, extra)  # (C)
        if solution is None:
            raise SolverError("the relaxed model is infeasible")

    assignment: list[int | None] = [None] * n_applicants
    for j in np.flatnonzero(solution[part["x"]] > 0.5):
        assignment[pa[j]] = int(pc[j])
    return assignment


def _optimise(objective, matrix, row_lower, row_upper, lower, upper, integer, x_part, free_pairs):
    """An optimal integral solution of min objective·z (or None when infeasible), exactly.

    1. Solve the linear relaxation with the dual simplex (a vertex). If its integer variables
       are integral, so is x (total unimodularity), and it is optimal.
    2. Otherwise reduced-cost fixing: with L the LP optimum and r_j a pair's reduced cost, any
       solution with x_j moved off its bound costs at least L + |r_j|. Fix every pair with
       |r_j| > δ at its bound and solve the small integer program that remains; if its
       optimum Z satisfies Z − L ≤ δ, no solution with a fixed pair moved can beat it, so Z
       is optimal. Otherwise raise δ to Z − L (the next round is then certain to be the last),
       or widen it when the small program is infeasible, up to the full program.
    """
    relaxation = _linear_relaxation(objective, matrix, row_lower, row_upper, lower, upper)
    if relaxation is None:
        return None
    z, bound, reduced = relaxation
    if _integral(z[integer]) and _integral(z[x_part]):
        return z
    x_reduced = np.abs(reduced[x_part])
    ranks = np.sort(x_reduced)
    delta = max(TOLERANCE, ranks[min(ranks.size - 1, free_pairs + int((ranks < 1e-9).sum()))])
    while True:
        fixed = np.zeros(z.size, dtype=bool)
        fixed[x_part] = x_reduced > delta
        solution = _integer_program(
            objective, matrix, row_lower, row_upper, lower, upper, integer, x_part, fixed, z
        )
        if not fixed.any():
            return solution  # the full program: optimal (or None, infeasible)
        if solution is None:
            delta *= 4
            continue
        gap = objective @ solution - bound
        if gap <= delta + TOLERANCE * 1e-3:
            return solution
        delta = gap + TOLERANCE * 1e-3


def _integral(values: np.ndarray) -> bool:
    return bool(np.abs(values - np.round(values)).max(initial=0.0) <= 1e-6)


def _linear_relaxation(objective, matrix, row_lower, row_upper, lower, upper):
    """(vertex, optimum, reduced costs) of the LP relaxation, or None when infeasible."""
    equal = row_lower == row_upper
    above = np.isfinite(row_upper) & ~equal
    below = np.isfinite(row_lower) & ~equal
    result = linprog(
        objective,
        A_ub=sparse.vstack([matrix[above], -matrix[below]], format="csr"),
        b_ub=np.concatenate([row_upper[above], -row_lower[below]]),
        A_eq=matrix[equal] if equal.any() else None,
        b_eq=row_lower[equal] if equal.any() else None,
        bounds=np.column_stack([lower, upper]),
        method="highs-ds",
    )
    if result.status == 2:
        return None
    if result.status != 0:
        raise SolverError(f"HiGHS stopped on the linear relaxation: {result.message}")
    return result.x, result.fun, result.lower.marginals + result.upper.marginals


def _integer_program(
    objective, matrix, row_lower, row_upper, lower, upper, integer, x_part, fixed, values
):
    """The integer program with the `fixed` variables held at `values`; the full solution."""
    keep = ~fixed
    offset = matrix[:, fixed] @ values[fixed]
    kind = integer[keep].astype(np.uint8)
    for binary_x in (False, True):
        if binary_x:  # not expected: a fractional x despite total unimodularity
            kind[: np.count_nonzero(keep[x_part])] = 1
        result = milp(
            objective[keep],
            integrality=kind,
            bounds=Bounds(lower[keep], upper[keep]),
            constraints=LinearConstraint(matrix[:, keep], row_lower - offset, row_upper - offset),
            # HiGHS's presolve spends minutes on the long gender rows and gains nothing on this
            # structure; mip_rel_gap 0 so that "optimal" means optimal.
            options={"presolve": False, "mip_rel_gap": 0.0},
        )
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise SolverError(f"HiGHS stopped: {result.message}")
        solution = values.copy()
        solution[keep] = result.x
        if _integral(solution[x_part]):
            return solution
    raise SolverError("HiGHS returned a fractional assignment")


# --- Stable mode ----------------------------------------------------------------------------


def _solve_stable(model: _Model) -> list[int | None]:
    """Applicant-proposing deferred acceptance.

    Locked applicants take their seats first and do not propose; the other applicants propose
    down their preferences, skipping challenges where they have no score or are excluded;
    a challenge keeps the applicants with the highest scores (ties: the smaller applicant id)
    up to its capacity less its locked seats. min_filled and the gender balance are not
    enforced (they are reported in `relaxed` when the result misses them).
    """
    n_challenges = len(model.challenge_ids)
    seats = list(model.capacity)
    assignment: list[int | None] = [None] * len(model.applicant_ids)
    for a, c in model.lock.items():
        assignment[a] = c
        seats[c] -= 1
    # A challenge ranks by (score, -position in id order); higher is better.
    id_order = {
        a: k
        for k, a in enumerate(
            sorted(range(len(model.applicant_ids)), key=model.applicant_ids.__getitem__)
        )
    }
    held: list[list[tuple[float, int, int]]] = [[] for _ in range(n_challenges)]
    proposals = [
        [c for c in model.preferences[a] if c in model.weights[a]]
        for a in range(len(model.applicant_ids))
    ]
    next_choice = [0] * len(model.applicant_ids)
    free = [a for a in range(len(model.applicant_ids)) if a not in model.lock]
    free.reverse()
    while free:
        a = free.pop()
        while next_choice[a] < len(proposals[a]):
            c = proposals[a][next_choice[a]]
            next_choice[a] += 1
            key = (model.scores[a][c], -id_order[a], a)
            if len(held[c]) < seats[c]:
                heapq.heappush(held[c], key)
                a = None
                break
            if seats[c] > 0 and key > held[c][0]:
                a = heapq.heapreplace(held[c], key)[2]  # the displaced applicant proposes on
        # a is None when placed; otherwise it has run out of challenges to propose to.
    for c, keys in enumerate(held):
        for _score, _order, a in keys:
            assignment[a] = c
    return assignment


# --- Result ---------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


@dataclass(frozen=True)
class Explanation:
    """Why an applicant is where it is: a code, the figures behind it and a sentence.

    The product translates by `code` and `data`; `text` is the English rendering.
    """

    code: str
    data: dict
    text: str

    def to_json(self) -> dict:
        return {"code": self.code, **self.data, "text": self.text}


@dataclass(frozen=True)
class MatchingResult:
    feasible: bool
    mode: str
    objective: float
    assignments: tuple[tuple[str, str], ...]
    unassigned: tuple[str, ...]
    gender_shares: dict
    explanations: dict[str, Explanation]
    relaxed: tuple[dict, ...]

    def to_json(self) -> dict:
        return {
            "feasible": self.feasible,
            "mode": self.mode,
            "objective": self.objective,
            "assignments": [{"applicant": a, "challenge": c} for a, c in self.assignments],
            "unassigned": list(self.unassigned),
            "gender_shares": self.gender_shares,
            "explanations": {a: e.text for a, e in self.explanations.items()},
            "relaxed": list(self.relaxed),
            "explanation_details": {a: e.to_json() for a, e in self.explanations.items()},
        }


def solve(inp: MatchingInput) -> MatchingResult:
    """Match `inp` in its mode; raises InvalidInput when `check(inp)` finds problems."""
    problems = check(inp)
    if problems:
        raise InvalidInput(problems)
    model = _Model(inp)
    solver = _solve_optimal if inp.mode == "optimal" else _solve_stable
    assignment = solver(model)
    return _Result(model, assignment).build()


class _Result:
    """Counts of an assignment, the constraints' shortfalls, the shares and the explanations."""

    def __init__(self, model: _Model, assignment: list[int | None]):
        self.model = model
        self.assignment = assignment
        n_challenges = len(model.challenge_ids)
        self.placed: list[list[int]] = [[] for _ in range(n_challenges)]
        for a, c in enumerate(assignment):
            if c is not None:
                self.placed[c].append(a)
        self.count = [len(p) for p in self.placed]
        k = len(model.genders)
        self.share = model.balance.min_share if model.balance else 0.0
        # Gender counts of the balanced genders: overall and per challenge.
        self.by_gender: dict[Any, list[int]] = {"overall": [0] * k}
        for c in range(n_challenges):
            self.by_gender[c] = [0] * k
        for a, c in enumerate(assignment):
            g = model.gender_code[a]
            if c is not None and g >= 0:
                self.by_gender["overall"][g] += 1
                self.by_gender[c][g] += 1
        self._swap_orders: dict[tuple[int, int | None], list[tuple[float, int]]] = {}
        self._lowest: dict[int, float] = {}  # the lowest score placed at a challenge

    # Constraints ----------------------------------------------------------------------------

    def _balance_shortfall(self, counts: Sequence[int]) -> float:
        total = sum(counts)
        return sum(max(0.0, self.share * total - n) for n in counts)

    def relaxed(self) -> list[dict]:
        model, found = self.model, []
        stable = model.inp.mode == "stable"
        for c, minimum in enumerate(model.min_filled):
            if self.count[c] < minimum:
                cid = model.challenge_ids[c]
                found.append(
                    {
                        "constraint": "min_filled",
                        "challenge": cid,
                        "required": minimum,
                        "reached": self.count[c],
                        "text": f"{cid} has {self.count[c]} placed, fewer than its minimum "
                        f"of {minimum}"
                        + (" (stable matching does not enforce it)" if stable else "")
                        + ".",
                    }
                )
        balance = model.balance
        if balance is not None:
            groups = ["overall"] if balance.scope == "overall" else range(len(self.count))
            for group in groups:
                counts = self.by_gender[group]
                total = sum(counts)
                for g, n in enumerate(counts):
                    if n < balance.min_share * total - TOLERANCE:
                        cid = None if group == "overall" else model.challenge_ids[group]
                        where = "overall" if cid is None else f"at {cid}"
                        gender = model.genders[g]
                        found.append(
                            {
                                "constraint": "gender_balance",
                                "scope": balance.scope,
                                "challenge": cid,
                                "gender": gender,
                                "required_share": balance.min_share,
                                "reached_share": round(n / total, 6),
                                "text": f"The share of {gender} {where} is "
                                f"{_fmt(100 * n / total)} %, below the required "
                                f"{_fmt(100 * balance.min_share)} %"
                                + (" (stable matching does not enforce it)" if stable else "")
                                + ".",
                            }
                        )
        return found

    def breaks(self, moves: Sequence[tuple[int, int | None, int | None]]) -> list[dict]:
        """The constraints whose shortfall would grow if each (applicant, from, to) moved."""
        model, broken = self.model, []
        change: dict[int, int] = {}
        for _a, before, after in moves:
            if before is not None:
                change[before] = change.get(before, 0) - 1
            if after is not None:
                change[after] = change.get(after, 0) + 1
        for c, delta in change.items():
            minimum = model.min_filled[c]
            if delta < 0 and minimum and self.count[c] + delta < minimum:
                broken.append({"constraint": "min_filled", "challenge": model.challenge_ids[c]})
        if model.balance is not None:
            groups: dict[Any, list[int]] = {}
            for a, before, after in moves:
                g = model.gender_code[a]
                if g < 0:
                    continue
                if model.balance.scope == "overall":
                    if (before is None) != (after is None):
                        keys = [("overall", 1 if after is not None else -1)]
                    else:
                        keys = []
                else:
                    keys = [(c, sign) for c, sign in ((before, -1), (after, 1)) if c is not None]
                for key, sign in keys:
                    groups.setdefault(key, [0] * len(model.genders))[g] += sign
            for key, delta in groups.items():
                counts = self.by_gender[key]
                after_counts = [n + d for n, d in zip(counts, delta, strict=True)]
                if (
                    self._balance_shortfall(after_counts)
                    > self._balance_shortfall(counts) + TOLERANCE
                ):
                    broken.append(
                        {
                            "constraint": "gender_balance",
                            "challenge": None if key == "overall" else model.challenge_ids[key],
                        }
                    )
        return broken

    # Explanations ---------------------------------------------------------------------------

    def _swap_order(self, f: int, c: int | None) -> list[tuple[float, int]]:
        """Unlocked applicants placed at f, cheapest to swap with an applicant from c first.

        Swapping applicant a (at c, or unplaced) with b (at f): a takes b's place at f and b
        takes a's place at c if it may be placed there, otherwise b is left unplaced. The loss
        is w(a,c) + w(b,f) − w(a,f) − w(b,c'), so the cheapest b minimises w(b,f) − w(b,c').
        """
        key = (f, c)
        if key not in self._swap_orders:
            model = self.model
            order = []
            for b in self.placed[f]:
                if b in model.lock:
                    continue
                moved = model.weights[b].get(c, 0.0) if c is not None else 0.0
                order.append((model.weights[b][f] - moved, b))
            order.sort(key=lambda item: (item[0], model.applicant_ids[item[1]]))
            self._swap_orders[key] = order
        return self._swap_orders[key]

    def _swap(self, a: int, c: int | None, f: int, loss_part: float, b: int) -> dict:
        model = self.model
        b_to = c if c is not None and c in model.weights[b] else None
        loss = model.weight(a, c) + loss_part - model.weights[a][f]
        return {
            "with": model.applicant_ids[b],
            "with_score": model.scores[b][f],
            "with_moves_to": model.challenge_ids[b_to] if b_to is not None else None,
            "loss": round(loss, 6),
            "breaks": self.breaks([(a, c, f), (b, f, b_to)]),
        }

    def explain(self, a: int) -> Explanation:
        model = self.model
        c = self.assignment[a]
        data: dict[str, Any] = {
            "challenge": model.challenge_ids[c] if c is not None else None,
            "choice": model.rank[a].get(c) if c is not None else None,
            "score": model.scores[a][c] if c is not None else None,
        }
        code, reference = self._reason(a, c, data)
        if c is None and model.inp.mode == "optimal" and model.weights[a]:
            # Why not placed at all: the best other challenge with room, and what held it back.
            room = [
                ch
                for ch in model.weights[a]
                if self.count[ch] < model.capacity[ch] and ch != reference
            ]
            if room:
                best = max(room, key=lambda ch: (model.weights[a][ch], -ch))
                data["elsewhere"] = {
                    "challenge": model.challenge_ids[best],
                    "gain": round(model.weights[a][best], 6),
                    "breaks": self.breaks([(a, None, best)]),
                }
            elif set(model.weights[a]) != {reference}:
                data["elsewhere"] = None  # every other challenge it could go to is full
        return Explanation(code, data, render(code, data, model.inp.mode))

    def _reason(self, a: int, c: int | None, data: dict) -> tuple[str, int | None]:
        """The explanation's code and the challenge it compares with (the first choice, or
        where the applicant would add most if it ranked none); adds the figures to `data`."""
        model = self.model
        stable = model.inp.mode == "stable"
        preferences = model.preferences[a]
        if a in model.lock:
            return "locked", None
        if preferences:
            f = preferences[0]
            data["first_choice"] = model.challenge_ids[f]
        if not model.weights[a]:
            return "no_score", None
        if not preferences:
            if stable:
                return "no_preferences", None
            # Nothing ranked: compare with the challenge where it would add most.
            f = max(model.weights[a], key=lambda ch: (model.weights[a][ch], -ch))
            data["best_fit"] = model.challenge_ids[f]
        if f == c:
            return "first_choice" if preferences else "best_fit", f
        if f not in model.scores[a]:
            return "first_choice_not_scored", f
        if (a, f) in model.excluded:
            return "first_choice_excluded", f
        data["own_score_there"] = model.scores[a][f]
        data["capacity_there"] = model.capacity[f]
        if model.capacity[f] == 0:
            return "first_choice_no_places", f
        if self.count[f] < model.capacity[f]:
            loss = model.weight(a, c) - model.weights[a][f]
            data["move_loss"] = round(loss, 6)
            data["breaks"] = breaks = self.breaks([(a, c, f)])
            if breaks and loss < -TOLERANCE:
                return breaks[0]["constraint"], f
            return "lower_total", f
        if f not in self._lowest:
            self._lowest[f] = min(model.scores[b][f] for b in self.placed[f])
        data["lowest_placed_score"] = self._lowest[f]
        order = self._swap_order(f, c)
        if not order:
            return "first_choice_full_locked", f
        cheapest = self._swap(a, c, f, *order[0])
        allowed = cheapest if not cheapest["breaks"] else None
        if allowed is None:
            for loss_part, b in order[1:]:
                candidate = self._swap(a, c, f, loss_part, b)
                if not candidate["breaks"]:
                    allowed = candidate
                    break
        data["swap"] = allowed
        data["blocked_swap"] = cheapest if cheapest is not allowed else None
        if not stable and cheapest["breaks"] and cheapest["loss"] < -TOLERANCE:
            return cheapest["breaks"][0]["constraint"], f
        return "first_choice_full", f

    def build(self) -> MatchingResult:
        model = self.model
        ids = model.applicant_ids
        genders = model.genders or sorted(
            {a.gender for a in model.inp.applicants if a.gender is not None}
        )

        def shares(counter: dict[str, int]) -> dict[str, float | None]:
            total = sum(counter.get(g, 0) for g in genders)
            return {g: round(counter.get(g, 0) / total, 6) if total else None for g in genders}

        overall: dict[str, int] = {}
        per_challenge: dict[int, dict[str, int]] = {c: {} for c in range(len(self.count))}
        for a, c in enumerate(self.assignment):
            gender = model.inp.applicants[a].gender
            if c is not None and gender is not None:
                overall[gender] = overall.get(gender, 0) + 1
                per_challenge[c][gender] = per_challenge[c].get(gender, 0) + 1
        relaxed = self.relaxed()
        return MatchingResult(
            feasible=not relaxed,
            mode=model.inp.mode,
            objective=round(model.objective(self.assignment), 6),
            assignments=tuple(
                (ids[a], model.challenge_ids[c])
                for a, c in enumerate(self.assignment)
                if c is not None
            ),
            unassigned=tuple(ids[a] for a, c in enumerate(self.assignment) if c is None),
            gender_shares={
                "overall": shares(overall),
                "per_challenge": {
                    model.challenge_ids[c]: shares(counter) for c, counter in per_challenge.items()
                },
            },
            explanations={ids[a]: self.explain(a) for a in range(len(ids))},
            relaxed=tuple(relaxed),
        )


# --- Rendering ------------------------------------------------------------------------------


def _broken(breaks: Sequence[dict]) -> str:
    parts = []
    for item in breaks:
        where = f" at {item['challenge']}" if item.get("challenge") else ""
        if item["constraint"] == "gender_balance":
            parts.append(f"the gender balance{where}")
        else:
            parts.append(f"the minimum{where}")
    return " and ".join(parts)


def _swap_text(swap: dict, blocked: bool = False) -> str:
    partner = f"{swap['with']} (score {_fmt(swap['with_score'])} there)"
    then = (
        f"{swap['with']} moving here"
        if swap["with_moves_to"] is not None
        else f"{swap['with']} left unplaced"
    )
    loss = swap["loss"]
    effect = (
        f"lower the total by {_fmt(loss)}"
        if loss > TOLERANCE
        else f"raise the total by {_fmt(-loss)}"
        if loss < -TOLERANCE
        else "leave the total unchanged"
    )
    text = f"Swapping with {partner}, {then}, would {effect}"
    if blocked:
        text += f" but break {_broken(swap['breaks'])}"
    return text + "."


def render(code: str, data: dict, mode: str = "optimal") -> str:
    """The English sentences for an explanation's code and data."""
    text = _render_reason(code, data, mode)
    if "elsewhere" in data:
        other = data["elsewhere"]
        if other is None:
            text += " Every other challenge where it could be placed is full."
        elif other["breaks"]:
            text += (
                f" {other['challenge']} has room, but placing it there would break "
                f"{_broken(other['breaks'])}."
            )
        else:
            text += (
                f" {other['challenge']} has room, but placing it there would not raise the total."
            )
    return text


def _render_reason(code: str, data: dict, mode: str) -> str:
    here = data.get("challenge")
    if code == "locked":
        return f"Placed at {here} (score {_fmt(data['score'])}) because the pair was locked."
    if here is None:
        opening = "Not placed."
    else:
        choice = data.get("choice")
        ranked = f"its {_ordinal(choice)} choice" if choice else "a challenge it did not rank"
        opening = f"Placed at {here} ({ranked}, score {_fmt(data['score'])})."
    reference = data.get("first_choice")
    target = f"its first choice {reference}" if reference else None
    if reference is None and data.get("best_fit"):
        target = f"{data['best_fit']}, where it would add most to the total"
    if code == "first_choice":
        return f"Placed at {here}, its first choice (score {_fmt(data['score'])})."
    if code == "best_fit":
        return f"{opening} It ranked no challenges; this is where its score adds most to the total."
    if code == "no_score":
        return f"{opening} It has no score for any challenge it may be placed at."
    if code == "no_preferences":
        return f"{opening} It ranked no challenges, and stable matching places only by ranking."
    if code == "first_choice_not_scored":
        return f"{opening} The panel did not score it for {target}, so it cannot be placed there."
    if code == "first_choice_excluded":
        return f"{opening} The pair with {target} was excluded."
    target = target[0].upper() + target[1:]
    if code == "first_choice_no_places":
        return f"{opening} {target} has no places."
    own = _fmt(data["own_score_there"])
    if "move_loss" in data:  # the reference challenge has room
        loss = data["move_loss"]
        if code in ("gender_balance", "min_filled"):
            return (
                f"{opening} {target} has room, and moving there would raise the total by "
                f"{_fmt(-loss)}, but it would break {_broken(data['breaks'])}."
            )
        if here is None:
            return (
                f"{opening} {target} has room, but placing it there (score {own}) would not "
                "raise the total."
            )
        return (
            f"{opening} {target} has room, but moving there (score {own}) would lower the "
            f"total by {_fmt(loss)}."
        )
    capacity, lowest = data["capacity_there"], _fmt(data["lowest_placed_score"])
    if code == "first_choice_full_locked":
        places = "1 place" if capacity == 1 else f"{capacity} places"
        return f"{opening} {target} is full with locked placements ({places})."
    if mode == "stable":
        full = (
            f"{target} is full with {capacity} applicants it ranks higher "
            f"(scores from {lowest}; its own score there is {own})."
        )
    else:
        full = (
            f"{target} is full ({capacity} places; the lowest placed score there is {lowest}, "
            f"its own is {own})."
        )
    parts = [opening, full]
    if data.get("swap"):
        parts.append(_swap_text(data["swap"]))
    if data.get("blocked_swap") and (code != "first_choice_full" or not data.get("swap")):
        parts.append(_swap_text(data["blocked_swap"], blocked=True))
    return " ".join(parts)


def solve_json(data: Any) -> dict:
    """`parse_input`, `solve` and `to_json` in one call."""
    return solve(parse_input(data)).to_json()
