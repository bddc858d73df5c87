"""Matching in the product: the engine's input built from a call, runs stored as they were,
the whiteboard, comparing two runs, and confirming one run's proposal as the call's matches.

Every write is one transaction that checks the actor's permission ("call.match"), validates the
whole change before storing any of it and writes one audit entry. See docs/matching.md.

The engine's ids are "a<application id>" and "c<challenge id>". The engine's input holds each
applicant's gender (for the balance constraint); it is shown only as counts and shares, never
next to a name.
"""

import copy
import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.audit.services import record
from samskapa.calls.models import Application, Call, Decision, Gender, stockholm_time
from samskapa.calls.services import review_summary
from samskapa.challenges.models import Challenge
from samskapa.matching import engine, explain
from samskapa.matching.models import LARGE_FIELDS, Candidates, Match, MatchingRun, Mode

# The genders the balance can be asked for: "prefer not to say" and a blank answer are none.
BALANCE_GENDERS = (Gender.WOMAN, Gender.MAN, Gender.OTHER)
DEFAULT_BALANCE = {"scope": "overall", "genders": ["woman", "man"], "min_share": 0.4}
SCOPES = {
    "overall": gettext_lazy("Over all placements"),
    "per_challenge": gettext_lazy("At each challenge"),
}
DEFAULT_PREFERENCE_WEIGHT = 1.0
MAX_PREFERENCE_WEIGHT = 10.0
MAX_CAPACITY = 1000
# The panel's mean is points out of 100; the engine gets it on a 0–5 scale.
SCORE_SCALE = 5
LOCK_ACTIONS = ("lock", "unlock", "exclude", "include")
# Gender figures are shown for a group of placed applicants (all of a run's, or those at one
# challenge) only when at least this many of them have a gender: with fewer, the names the
# pages show and a figure could give away one person's gender ("fewer than 5", as in the
# recruitment funnel; docs/permissions.md).
MIN_GENDER_GROUP = 5
NOTHING_TO_MATCH = gettext_lazy(
    "No application to this call is selected or shortlisted: shortlist or select the "
    "applications to match first."
)


def applicant_key(pk) -> str:
    return f"a{pk}"


def challenge_key(pk) -> str:
    return f"c{pk}"


def pk_of(key: str) -> int:
    return int(key[1:])


# --- The candidates and the engine's input ---


@dataclass
class Prepared:
    """Everything a run needs: the call's candidates, its challenges, the operator's settings
    (normalised) and the engine's input built from them."""

    call: Call
    basis: str  # Candidates value
    applications: list  # the candidate Applications, by id
    means: dict  # application id -> the panel's mean (of 100) or None
    challenges: list  # the call's Challenges, by id
    settings: dict
    data: dict = field(default_factory=dict)

    @property
    def unscored(self) -> list:
        return [a for a in self.applications if self.means.get(a.pk) is None]


def candidates(call: Call) -> tuple[str, list, dict]:
    """The applications to match: the selected ones; while none is selected, the shortlisted
    ones not decided against. Returns (basis, applications by id, means of 100 by id)."""
    rows = review_summary(call)
    means = {row["application"].pk: row["mean"] for row in rows}
    selected = [r["application"] for r in rows if r["application"].decision == Decision.SELECTED]
    if selected:
        return Candidates.SELECTED, selected, means
    shortlisted = [
        r["application"]
        for r in rows
        if r["application"].shortlisted and r["application"].decision != Decision.NOT_SELECTED
    ]
    return Candidates.SHORTLISTED, shortlisted, means


def default_settings(call: Call, n_candidates: int, challenges) -> dict:
    """Room for everyone, spread evenly; no minimum; the preference counted with weight 1; at
    least 40 % women and 40 % men among the placed women and men."""
    capacity = max(1, math.ceil(n_candidates / max(1, len(challenges))))
    return {
        "label": "",
        "mode": Mode.OPTIMAL,
        "preference_weight": DEFAULT_PREFERENCE_WEIGHT,
        "challenges": {str(c.pk): {"capacity": capacity, "min_filled": 0} for c in challenges},
        "gender_balance": dict(DEFAULT_BALANCE, genders=list(DEFAULT_BALANCE["genders"])),
        "locked": [],
        "excluded": [],
    }


def _ranked(application, challenge_ids) -> list[int]:
    """The application's ranking, limited to the call's challenges, each once."""
    ranked = []
    for value in application.ranking or []:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk in challenge_ids and pk not in ranked:
            ranked.append(pk)
    return ranked


def _scored_at(application, challenge_ids) -> list[int]:
    """Where the panel's score counts: the challenges the applicant ranked, or every challenge
    of the call when they ranked none."""
    return _ranked(application, challenge_ids) or sorted(challenge_ids)


