"""The recruitment funnel of a call: how many applicants reach each stage, by gender and by
innovator type, and how those figures are shown without revealing small groups.

Stages
    A stage is one filter on the call's *submitted* applications, defined here and nowhere else
    (`stages()`): applied (every submitted application) → shortlisted → invited (has a lab
    invitation that is not cancelled) → selected → matched. Each stage is counted on its own
    filter (an applicant selected without a lab invitation counts as selected, not invited).

    "matched" belongs to the matching app (issue 4): an application with a confirmed
    `matching.Match`. It plugs in through `provide_matched_stage(condition)`, called once from
    samskapa/matching/apps.py's ready(); without it the stage is neither computed nor shown.

Suppression (docs/permissions.md, "The funnel")
    The call's operators see every figure. Everyone else allowed to see the funnel sees, per
    stage and per table (gender; innovator type):

    1. a stage whose total is 1–4 shows the total as "fewer than 5" and hides every group;
    2. a group of 1–4 people is shown as "fewer than 5", without its share (primary);
    3. while any such group could still be worked out exactly from the total and the shown
       groups (the reader knows the rule: a "fewer than 5" group holds 1–4 people, a hidden
       one at least 5 and no more than the smallest group still shown), the smallest group of
       5 or more is hidden as well (secondary; `suppress`);
    4. the result is then checked against a reader who knows this whole rule, ties included:
       every count vector with the same total that the rule would show the same way is
       enumerated (`_display_is_safe`), and unless each "fewer than 5" or hidden group takes
       at least two different values among them, the table shows the stage's total only
       (every group hidden). That fallback is checked the same way (`_fallback_is_safe`):
       when the vectors that fall back at a total would still pin a group down, every vector
       with that total shows the total only.

    Groups with nobody in them are shown as 0. The same rule applies to the current figures
    and to every snapshot (`present`, `as_json`).
"""

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samskapa.calls.models import Application, ApplicationStatus, Decision, Gender, InnovatorType

# Groups with fewer people than this are not shown exactly to anyone but the operators.
SMALL_GROUP = 5

FIGURES_VERSION = 1


@dataclass(frozen=True)
class Stage:
    code: str
    label: Promise
    # A filter on the call's submitted applications: a Q or a boolean expression (Exists).
    condition: Callable[[], object]


def _invited():
    from samskapa.recruitment.models import InvitationStatus, LabInvitation

    return Exists(
        LabInvitation.objects.filter(application=OuterRef("pk")).exclude(
            status=InvitationStatus.CANCELLED
        )
    )


BASE_STAGES = (
    Stage("applied", _("Applied"), lambda: Q(status=ApplicationStatus.SUBMITTED)),
    Stage("shortlisted", _("Shortlisted"), lambda: Q(shortlisted=True)),
    Stage("invited", _("Invited to the lab"), _invited),
    Stage("selected", _("Selected"), lambda: Q(decision=Decision.SELECTED)),
)
MATCHED = "matched"
MATCHED_LABEL = _("Matched")
_matched_condition: Callable[[], object] | None = None


def provide_matched_stage(condition: Callable[[], object]) -> None:
    """Extension point for the matching engine (issue 4): `condition()` returns the filter on
    Application that means "matched" (e.g. `lambda: Exists(Match.objects.filter(
    application=OuterRef("pk")))`). Call it once, from the matching app's AppConfig.ready();
    the funnel then counts and shows the stage, and snapshots include it from then on."""
    global _matched_condition
    _matched_condition = condition


def stages() -> list[Stage]:
    found = list(BASE_STAGES)
    if _matched_condition is not None:
        found.append(Stage(MATCHED, MATCHED_LABEL, _matched_condition))
    return found


def stage_label(code: str):
    labels = {stage.code: stage.label for stage in BASE_STAGES}
    labels[MATCHED] = MATCHED_LABEL
    return labels.get(code, code)


NOT_STATED = ""
DIMENSIONS = (
    ("gender", _("Gender"), [*Gender.choices, (NOT_STATED, _("Not stated"))]),
    (
        "innovator_type",
        _("Innovator type"),
        [*InnovatorType.choices, (NOT_STATED, _("Not stated"))],
    ),
)


_GROUPS = {name: groups for name, _title, groups in DIMENSIONS}


