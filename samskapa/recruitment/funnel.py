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
       5 or more is hidden as well (secondary);
    4. if even that cannot protect it, the stage's figures are hidden in both tables.

    Groups with nobody in them are shown as 0. The same rule applies to the current figures
    and to every snapshot.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

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
        protected = {name: suppress(values) for name, values in columns.items()}
        if any(column is None for column in protected.values()):
            total_states[code] = HIDDEN
            for name, values in columns.items():
                states[name][code] = [HIDDEN] * len(values)
        else:
            total_states[code] = EXACT
            for name, column in protected.items():
                states[name][code] = column
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