def application_name(application) -> str:
    """The name operators know an application by (operators see names, even in blind calls)."""
    name = application.applicant.full_name or application.applicant.email
    if application.organisation_id:
        return f"{name}, {application.organisation.name}"
    return name


def pool(call: Call) -> tuple[str, list, dict, list]:
    """`candidates(call)` and the call's challenges: what building an input reads (3 queries)."""
    return (*candidates(call), list(call.challenges.order_by("pk")))


def build_input(call: Call, settings: dict | None = None, *, current=None) -> Prepared:
    """The engine's input for `call` with the operator's `settings` (defaults for what they
    leave out). Raises ValidationError, keyed by setting, for settings that cannot be run.
    `current`: the call's `pool()` when the caller has read it already."""
    basis, applications, means, challenges = current or pool(call)
    if not challenges:
        raise ValidationError(_("The call has no challenges to match to."))
    if not applications:
        raise ValidationError(str(NOTHING_TO_MATCH))
    prepared = Prepared(call, basis, applications, means, challenges, {})
    prepared.settings = normalise_settings(prepared, settings or {})
    prepared.data = _engine_input(prepared)
    return prepared


def _score(mean) -> float | None:
    return None if mean is None else round(float(mean) * SCORE_SCALE / 100, 2)


def _engine_input(prepared: Prepared) -> dict:
    settings = prepared.settings
    challenge_ids = {c.pk for c in prepared.challenges}
    applicants = []
    for application in prepared.applications:
        score = _score(prepared.means.get(application.pk))
        scored_at = _scored_at(application, challenge_ids) if score is not None else []
        gender = application.gender if application.gender in BALANCE_GENDERS else None
        applicants.append(
            {
                "id": applicant_key(application.pk),
                "gender": gender,
                "scores": {challenge_key(pk): score for pk in scored_at},
                "preferences": [challenge_key(pk) for pk in _ranked(application, challenge_ids)],
            }
        )
    return {
        "mode": settings["mode"],
        "challenges": [
            {
                "id": challenge_key(c.pk),
                "capacity": settings["challenges"][str(c.pk)]["capacity"],
                "min_filled": settings["challenges"][str(c.pk)]["min_filled"],
            }
            for c in prepared.challenges
        ],
        "applicants": applicants,
        "locked": [[applicant_key(a), challenge_key(c)] for a, c in settings["locked"]],
        "excluded": [[applicant_key(a), challenge_key(c)] for a, c in settings["excluded"]],
        "preference_weight": settings["preference_weight"],
        "gender_balance": settings["gender_balance"],
    }


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def normalise_settings(prepared: Prepared, raw: dict) -> dict:
    """The operator's settings, checked against the call and completed with the defaults.
    Raises one ValidationError with every problem, keyed by the setting (form field names:
    capacity_<challenge id>, min_filled_<challenge id>, genders, min_share, …)."""
    if not isinstance(raw, dict):
        raise ValidationError(_("The settings must be an object."))
    defaults = default_settings(prepared.call, len(prepared.applications), prepared.challenges)
    errors: dict[str, list[str]] = {}

    def problem(key, message):
        errors.setdefault(key, []).append(message)

    settings = {"label": str(raw.get("label") or "").strip()}
    if len(settings["label"]) > 100:
        problem("label", _("Keep the label to 100 characters."))

    mode = raw.get("mode") or defaults["mode"]
    if mode not in Mode.values:
        problem("mode", _("Choose optimal or stable matching."))
    settings["mode"] = str(mode)

    weight = raw.get("preference_weight", defaults["preference_weight"])
    weight = _number(weight) if weight not in (None, "") else defaults["preference_weight"]
    if weight is None or not 0 <= weight <= MAX_PREFERENCE_WEIGHT:
        problem(
            "preference_weight",
            _("Give the weight of the applicants' preferences as a number from 0 to %(max)s.")
            % {"max": int(MAX_PREFERENCE_WEIGHT)},
        )
    settings["preference_weight"] = weight

    by_pk = {c.pk: c for c in prepared.challenges}
    raw_challenges = raw.get("challenges") or {}
    if not isinstance(raw_challenges, dict):
        problem("challenges", _("Give the places per challenge as challenge id → places."))
        raw_challenges = {}
    unknown = [str(key) for key in raw_challenges if _whole(key) not in by_pk]
    if unknown:
        problem(
            "challenges",
            _("Not a challenge of this call: %(ids)s.") % {"ids": ", ".join(unknown)},
        )
    settings["challenges"] = {}
    for pk, challenge in by_pk.items():
        given = raw_challenges.get(str(pk), raw_challenges.get(pk)) or {}
        if not isinstance(given, dict):
            given = {}
        default = defaults["challenges"][str(pk)]
        capacity = _whole(given.get("capacity", default["capacity"]))
        minimum = _whole(given.get("min_filled", default["min_filled"]))
        if capacity is None or not 0 <= capacity <= MAX_CAPACITY:
            problem(
                f"capacity_{pk}",
                _("Give the places at %(challenge)s as a whole number from 0 to %(max)s.")
                % {"challenge": challenge.title, "max": MAX_CAPACITY},
            )
            capacity = default["capacity"]
        if minimum is None or minimum < 0:
            problem(
                f"min_filled_{pk}",
                _("Give the minimum at %(challenge)s as a whole number from 0.")
                % {"challenge": challenge.title},
            )
            minimum = 0
        elif minimum > capacity:
            problem(
                f"min_filled_{pk}",
                _(
                    "The minimum at %(challenge)s (%(minimum)s) is more than its places "
                    "(%(places)s)."
                )
                % {"challenge": challenge.title, "minimum": minimum, "places": capacity},
            )
        settings["challenges"][str(pk)] = {"capacity": capacity, "min_filled": minimum}

    settings["gender_balance"] = _balance(
        raw.get("gender_balance", defaults["gender_balance"]), problem
    )
    settings["locked"], settings["excluded"] = _pairs(prepared, raw, settings, problem)
    if errors:
        raise ValidationError(errors)
    return settings