def compute(call) -> dict:
    """The call's funnel now, exactly: one query, whatever the number of applications. The
    result is JSON (it is what a FunnelSnapshot stores)."""
    current = stages()
    codes = [stage.code for stage in current]
    rows = (
        Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED)
        .order_by()
        .values("gender", "innovator_type")
        .annotate(**{f"n_{s.code}": Count("pk", filter=_as_filter(s.condition())) for s in current})
    )
    totals = dict.fromkeys(codes, 0)
    tables = {
        name: {value: dict.fromkeys(codes, 0) for value, _label in groups}
        for name, _title, groups in DIMENSIONS
    }
    for row in rows:
        for name, _title, _groups in DIMENSIONS:
            value = row[name] if row[name] in tables[name] else NOT_STATED
            for code in codes:
                tables[name][value][code] += row[f"n_{code}"]
        for code in codes:
            totals[code] += row[f"n_{code}"]
    return {"version": FIGURES_VERSION, "stages": codes, "totals": totals, **tables}


def _as_filter(condition):
    return condition if isinstance(condition, Q) else Q(condition)


# --- Presentation, with suppression ---

EXACT, FEWER, HIDDEN = "exact", "fewer_than_5", "hidden"


@dataclass(frozen=True)
class Cell:
    shown: str  # EXACT, FEWER or HIDDEN
    count: int | None
    share: float | None  # percent of the stage's total, when shown

    @property
    def is_exact(self) -> bool:
        return self.shown == EXACT

    @property
    def is_fewer(self) -> bool:
        return self.shown == FEWER


def present(figures: dict, *, exact: bool) -> dict:
    """Figures (current or a snapshot's) as a person may see them: `exact` for the call's
    operators, otherwise suppressed by the module's rule. Returns
    {"stages": [(code, label)], "totals": [Cell], "tables": [{"code", "title", "rows":
    [{"code", "label", "cells": [Cell]}]}]}."""
    codes = list(figures["stages"])
    totals = figures["totals"]
    figures = {**figures, **{name: _known_groups(figures, name, codes) for name, *_ in DIMENSIONS}}
    states = {name: {} for name, _title, _groups in DIMENSIONS}  # name -> code -> [state]
    total_states = {}
    for code in codes:
        total = totals[code]
        columns = {
            name: [figures[name].get(value, {}).get(code, 0) for value, _label in groups]
            for name, _title, groups in DIMENSIONS
        }
        if exact or total == 0:
            total_states[code] = EXACT
            for name, values in columns.items():
                states[name][code] = [EXACT] * len(values)
            continue
        if total < SMALL_GROUP:
            total_states[code] = FEWER
            for name, values in columns.items():
                states[name][code] = [HIDDEN] * len(values)
            continue
        total_states[code] = EXACT
        for name, values in columns.items():
            states[name][code] = protect(values)
    tables = []
    for name, title, groups in DIMENSIONS:
        rows = []
        for index, (value, label) in enumerate(groups):
            cells = [
                _cell(
                    states[name][code][index],
                    figures[name].get(value, {}).get(code, 0),
                    totals[code],
                )
                for code in codes
            ]
            rows.append({"code": value or "not_stated", "label": label, "cells": cells})
        tables.append({"code": name, "title": title, "rows": rows})
    return {
        "stages": [(code, stage_label(code)) for code in codes],
        "totals": [_cell(total_states[code], totals[code], totals[code]) for code in codes],
        "tables": tables,
    }


def _known_groups(figures: dict, name: str, codes: list[str]) -> dict:
    """A table's stored groups, those no longer among the choices counted as not stated (so
    that the groups shown still add up to the total)."""
    groups = {value for value, _label in _GROUPS[name]}
    known = {
        value: dict(counts) for value, counts in figures.get(name, {}).items() if value in groups
    }
    for value, counts in figures.get(name, {}).items():
        if value not in groups:
            merged = known.setdefault(NOT_STATED, dict.fromkeys(codes, 0))
            for code in codes:
                merged[code] = merged.get(code, 0) + counts.get(code, 0)
    return known


def _cell(state: str, count: int, total: int) -> Cell:
    if state != EXACT:
        return Cell(state, None, None)
    share = round(100 * count / total, 1) if total else None
    return Cell(EXACT, count, share)