def _balance(raw, problem) -> dict | None:
    if raw in (None, False, {}):
        return None
    if not isinstance(raw, dict):
        problem("gender_balance", _("Give the gender balance as scope, genders and minimum share."))
        return None
    scope = raw.get("scope") or "overall"
    if scope not in SCOPES:
        problem("scope", _("Choose the balance over all placements or at each challenge."))
    genders = raw.get("genders", DEFAULT_BALANCE["genders"])
    if not isinstance(genders, list | tuple) or not all(isinstance(g, str) for g in genders):
        genders = []
    genders = list(dict.fromkeys(genders))
    if len(genders) < 2 or any(g not in BALANCE_GENDERS for g in genders):
        problem("genders", _("Choose at least two of woman, man and other to balance."))
    share = _number(raw.get("min_share", DEFAULT_BALANCE["min_share"]))
    if share is None or not 0 <= share <= 0.5:
        problem("min_share", _("Give the minimum share as a percentage from 0 to 50."))
        share = 0.0
    elif len(genders) >= 2 and share * len(genders) > 1 + 1e-9:
        problem(
            "min_share",
            _("%(share)s for each of %(count)s genders adds up to more than 100 %%.")
            % {"share": explain.percent(share), "count": len(genders)},
        )
    return {"scope": scope, "genders": genders, "min_share": round(share, 4)}


def _pairs(prepared: Prepared, raw: dict, settings: dict, problem):
    applications = {a.pk: a for a in prepared.applications}
    challenges = {c.pk: c for c in prepared.challenges}
    challenge_ids = set(challenges)
    found = {}
    for name in ("locked", "excluded"):
        pairs = []
        given = raw.get(name) or []
        if not isinstance(given, list | tuple):
            problem(name, _("Give the pairs as a list of [application id, challenge id]."))
            given = []
        for pair in given:
            ids = (
                [_whole(part) for part in pair]
                if isinstance(pair, list | tuple) and len(pair) == 2
                else [None, None]
            )
            application, challenge = applications.get(ids[0]), challenges.get(ids[1])
            if application is None:
                problem(
                    name,
                    _("Application %(id)s is not one of this run's candidates.")
                    % {"id": ids[0] if ids[0] is not None else "?"},
                )
                continue
            if challenge is None:
                problem(
                    name,
                    _("%(id)s is not a challenge of this call.")
                    % {"id": ids[1] if ids[1] is not None else "?"},
                )
                continue
            if (application.pk, challenge.pk) not in pairs:
                pairs.append((application.pk, challenge.pk))
        found[name] = pairs
    locked, excluded = found["locked"], found["excluded"]
    seen: dict[int, int] = {}
    per_challenge: dict[int, int] = {}
    for application_pk, challenge_pk in locked:
        application, challenge = applications[application_pk], challenges[challenge_pk]
        values = {"name": application_name(application), "challenge": challenge.title}
        if application_pk in seen:
            problem("locked", _("%(name)s is locked to two challenges.") % values)
            continue
        seen[application_pk] = challenge_pk
        if (application_pk, challenge_pk) in excluded:
            problem(
                "locked", _("%(name)s is both locked to and excluded from %(challenge)s.") % values
            )
        if prepared.means.get(application_pk) is None:
            problem(
                "locked",
                _("%(name)s has no score from the panel, so they cannot be placed.") % values,
            )
        elif challenge_pk not in _scored_at(application, challenge_ids):
            problem(
                "locked",
                _(
                    "%(name)s did not rank %(challenge)s, so the panel's score does not count "
                    "there: they can be locked only to a challenge they ranked."
                )
                % values,
            )
        per_challenge[challenge_pk] = per_challenge.get(challenge_pk, 0) + 1
    for challenge_pk, count in per_challenge.items():
        places = settings["challenges"][str(challenge_pk)]["capacity"]
        if count > places:
            problem(
                "locked",
                _("%(count)s applicants are locked to %(challenge)s, which has %(places)s places.")
                % {"count": count, "challenge": challenges[challenge_pk].title, "places": places},
            )
    return [list(p) for p in locked], [list(p) for p in excluded]


def with_change(settings: dict, action: str, application_pk: int, challenge_pk: int) -> dict:
    """A copy of `settings` with one whiteboard choice: lock the applicant to the challenge
    (dropping its other locks and this exclusion), unlock it, exclude the pair (dropping this
    lock), or include it again."""
    if action not in LOCK_ACTIONS:
        raise ValidationError(_("Unknown change: choose lock, unlock, exclude or include."))
    changed = copy.deepcopy(settings)
    pair = [application_pk, challenge_pk]
    locked = [p for p in changed.get("locked", []) if list(p) != pair]
    excluded = [p for p in changed.get("excluded", []) if list(p) != pair]
    if action == "lock":
        locked = [p for p in locked if p[0] != application_pk] + [pair]
    elif action == "exclude":
        excluded.append(pair)
    changed["locked"], changed["excluded"] = locked, excluded
    return changed


# --- Runs ---


def run_refusal(call: Call, candidates: list | None = None) -> str | None:
    """Why no run can be started on `call` now, as a sentence (None: one can). With
    `candidates` (the call's, as `candidates()` gives them) also when there is none."""
    if not call.has_closed:
        return _("The call is open until %(deadline)s: match once it has closed.") % {
            "deadline": call.deadline
        }
    if Match.objects.filter(call=call).exists():
        return _("This call's matches are confirmed, so a new run could never be confirmed.")
    if candidates is not None and not candidates:
        return str(NOTHING_TO_MATCH)
    return None


def run_matching(
    call: Call, *, by: User, settings: dict | None = None, based_on: MatchingRun | None = None
) -> MatchingRun:
    """Run the engine on the call's candidates with `settings` and store the run (with its
    input, output and who ran it). Only once the call has closed, and until its matches are
    confirmed.

    No transaction is open while the engine solves: the input is built in a short read, and the
    run stored in a short transaction that checks again, under the call's lock, that the call's
    matches are not confirmed meanwhile and that the input built from the call now is still the
    one solved (else nothing is stored and the operator is asked to run it again)."""
    permissions.require(by, "call.match", call)
    if based_on is not None and based_on.call_id != call.pk:
        raise ValidationError(_("That run belongs to another call."))
    with transaction.atomic():
        refusal = run_refusal(call)
        if refusal:
            raise ValidationError(refusal)
        prepared = build_input(call, settings)
    output = _solve(prepared.data)
    with transaction.atomic():
        # One run at a time per call gets the next number.
        call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
        refusal = run_refusal(call)
        if refusal:
            raise ValidationError(refusal)
        changes = input_changes(call, prepared.settings, prepared.data)
        if changes:
            raise ValidationError(
                [_("The call changed while the matching ran: run the matching again.")] + changes
            )
        last = MatchingRun.objects.filter(call=call).aggregate(last=Max("number"))["last"] or 0
        run = MatchingRun.objects.create(
            call=call,
            number=last + 1,
            label=prepared.settings["label"],
            created_by=by,
            based_on=based_on,
            mode=prepared.settings["mode"],
            candidates=prepared.basis,
            settings=prepared.settings,
            input=prepared.data,
            output=output,
            **MatchingRun.counts(prepared.data, output),
        )
        record(
            actor=by,
            action="matching.run.created",
            obj=run,
            programme=call.programme,
            changes={
                "mode": [None, run.get_mode_display()],
                "candidates": [None, len(prepared.applications)],
                "placed": [None, run.placed_count],
                "feasible": [None, run.feasible],
                "based_on": [None, based_on.number if based_on else None],
            },
        )
    return run


def _solve(data: dict) -> dict:
    """The engine's output for `data`, or a ValidationError saying why there is none."""
    try:
        result = engine.solve(engine.parse_input(data))
    except engine.InvalidInput as error:
        # normalise_settings catches what an operator can get wrong; this is a backstop.
        raise ValidationError(
            _("The matching cannot start: %(problems)s")
            % {"problems": "; ".join(error.problems[:10])}
        ) from error
    except engine.SolverError as error:
        raise ValidationError(
            _("The solver stopped without an answer. Try again; if it happens again, report it.")
        ) from error
    return result.to_json()