def suppress(values: list[int]) -> list[str] | None:
    """How each group of one stage is shown when the stage's total (their sum, ≥ SMALL_GROUP)
    is shown: EXACT, FEWER (1–4 people) or HIDDEN (secondary suppression). None when no choice
    of hidden groups keeps every small group from being worked out."""
    primary = {i for i, n in enumerate(values) if 0 < n < SMALL_GROUP}
    secondary: set[int] = set()
    while _some_small_group_is_determined(values, primary, secondary):
        candidates = [i for i, n in enumerate(values) if n >= SMALL_GROUP and i not in secondary]
        if not candidates:
            return None
        secondary.add(min(candidates, key=lambda i: (values[i], i)))
    return [
        FEWER if i in primary else HIDDEN if i in secondary else EXACT for i in range(len(values))
    ]


def _some_small_group_is_determined(values, primary, secondary) -> bool:
    """Whether a reader who knows the total, the shown groups and this rule can narrow some
    "fewer than 5" group down to one number. They know the suppressed groups add up to the
    total minus the shown ones; a "fewer than 5" group holds 1–4; a hidden group holds at
    least SMALL_GROUP and, being the smallest chosen, no more than the smallest group shown."""
    suppressed = primary | secondary
    remainder = sum(values[i] for i in suppressed)
    shown_large = [n for i, n in enumerate(values) if i not in suppressed and n >= SMALL_GROUP]
    hidden_max = min(shown_large) if shown_large else math.inf
    for k in primary:
        others = suppressed - {k}
        most = sum(SMALL_GROUP - 1 if j in primary else hidden_max for j in others)
        least = sum(1 if j in primary else SMALL_GROUP for j in others)
        low = max(1, remainder - most)
        high = min(SMALL_GROUP - 1, remainder - least)
        if low >= high:
            return True
    return False


# --- Checking the rule against a reader who knows it ---

# The most candidate vectors `_display_is_safe` looks at for one display; past it the display
# counts as unsafe (the table falls back to the total only). The enumeration's order depends on
# the display alone, so the verdict is the same for every vector shown that way.
_CANDIDATE_BUDGET = 2_000
# `_fallback_is_safe` enumerates every vector of a total when there are at most this many.
_EXHAUSTIVE_VECTORS = 20_000


def protect(values: list[int]) -> list[str]:
    """How each group of one stage's table is shown when the stage's total (their sum,
    ≥ SMALL_GROUP) is shown: `suppress`'s display when a reader who knows the rule cannot work
    out any suppressed group from it, else every group HIDDEN (the total only)."""
    values = tuple(values)
    hidden = [HIDDEN] * len(values)
    if not _fallback_is_safe(len(values), sum(values)):
        return hidden
    states = suppress(list(values))
    if states is None or not _display_is_safe(_display(values, states)):
        return hidden
    return states


def _display(values, states) -> tuple:
    """What the reader sees of a table: the total, then per group its count, FEWER or HIDDEN."""
    shown = (n if state == EXACT else state for n, state in zip(values, states, strict=True))
    return (sum(values), *shown)


def _rule_display(values) -> tuple | None:
    states = suppress(list(values))
    return None if states is None else _display(values, states)


def _is_unsafe(values) -> bool:
    """Whether the rule's display of this vector falls back to the total only."""
    shown = _rule_display(values)
    return shown is None or not _display_is_safe(shown)