def rerun(run: MatchingRun, *, by: User, settings: dict | None = None, change=None):
    """A new run from `run`'s whiteboard: its settings (or new `settings`, keeping its locks and
    exclusions), with one `change` = (action, application id, challenge id) if given."""
    permissions.require(by, "call.match", run.call)
    base = dict(run.settings, label="")  # a label names one run, not those made from it
    if settings is not None:
        base = {**settings, "locked": run.settings["locked"], "excluded": run.settings["excluded"]}
    if change is not None:
        base = with_change(base, *change)
    return run_matching(run.call, by=by, settings=base, based_on=run)


# --- Staleness ---


def staleness(run: MatchingRun, *, current=None) -> list[str]:
    """Why `run` no longer matches the call (empty when it still does): building its input
    again from the call today, with the same settings, must give the same input."""
    return input_changes(run.call, run.settings, run.input, current=current)


def input_changes(call: Call, settings: dict, data: dict, *, current=None) -> list[str]:
    """What differs between the engine input `data` (built with `settings`) and the input
    built from `call` today with the same settings, as sentences (empty: nothing)."""
    try:
        prepared = build_input(call, settings, current=current)
    except ValidationError as error:
        return [_("The run's settings no longer fit the call:"), *error.messages]
    if prepared.data == data:
        return []
    then = {a["id"]: a for a in data["applicants"]}
    now = {a["id"]: a for a in prepared.data["applicants"]}
    reasons = []
    keys = set(then) | set(now)
    names = {
        applicant_key(a.pk): application_name(a)
        for a in Application.objects.filter(pk__in=[pk_of(k) for k in keys]).select_related(
            "applicant", "organisation"
        )
    }

    def listed(ids):
        return str(get_text_list(sorted(names.get(k, k) for k in ids), _("and")))

    if [c["id"] for c in data["challenges"]] != [c["id"] for c in prepared.data["challenges"]]:
        reasons.append(_("The call's challenges have changed."))
    if set(now) - set(then):
        reasons.append(
            _("%(names)s became candidates (a selection or the shortlist changed).")
            % {"names": listed(set(now) - set(then))}
        )
    if set(then) - set(now):
        reasons.append(
            _("%(names)s are no longer candidates (a selection or the shortlist changed).")
            % {"names": listed(set(then) - set(now))}
        )
    both = set(now) & set(then)
    rescored = {k for k in both if then[k]["scores"] != now[k]["scores"]}
    if rescored:
        reasons.append(
            _("The panel's scores of %(names)s have changed.") % {"names": listed(rescored)}
        )
    reranked = {k for k in both if then[k]["preferences"] != now[k]["preferences"]}
    if reranked:
        reasons.append(_("%(names)s changed their ranking.") % {"names": listed(reranked)})
    if any(then[k]["gender"] != now[k]["gender"] for k in both):
        # Never said of whom: gender is shown only in aggregate.
        reasons.append(_("The gender an applicant gave has changed."))
    return reasons or [_("The call's data has changed.")]


# --- Confirming ---


@transaction.atomic
def confirm_run(run: MatchingRun, *, by: User, accept_relaxed: bool = False) -> list[Match]:
    """Confirm `run`'s proposal: one Match per placement, audited. Refused when the call already
    has confirmed matches (they are never replaced here), when the run no longer matches the
    call (stale), and, unless `accept_relaxed`, when a constraint had to give."""
    permissions.require(by, "call.match", run.call)
    call = Call.objects.select_for_update().select_related("programme").get(pk=run.call_id)
    existing = Match.objects.filter(call=call).select_related("run").first()
    if existing is not None:
        raise ValidationError(
            _(
                "This call's matches were confirmed from run %(number)s on %(date)s. Confirmed "
                "matches are not replaced."
            )
            % {"number": existing.run.number, "date": stockholm_time(existing.confirmed_at)}
        )
    if not call.has_closed:
        raise ValidationError(_("The call has not closed yet."))
    reasons = staleness(run)
    if reasons:
        raise ValidationError(
            [_("The call has changed since this run: run the matching again.")] + reasons
        )
    assignments = run.output.get("assignments", [])
    if not assignments:
        raise ValidationError(_("This run places nobody: there is nothing to confirm."))
    if not run.feasible and not accept_relaxed:
        raise ValidationError(
            {
                "accept_relaxed": _(
                    "Not every constraint holds in this proposal: confirm that you accept it "
                    "as it is."
                )
            }
        )
    now = timezone.now()
    matches = Match.objects.bulk_create(
        Match(
            call=call,
            application_id=pk_of(item["applicant"]),
            challenge_id=pk_of(item["challenge"]),
            run=run,
            confirmed_by=by,
            confirmed_at=now,
        )
        for item in assignments
    )
    # Each match gets its test environment (and the innovator a journey) in this transaction.
    from samskapa.environments.services import create_for_matches

    create_for_matches(
        Match.objects.filter(call=call).select_related(
            "application__applicant", "application__organisation", "challenge__programme"
        ),
        by=by,
    )
    names = {
        a.pk: application_name(a)
        for a in Application.objects.filter(
            pk__in=[m.application_id for m in matches]
        ).select_related("applicant", "organisation")
    }
    titles = dict(
        Challenge.objects.filter(pk__in={m.challenge_id for m in matches}).values_list(
            "pk", "title"
        )
    )
    record(
        actor=by,
        action="matching.run.confirmed",
        obj=run,
        programme=call.programme,
        changes={
            "matches": [
                None,
                {names[m.application_id]: titles[m.challenge_id] for m in matches},
            ],
            "unplaced": [None, len(run.output.get("unassigned", []))],
            "feasible": [None, run.feasible],
        },
    )
    from samskapa.recruitment.models import SnapshotReason
    from samskapa.recruitment.services import snapshot_funnel

    snapshot_funnel(call, reason=SnapshotReason.MATCHED, by=by)
    return matches