@lru_cache(maxsize=4096)
def _display_is_safe(display: tuple) -> bool:
    """Whether every FEWER or HIDDEN group of the display takes at least two values among all
    the vectors with its total that the rule shows this way. Only the suppressed groups vary:
    FEWER ones over 1–4, HIDDEN ones from SMALL_GROUP up to the smallest shown group of
    SMALL_GROUP or more (the rule hides the smallest), adding up to what the shown groups leave
    of the total."""
    total, *shown = display
    fewer = [i for i, item in enumerate(shown) if item == FEWER]
    hidden = [i for i, item in enumerate(shown) if item == HIDDEN]
    if not fewer and not hidden:
        return True
    exact = [item for item in shown if isinstance(item, int)]
    shown_large = [n for n in exact if n >= SMALL_GROUP]
    ceiling = min(shown_large) if shown_large else math.inf
    remainder = total - sum(exact)
    seen = {i: set() for i in fewer + hidden}
    budget = _CANDIDATE_BUDGET
    # The hidden groups vary slowest, from their smallest counts up: a display the rule shows
    # for many vectors finds its two values per group early.
    smalls: dict[int, list[tuple]] = {}
    for small in itertools.product(range(1, SMALL_GROUP), repeat=len(fewer)):
        smalls.setdefault(sum(small), []).append(small)
    lowest, highest = remainder - max(smalls), remainder - min(smalls)
    for large in _parts_between(lowest, highest, len(hidden), ceiling):
        for small in smalls[remainder - sum(large)]:
            budget -= 1
            if budget < 0:
                return False
            candidate = list(shown)
            for i, n in zip(fewer, small, strict=True):
                candidate[i] = n
            for i, n in zip(hidden, large, strict=True):
                candidate[i] = n
            if _rule_display(candidate) != display:
                continue
            for i, found in seen.items():
                found.add(candidate[i])
            if all(len(found) > 1 for found in seen.values()):
                return True
    return False


def _parts_between(lowest: int, highest: int, count: int, ceiling):
    """The ways to give `count` groups SMALL_GROUP..ceiling people each, lowest..highest in
    all, in a fixed order (the first group varying slowest)."""
    if count == 0:
        if lowest <= 0 <= highest:
            yield ()
        return
    top = min(ceiling, highest - SMALL_GROUP * (count - 1))
    for first in range(SMALL_GROUP, top + 1):
        yield from (
            (first, *rest)
            for rest in _parts_between(lowest - first, highest - first, count - 1, ceiling)
        )


@lru_cache(maxsize=1024)
def _fallback_is_safe(groups: int, total: int) -> bool:
    """Whether "the total only" (every group hidden) for the vectors whose display fails the
    check keeps each group at two values at least, for a reader who knows which vectors fall
    back. When it does not, every vector with this total shows the total only.

    A vector that falls back and has an empty group proves it does: the rule treats empty
    groups as absent, so the same counts in any other order-preserving placement fall back too
    and every group is empty in some and not in others. Such a witness is looked for among a
    few shapes first (e.g. 1, 1, 6, total − 8 for the even totals); small totals are
    enumerated outright."""
    if total < SMALL_GROUP or groups < 2:
        return True
    for values in _witnesses(groups, total):
        if _is_unsafe(values):
            return True
    if math.comb(total + groups - 1, groups - 1) > _EXHAUSTIVE_VECTORS:
        return False
    falling_back = [values for values in _vectors(groups, total) if _is_unsafe(values)]
    return all(len({values[i] for values in falling_back}) > 1 for i in range(groups))


def _witnesses(groups: int, total: int):
    """Vectors with an empty group (the last), in a fixed order: shapes that fall back at many
    totals first (1, 1, 6, rest for even totals from 14; 1, 5, rest for odd ones from 7), then
    other heads of small counts followed by what is left of the total."""
    heads = [(1, 1, 6), (1, 5), (5, 1), (1, 1), (4, 4)]
    heads += [
        head
        for size in range(1, 4)
        for head in itertools.product(range(1, 9), repeat=size)
        if head not in heads
    ]
    for head in heads:
        rest = total - sum(head)
        if len(head) < groups - 1 and rest >= 1:
            yield (*head, rest) + (0,) * (groups - len(head) - 1)


def _vectors(groups: int, total: int):
    if groups == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _vectors(groups - 1, total - first):
            yield (first, *rest)


def as_json(figures: dict, *, exact: bool) -> dict:
    """`present` as plain data, for the API."""
    shown = present(figures, exact=exact)
    codes = [code for code, _label in shown["stages"]]

    def cells(row):
        return [
            {"stage": code, "shown": cell.shown, "count": cell.count, "share": cell.share}
            for code, cell in zip(codes, row, strict=True)
        ]

    return {
        "exact": exact,
        "stages": [{"code": code, "label": str(label)} for code, label in shown["stages"]],
        "totals": cells(shown["totals"]),
        "tables": [
            {
                "code": table["code"],
                "title": str(table["title"]),
                "rows": [
                    {"code": row["code"], "label": str(row["label"]), "cells": cells(row["cells"])}
                    for row in table["rows"]
                ],
            }
            for table in shown["tables"]
        ],
    }