# --- What the pages show ---


def names_for(runs, applications=None, challenges=None) -> explain.Names:
    """Display names for the engine ids of `runs` (two queries, whatever their size)."""
    application_pks, challenge_pks = set(), set()
    for run in runs:
        application_pks |= {pk_of(a["id"]) for a in run.input["applicants"]}
        challenge_pks |= {pk_of(c["id"]) for c in run.input["challenges"]}
    if applications is None:
        applications = Application.objects.filter(pk__in=application_pks).select_related(
            "applicant", "organisation"
        )
    if challenges is None:
        challenges = Challenge.objects.filter(pk__in=challenge_pks)
    by_application = {applicant_key(a.pk): application_name(a) for a in applications}
    by_challenge = {challenge_key(c.pk): c.title for c in challenges}

    def applicant(key):
        return by_application.get(key) or _("Application %(id)s") % {"id": key[1:]}

    def challenge(key):
        return by_challenge.get(key) or _("Challenge %(id)s") % {"id": key[1:]}

    return explain.Names(applicant, challenge)


def placements(run: MatchingRun) -> dict[str, str | None]:
    """Engine applicant id -> engine challenge id (None: not placed)."""
    placed = {item["applicant"]: item["challenge"] for item in run.output.get("assignments", [])}
    return {a["id"]: placed.get(a["id"]) for a in run.input["applicants"]}


def _gender_groups(run: MatchingRun) -> tuple[int, int, dict[str, int]]:
    """How many placed applicants have a gender: with any gender, and with a counted one (the
    balanced genders, or any when no balance was asked, as the engine counts its shares)
    overall and at each challenge (by engine id)."""
    balance = run.input.get("gender_balance")
    counted = set(balance["genders"]) if balance else None
    placed = placements(run)
    any_gender = 0
    per_challenge = {c["id"]: 0 for c in run.input["challenges"]}
    for applicant in run.input["applicants"]:
        gender, where = applicant.get("gender"), placed[applicant["id"]]
        if where is None or not gender:
            continue
        any_gender += 1
        if counted is None or gender in counted:
            per_challenge[where] = per_challenge.get(where, 0) + 1
    return any_gender, sum(per_challenge.values()), per_challenge


def withheld_challenges(sizes: dict[str, int]) -> set[str]:
    """The challenges whose gender shares are withheld, given how many placed applicants with
    a counted gender each has: those with fewer than MIN_GENDER_GROUP (but some), and when those
    together are still fewer, the next smallest until they are not, so that the overall figures
    less the shown challenges' do not give the withheld ones away."""
    hidden = {key for key, n in sizes.items() if 0 < n < MIN_GENDER_GROUP}
    total = sum(sizes[key] for key in hidden)
    for key in sorted(set(sizes) - hidden, key=lambda key: (sizes[key], key)):
        if not hidden or total >= MIN_GENDER_GROUP:
            break
        if sizes[key]:
            hidden.add(key)
            total += sizes[key]
    return hidden


def gender_shares(run: MatchingRun) -> dict:
    """The engine's `gender_shares` of the run with what could give away a person withheld
    (null): the overall shares when fewer than MIN_GENDER_GROUP placed applicants have a counted
    gender, and the shares of the challenges `withheld_challenges` names."""
    _any, counted, sizes = _gender_groups(run)
    shares = run.output.get("gender_shares") or {}
    hidden = withheld_challenges(sizes)
    return {
        "overall": shares.get("overall") if counted >= MIN_GENDER_GROUP else None,
        "per_challenge": {
            key: None if key in hidden else value
            for key, value in (shares.get("per_challenge") or {}).items()
        },
    }


def gender_summary(run: MatchingRun, names: explain.Names | None = None) -> dict:
    """The proposal's gender figures, in aggregate only and only where no one's gender can be
    worked out from them and the names the pages show: per gender the placed (count and share
    of the placed), when at least MIN_GENDER_GROUP placed applicants have a gender; and, when
    the balance is asked per challenge, each challenge's shares except `withheld_challenges`.
    (No counts of the candidates by gender: less the placed, they would give away the gender of
    an unplaced applicant.)"""
    placed = placements(run)
    genders = {a["id"]: a.get("gender") or "" for a in run.input["applicants"]}
    labels = [(g.value, g.label) for g in BALANCE_GENDERS] + [("", _("Not stated"))]
    n_placed = sum(1 for c in placed.values() if c is not None)
    with_gender, _counted, sizes = _gender_groups(run)
    shown = with_gender >= MIN_GENDER_GROUP
    rows = []
    for code, label in labels if shown else ():
        among_placed = sum(1 for a, c in placed.items() if c is not None and genders[a] == code)
        rows.append(
            {
                "code": code or "not_stated",
                "label": label,
                "placed": among_placed,
                "placed_share": among_placed / n_placed if n_placed else None,
            }
        )
    balance = run.input.get("gender_balance")
    per_challenge = []
    if balance and balance.get("scope") == "per_challenge":
        shares = gender_shares(run)["per_challenge"]
        for challenge in run.input["challenges"]:
            key = challenge["id"]
            values = shares.get(key)
            per_challenge.append(
                {
                    "challenge": key,
                    "title": names.challenge(key) if names else key,
                    "shown": values is not None or not sizes.get(key),
                    "shares": [
                        (gender_label(g), explain.percent((values or {}).get(g)))
                        for g in balance["genders"]
                    ],
                }
            )
    return {
        "placed": n_placed,
        "candidates": len(placed),
        "shown": shown,
        "rows": rows,
        "balance": balance,
        "balance_text": balance_text(balance),
        "per_challenge": per_challenge,
        "withheld": any(not item["shown"] for item in per_challenge),
    }


def gender_label(code: str) -> str:
    return str(dict(Gender.choices).get(code, code))


def balance_text(balance: dict | None) -> str:
    if not balance:
        return _("No gender balance was asked for.")
    values = {
        "share": explain.percent(balance["min_share"]),
        "genders": str(
            get_text_list([explain.gender_plural(g) for g in balance["genders"]], _("and"))
        ),
    }
    if balance["scope"] == "per_challenge":
        return (
            _(
                "At each challenge, %(genders)s each make up at least %(share)s of the placed "
                "%(genders)s."
            )
            % values
        )
    return (
        _(
            "Over all placements, %(genders)s each make up at least %(share)s of the placed "
            "%(genders)s."
        )
        % values
    )


def whiteboard(run: MatchingRun) -> dict:
    """The run as the whiteboard shows it: a column per challenge with the applicants placed
    there, then the unplaced; each card with its score, its rank of the challenge, the
    explanation and the lock/exclusion. A fixed number of queries, whatever the size."""
    applications = list(
        Application.objects.filter(
            pk__in=[pk_of(a["id"]) for a in run.input["applicants"]]
        ).select_related("applicant", "organisation")
    )
    challenges = list(
        Challenge.objects.filter(pk__in=[pk_of(c["id"]) for c in run.input["challenges"]])
    )
    names = names_for([run], applications, challenges)
    by_key = {applicant_key(a.pk): a for a in applications}
    placed = placements(run)
    locked = {tuple(p) for p in run.input.get("locked", [])}
    excluded = {tuple(p) for p in run.input.get("excluded", [])}
    details = run.output.get("explanation_details", {})
    titles = {c["id"]: names.challenge(c["id"]) for c in run.input["challenges"]}
    relaxed_at = {
        item.get("challenge") for item in run.output.get("relaxed", []) if item.get("challenge")
    }

    def card(applicant: dict, here: str | None) -> dict:
        key = applicant["id"]
        scores = applicant["scores"]
        preferences = applicant["preferences"]
        score = scores.get(here) if here else (max(scores.values()) if scores else None)
        return {
            "key": key,
            "pk": pk_of(key),
            "application": by_key.get(key),
            "name": names.applicant(key),
            "score": score,
            "mean": None if score is None else round(score * 100 / SCORE_SCALE, 1),
            "choice": preferences.index(here) + 1 if here in preferences else None,
            "ranked": len(preferences),
            "locked": (key, here) in locked if here else False,
            "explanation": explain.describe(details.get(key), names, run.mode),
            "exclusions": [
                {"pk": pk_of(c), "title": titles.get(c, c)} for (a, c) in excluded if a == key
            ],
            # Where it could be locked instead (where the panel's score counts), for the card's
            # "lock at" choice.
            "elsewhere": [
                {"pk": pk_of(c), "title": titles[c]} for c in titles if c in scores and c != here
            ],
        }

    columns = []
    for challenge in run.input["challenges"]:
        key = challenge["id"]
        cards = [card(a, key) for a in run.input["applicants"] if placed[a["id"]] == key]
        cards.sort(key=lambda c: (-(c["score"] or 0), c["name"]))
        columns.append(
            {
                "key": key,
                "pk": pk_of(key),
                "title": titles[key],
                "capacity": challenge["capacity"],
                "min_filled": challenge["min_filled"],
                "cards": cards,
                "short": key in relaxed_at,
            }
        )
    unplaced = [card(a, None) for a in run.input["applicants"] if placed[a["id"]] is None]
    unplaced.sort(key=lambda c: (-(c["score"] or 0), c["name"]))
    return {
        "columns": columns,
        "unplaced": unplaced,
        "relaxed": [
            explain.relaxed(item, names, run.mode) for item in run.output.get("relaxed", [])
        ],
        "locks": [
            {
                "name": names.applicant(a),
                "title": titles.get(c, c),
                "pk": pk_of(a),
                "challenge": pk_of(c),
            }
            for a, c in run.input.get("locked", [])
        ],
        "exclusions": [
            {
                "name": names.applicant(a),
                "title": titles.get(c, c),
                "pk": pk_of(a),
                "challenge": pk_of(c),
            }
            for a, c in run.input.get("excluded", [])
        ],
        "unscored": [names.applicant(a["id"]) for a in run.input["applicants"] if not a["scores"]],
        "names": names,
    }


def compare(first: MatchingRun, second: MatchingRun) -> dict:
    """Two runs of one call side by side: who is where in each (those who moved first), the
    totals, whether all constraints hold, and the gender figures."""
    if first.call_id != second.call_id:
        raise ValidationError(_("Only runs of the same call can be compared."))
    names = names_for([first, second])
    a, b = placements(first), placements(second)
    rows = []
    for key in dict.fromkeys([*a, *b]):
        before, after = a.get(key, "absent"), b.get(key, "absent")

        def where(value):
            if value == "absent":
                return _("Not a candidate")
            return names.challenge(value) if value else _("Not placed")

        rows.append(
            {
                "name": names.applicant(key),
                "first": where(before),
                "second": where(after),
                "moved": before != after,
            }
        )
    rows.sort(key=lambda row: (not row["moved"], row["name"]))
    return {
        "rows": rows,
        "moved": sum(1 for row in rows if row["moved"]),
        "genders": _compared_genders(gender_summary(first), gender_summary(second)),
        "relaxed": (
            [explain.relaxed(item, names, first.mode) for item in first.output.get("relaxed", [])],
            [
                explain.relaxed(item, names, second.mode)
                for item in second.output.get("relaxed", [])
            ],
        ),
    }


def _compared_genders(first: dict, second: dict) -> list[dict]:
    """Per gender, the placed of each run (None where that run's figures are withheld)."""
    labels = [(g.value, g.label) for g in BALANCE_GENDERS] + [("not_stated", _("Not stated"))]
    by_code = [{row["code"]: row for row in summary["rows"]} for summary in (first, second)]
    return [
        {"label": label, "first": by_code[0].get(code), "second": by_code[1].get(code)}
        for code, label in labels
    ]


def settings_summary(run: MatchingRun) -> list[tuple[str, str]]:
    """The run's settings as label/value pairs for the pages."""
    settings = run.settings
    return [
        (_("Mode"), run.get_mode_display()),
        (_("Candidates"), run.get_candidates_display()),
        (_("Weight of the preferences"), explain.number(settings["preference_weight"])),
        (_("Gender balance"), balance_text(settings.get("gender_balance"))),
        (_("Locked pairs"), str(len(settings.get("locked", [])))),
        (_("Excluded pairs"), str(len(settings.get("excluded", [])))),
    ]


def confirmed_matches(call: Call):
    """The call's confirmed matches with what their pages and the API show, by challenge and
    name; the runs they came from without their large JSON fields."""
    return (
        Match.objects.filter(call=call)
        .select_related(
            "application__applicant",
            "application__organisation",
            "challenge",
            "run",
            "confirmed_by",
        )
        .defer(*(f"run__{name}" for name in LARGE_FIELDS))
        .order_by("challenge__title", "application__applicant__full_name", "pk")
    )
