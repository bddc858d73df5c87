"""Matching in the product: the engine's input built from a call with the panel's scores, runs
stored as they were, the whiteboard (lock, exclude, run again), comparing runs, confirming, the
permissions, the API and the pages' queries.

The scenario (scores out of 5 = the panel's mean out of 100 / 20; preference weight 1):

    Anna (woman)   ranks Ensamhet, Vardag   mean 100 → 5
    Bo (man)       ranks Ensamhet only      mean  80 → 4
    Cissi (woman)  ranks Vardag, Ensamhet   mean  60 → 3
    Dan (man)      ranks nothing            mean  40 → 2   (scored at both challenges)
    Eva (woman)    neither shortlisted nor selected: never a candidate

With two places at each challenge the optimum is Ensamhet: Anna, Bo; Vardag: Cissi, Dan
(total 6 + 5 + 4 + 2 = 17).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.calls import services as calls
from samskapa.calls.models import (
    Application,
    ApplicationStatus,
    Call,
    QuestionKind,
    Review,
    Score,
)
from samskapa.challenges.models import Challenge, ChallengeStatus
from samskapa.matching import services
from samskapa.matching.models import ImmutableRecord, Match, MatchingRun
from samskapa.recruitment import funnel
from samskapa.recruitment.models import FunnelSnapshot
from tests import factories

pytestmark = pytest.mark.django_db

PEOPLE = [  # name, gender, ranking (by challenge key), score 1–5
    ("Anna Andersson", "woman", ["E", "V"], 5),
    ("Bo Berg", "man", ["E"], 4),
    ("Cissi Carlsson", "woman", ["V", "E"], 3),
    ("Dan Dahl", "man", [], 2),
    ("Eva Ek", "woman", ["V"], 5),
]


def closed_call_with_reviews(programme, operator, *, shortlist=("Anna", "Bo", "Cissi", "Dan")):
    """A call for two published challenges that has closed, with five applications scored by
    one reviewer on a one-criterion rubric, and the named applicants shortlisted. Returns
    (call, {"E": Ensamhet, "V": Vardag}, {first name: application})."""
    challenges = {}
    for key, title in (("E", "Ensamhet"), ("V", "Meningsfull vardag")):
        department = factories.department()
        programme.needs_owners.add(department)
        challenges[key] = Challenge.objects.create(
            programme=programme,
            department=department,
            title=title,
            need="n",
            target_group="t",
            desired_effects="d",
            status=ChallengeStatus.PUBLISHED,
        )
    now = timezone.now()
    call = calls.create_call(
        programme,
        by=operator,
        title="Höstens utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        challenges=list(challenges.values()),
    )
    calls.set_questions(
        call,
        [{"id": None, "kind": QuestionKind.RANKING, "label": "Rangordna", "required": False}],
        by=operator,
    )
    criterion = calls.add_criterion(call, by=operator, name="Nytta", weight=Decimal(1), scale_max=5)
    reviewer = factories.member(programme, Role.REVIEWER)
    calls.assign_reviewer(call, reviewer, by=operator)
    applications = {}
    for name, gender, ranking, _score in PEOPLE:
        person = factories.person(full_name=name)
        draft = calls.save_draft(
            calls.application_for(call, person),
            by=person,
            answers={},
            ranking=[challenges[key].pk for key in ranking],
            innovator_type="student",
            gender=gender,
        )
        applications[name.split()[0]] = calls.submit_application(draft, by=person)
    for name, _gender, _ranking, score in PEOPLE:
        application = applications[name.split()[0]]
        calls.declare_conflict(application, by=reviewer, conflicted=False)
        calls.submit_review(
            application, by=reviewer, scores={criterion.pk: {"value": score, "comment": ""}}
        )
    Call.objects.filter(pk=call.pk).update(closes_at=now - timedelta(days=1))
    call.refresh_from_db()
    for name in shortlist:
        calls.set_shortlisted(applications[name], by=operator, shortlisted=True)
    return call, challenges, applications


@pytest.fixture
def scenario(programme, operator):
    return closed_call_with_reviews(programme, operator)


def _where(run) -> dict:
    """First name → challenge title (None: not placed)."""
    placed = services.placements(run)
    titles = {services.challenge_key(c.pk): c.title for c in Challenge.objects.all()}
    names = {
        services.applicant_key(a.pk): a.applicant.full_name.split()[0]
        for a in Application.objects.select_related("applicant")
    }
    return {names[a]: titles.get(c) for a, c in placed.items()}


# --- Building the input ---


def test_input_uses_the_panels_mean_scaled_to_five_and_the_rankings(scenario):
    call, challenges, applications = scenario
    prepared = services.build_input(call)
    assert prepared.basis == "shortlisted"
    data = prepared.data
    by_id = {a["id"]: a for a in data["applicants"]}
    anna = by_id[services.applicant_key(applications["Anna"].pk)]
    e, v = services.challenge_key(challenges["E"].pk), services.challenge_key(challenges["V"].pk)
    assert anna["scores"] == {e: 5.0, v: 5.0} and anna["preferences"] == [e, v]
    assert anna["gender"] == "woman"
    bo = by_id[services.applicant_key(applications["Bo"].pk)]
    assert bo["scores"] == {e: 4.0}  # only where he ranked
    dan = by_id[services.applicant_key(applications["Dan"].pk)]
    assert dan["scores"] == {e: 2.0, v: 2.0} and dan["preferences"] == []  # ranked none: all
    assert services.applicant_key(applications["Eva"].pk) not in by_id
    # Defaults: room for everyone, spread evenly, the 40 % balance of women and men.
    assert [c["capacity"] for c in data["challenges"]] == [2, 2]
    assert data["gender_balance"] == {
        "scope": "overall",
        "genders": ["woman", "man"],
        "min_share": 0.4,
    }


def test_the_selected_applications_are_the_candidates_once_there_are_any(scenario, operator):
    call, _challenges, applications = scenario
    for name in ("Anna", "Eva"):
        calls.decide(applications[name], by=operator, decision="selected", rationale="Stark.")
    prepared = services.build_input(call)
    assert prepared.basis == "selected"
    assert {a.pk for a in prepared.applications} == {
        applications["Anna"].pk,
        applications["Eva"].pk,
    }


def test_nothing_to_match_and_an_open_call_are_refused_clearly(programme, operator):
    call, _challenges, applications = closed_call_with_reviews(programme, operator, shortlist=())
    with pytest.raises(ValidationError, match="selected or shortlisted"):
        services.run_matching(call, by=operator)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(days=2))
    call.refresh_from_db()
    with pytest.raises(ValidationError, match="match once it has closed"):
        services.run_matching(call, by=operator)
    assert not MatchingRun.objects.exists()


def test_bad_settings_give_every_problem_and_store_nothing(scenario, operator):
    call, challenges, applications = scenario
    e, v = challenges["E"].pk, challenges["V"].pk
    settings = {
        "challenges": {str(e): {"capacity": 1, "min_filled": 2}, str(v): {"capacity": -1}},
        "gender_balance": {"scope": "overall", "genders": ["woman"], "min_share": 0.7},
        "locked": [[applications["Bo"].pk, v], [applications["Eva"].pk, e]],
        "mode": "greedy",
    }
    with pytest.raises(ValidationError) as error:
        services.run_matching(call, by=operator, settings=settings)
    problems = error.value.message_dict
    assert set(problems) >= {f"min_filled_{e}", f"capacity_{v}", "genders", "min_share", "locked"}
    assert "more than its places" in problems[f"min_filled_{e}"][0]
    assert any("did not rank Meningsfull vardag" in p for p in problems["locked"])
    assert any("not one of this run's candidates" in p for p in problems["locked"])
    assert "mode" in problems
    with pytest.raises(ValidationError, match="both locked to and excluded"):
        services.run_matching(
            call,
            by=operator,
            settings={
                "locked": [[applications["Anna"].pk, e]],
                "excluded": [[applications["Anna"].pk, e]],
            },
        )
    assert not MatchingRun.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="matching.").exists()


# --- Runs, the whiteboard, re-runs ---


def test_a_run_is_stored_with_input_output_and_who_ran_it(scenario, operator):
    call, _challenges, _applications = scenario
    run = services.run_matching(call, by=operator)
    assert (run.number, run.created_by, run.mode, run.candidates) == (
        1,
        operator,
        "optimal",
        "shortlisted",
    )
    assert run.feasible and run.objective == 17
    assert _where(run) == {
        "Anna": "Ensamhet",
        "Bo": "Ensamhet",
        "Cissi": "Meningsfull vardag",
        "Dan": "Meningsfull vardag",
    }
    assert run.input == services.build_input(call).data
    assert set(run.output) >= {"assignments", "unassigned", "explanations", "gender_shares"}
    entry = AuditEntry.objects.get(action="matching.run.created")
    assert entry.programme == call.programme and entry.changes["placed"] == [None, 4]
    assert services.run_matching(call, by=operator).number == 2
    # Immutable: kept as it was run.
    run.label = "changed"
    with pytest.raises(ImmutableRecord):
        run.save()


def test_locking_and_excluding_rerun_and_honour_the_choice(scenario, operator):
    call, challenges, applications = scenario
    first = services.run_matching(call, by=operator)
    locked = services.rerun(
        first, by=operator, change=("lock", applications["Cissi"].pk, challenges["E"].pk)
    )
    assert locked.based_on == first and locked.number == 2
    assert _where(locked) == {
        "Anna": "Meningsfull vardag",
        "Bo": "Ensamhet",
        "Cissi": "Ensamhet",
        "Dan": "Meningsfull vardag",
    }
    assert locked.input["locked"] == [
        [
            services.applicant_key(applications["Cissi"].pk),
            services.challenge_key(challenges["E"].pk),
        ]
    ]
    # Excluding the locked pair drops the lock; the exclusion holds.
    excluded = services.rerun(
        locked, by=operator, change=("exclude", applications["Cissi"].pk, challenges["E"].pk)
    )
    assert excluded.settings["locked"] == []
    excluded = services.rerun(
        excluded, by=operator, change=("exclude", applications["Anna"].pk, challenges["E"].pk)
    )
    where = _where(excluded)
    assert where["Anna"] != "Ensamhet" and where["Cissi"] != "Ensamhet"
    assert len(excluded.settings["excluded"]) == 2
    included = services.rerun(
        excluded, by=operator, change=("include", applications["Anna"].pk, challenges["E"].pk)
    )
    assert included.settings["excluded"] == [[applications["Cissi"].pk, challenges["E"].pk]]
    # New settings keep the run's locks and exclusions.
    changed = services.rerun(
        included, by=operator, settings={"mode": "stable", "gender_balance": None}
    )
    assert (
        changed.mode == "stable" and changed.settings["excluded"] == included.settings["excluded"]
    )


def test_the_whiteboard_explains_each_card_with_names(scenario, operator):
    call, challenges, applications = scenario
    run = services.rerun(
        services.run_matching(call, by=operator),
        by=operator,
        change=("lock", applications["Cissi"].pk, challenges["E"].pk),
    )
    board = services.whiteboard(run)
    columns = {column["title"]: column for column in board["columns"]}
    cards = {card["name"]: card for column in board["columns"] for card in column["cards"]}
    assert [c["name"] for c in columns["Ensamhet"]["cards"]] == ["Bo Berg", "Cissi Carlsson"]
    assert cards["Cissi Carlsson"]["locked"]
    assert cards["Cissi Carlsson"]["explanation"] == (
        "Placed at Ensamhet (score 3) because the pair was locked."
    )
    assert cards["Bo Berg"]["explanation"] == "Placed at Ensamhet, their first choice (score 4)."
    assert "Anna Andersson" in cards["Anna Andersson"]["name"]
    assert "their first choice Ensamhet" in cards["Anna Andersson"]["explanation"]
    assert cards["Anna Andersson"]["choice"] == 2 and cards["Anna Andersson"]["mean"] == 100


def test_an_infeasible_run_says_what_had_to_give(scenario, operator):
    call, challenges, applications = scenario
    e, v = challenges["E"].pk, challenges["V"].pk
    run = services.run_matching(
        call,
        by=operator,
        settings={
            "challenges": {str(e): {"capacity": 1}, str(v): {"capacity": 1}},
            "locked": [[applications["Anna"].pk, e], [applications["Cissi"].pk, v]],
        },
    )
    assert not run.feasible
    assert services.whiteboard(run)["relaxed"] == [
        "The share of men overall is 0 %, below the required 40 %."
    ]
    # Two placed: figures by gender would say whose gender is what, so none are shown.
    genders = services.gender_summary(run)
    assert (genders["placed"], genders["candidates"], genders["shown"]) == (2, 4, False)
    assert genders["rows"] == []


def test_compare_shows_who_moved_and_the_totals(scenario, operator):
    call, challenges, applications = scenario
    first = services.run_matching(call, by=operator)
    second = services.rerun(
        first, by=operator, change=("lock", applications["Cissi"].pk, challenges["E"].pk)
    )
    comparison = services.compare(first, second)
    moved = {
        row["name"]: (row["first"], row["second"]) for row in comparison["rows"] if row["moved"]
    }
    assert moved == {
        "Anna Andersson": ("Ensamhet", "Meningsfull vardag"),
        "Cissi Carlsson": ("Meningsfull vardag", "Ensamhet"),
    }
    assert comparison["moved"] == 2 and comparison["rows"][0]["moved"]
    other_programme = factories.programme()
    other_operator = other_programme.memberships.get(role=Role.OPERATOR).user
    other_call, *_rest = closed_call_with_reviews(other_programme, other_operator)
    with pytest.raises(ValidationError, match="same call"):
        services.compare(first, services.run_matching(other_call, by=other_operator))


def test_every_explanation_the_engine_gives_is_rendered_here():
    """Random small instances in both modes: each explanation code has a translatable sentence
    in explain.py (none falls back to the engine's English), and so has each relaxed item."""
    import random

    from samskapa.matching import engine, explain

    names = explain.Names(lambda key: f"<{key}>", lambda key: f"[{key}]")
    codes = set()
    for seed in range(150):
        rng = random.Random(seed)
        challenges = [
            {"id": f"c{i}", "capacity": rng.randint(0, 3), "min_filled": rng.randint(0, 1)}
            for i in range(rng.randint(1, 4))
        ]
        for challenge in challenges:
            challenge["min_filled"] = min(challenge["min_filled"], challenge["capacity"])
        ids = [c["id"] for c in challenges]
        applicants = [
            {
                "id": f"a{i}",
                "gender": rng.choice(["woman", "man", None]),
                "scores": {c: round(rng.uniform(0, 5), 1) for c in ids if rng.random() < 0.8},
                "preferences": rng.sample(ids, rng.randint(0, len(ids))),
            }
            for i in range(rng.randint(1, 8))
        ]
        data = {
            "mode": rng.choice(["optimal", "stable"]),
            "challenges": challenges,
            "applicants": applicants,
            "preference_weight": rng.choice([0, 0.5, 1]),
            "gender_balance": rng.choice(
                [None, {"scope": "overall", "genders": ["woman", "man"], "min_share": 0.4}]
            ),
        }
        output = engine.solve_json(data)
        for detail in output["explanation_details"].values():
            codes.add(detail["code"])
            assert explain._reason(detail, names, output["mode"]), detail
        for item in output["relaxed"]:
            assert explain.relaxed(item, names, output["mode"]) != item["text"]
    assert {"first_choice", "first_choice_full", "lower_total", "no_score"} <= codes


# --- Confirming ---


def test_confirm_creates_the_matches_audited_and_feeds_the_funnel(scenario, operator):
    call, challenges, applications = scenario
    first_other = services.run_matching(call, by=operator, settings={"mode": "stable"})
    run = services.run_matching(call, by=operator)
    matches = services.confirm_run(run, by=operator)
    assert len(matches) == 4
    stored = {
        (m.application.applicant.full_name, m.challenge.title, m.run_id, m.confirmed_by_id)
        for m in Match.objects.select_related("application__applicant", "challenge")
    }
    assert ("Anna Andersson", "Ensamhet", run.pk, operator.pk) in stored
    assert ("Dan Dahl", "Meningsfull vardag", run.pk, operator.pk) in stored
    entry = AuditEntry.objects.get(action="matching.run.confirmed")
    assert entry.changes["matches"][1]["Bo Berg"] == "Ensamhet"
    assert entry.programme == call.programme
    assert funnel.compute(call)["totals"].get("matched") == 4
    assert FunnelSnapshot.objects.filter(call=call, reason="matched").count() == 1
    # A second confirmation, of this run or another, is refused: nothing changes; nor are
    # there new runs (they could never be confirmed).
    for attempt in (run, first_other):
        with pytest.raises(ValidationError, match="are not replaced"):
            services.confirm_run(attempt, by=operator)
    with pytest.raises(ValidationError, match="matches are confirmed"):
        services.run_matching(call, by=operator)
    assert Match.objects.count() == 4
    assert AuditEntry.objects.filter(action="matching.run.confirmed").count() == 1


def test_a_stale_run_is_refused_with_the_reason(scenario, operator):
    call, _challenges, applications = scenario
    run = services.run_matching(call, by=operator)
    calls.decide(applications["Dan"], by=operator, decision="not_selected", rationale="Nej.")
    reasons = services.staleness(run)
    assert reasons == ["Dan Dahl are no longer candidates (a selection or the shortlist changed)."]
    with pytest.raises(ValidationError) as error:
        services.confirm_run(run, by=operator)
    assert "run the matching again" in error.value.messages[0]
    assert not Match.objects.exists()
    # A fresh run is fine.
    assert services.staleness(services.run_matching(call, by=operator)) == []


def test_a_changed_score_makes_a_run_stale(scenario, operator):
    call, _challenges, applications = scenario
    run = services.run_matching(call, by=operator)
    Score.objects.filter(review__application=applications["Bo"]).update(value=1)
    assert services.staleness(run) == ["The panel's scores of Bo Berg have changed."]


def test_an_infeasible_run_needs_acceptance_to_confirm(scenario, operator):
    call, challenges, applications = scenario
    e, v = challenges["E"].pk, challenges["V"].pk
    run = services.run_matching(
        call,
        by=operator,
        settings={
            "challenges": {str(e): {"capacity": 1}, str(v): {"capacity": 1}},
            "locked": [[applications["Anna"].pk, e], [applications["Cissi"].pk, v]],
        },
    )
    with pytest.raises(ValidationError) as error:
        services.confirm_run(run, by=operator)
    assert "accept_relaxed" in error.value.message_dict
    assert len(services.confirm_run(run, by=operator, accept_relaxed=True)) == 2


def test_only_the_calls_operators_run_and_confirm(scenario, operator, people):
    call, _challenges, _applications = scenario
    for role in (Role.STEERING_GROUP, Role.NEEDS_OWNER, Role.REVIEWER, "outsider"):
        with pytest.raises(PermissionDenied):
            services.run_matching(call, by=people[role])
    run = services.run_matching(call, by=operator)
    with pytest.raises(PermissionDenied):
        services.confirm_run(run, by=people[Role.STEERING_GROUP])
    assert not Match.objects.exists()


# --- Pages ---


def test_operator_runs_locks_compares_and_confirms_through_the_pages(client_as, scenario, operator):
    call, challenges, applications = scenario
    client = client_as(operator)
    page = client.get(f"/matching/calls/{call.pk}/")
    assert page.status_code == 200
    assert (
        "No application is selected yet, so the 4 shortlisted applications are matched" in page.text
    )
    data = {
        "mode": "optimal",
        "preference_weight": "1",
        "balance": "on",
        "genders": ["woman", "man"],
        "min_share": "40",
        "scope": "overall",
        f"capacity_{challenges['E'].pk}": "2",
        f"min_filled_{challenges['E'].pk}": "0",
        f"capacity_{challenges['V'].pk}": "2",
        f"min_filled_{challenges['V'].pk}": "0",
    }
    response = client.post(f"/matching/calls/{call.pk}/", data)
    run = MatchingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matching/runs/{run.pk}/"
    board = client.get(f"/matching/runs/{run.pk}/").text
    assert "Placed at Ensamhet, their first choice (score 5)." in board
    assert "Gender balance of the proposal" in board
    whiteboard = board[board.index('class="whiteboard"') : board.index("genders-heading")]
    assert "Woman" not in whiteboard and "woman" not in whiteboard  # never next to a name
    # Lock Cissi at Ensamhet from her card: a new run.
    response = client.post(
        f"/matching/runs/{run.pk}/rerun/",
        {
            "action": "lock",
            "application": applications["Cissi"].pk,
            "challenge": challenges["E"].pk,
        },
    )
    second = MatchingRun.objects.get(number=2)
    assert response["Location"] == f"/matching/runs/{second.pk}/"
    assert "because the pair was locked" in client.get(response["Location"]).text
    compared = client.get(f"/matching/calls/{call.pk}/compare/?first={run.pk}&second={second.pk}")
    assert "2 applicants are placed differently" in compared.text
    # Confirm: a step first, then the POST.
    step = client.get(f"/matching/runs/{second.pk}/confirm/")
    assert "Confirming creates 4 matches" in step.text
    response = client.post(f"/matching/runs/{second.pk}/confirm/")
    assert response.status_code == 302 and Match.objects.count() == 4
    page = client.get(f"/matching/calls/{call.pk}/").text
    assert "Confirmed from run 2" in page
    refused = client.post(f"/matching/runs/{run.pk}/confirm/")
    assert refused.status_code == 200 and "already confirmed" in refused.text


def test_bad_settings_come_back_on_the_form(client_as, scenario, operator):
    call, challenges, _applications = scenario
    client = client_as(operator)
    data = {
        "mode": "optimal",
        "preference_weight": "1",
        f"capacity_{challenges['E'].pk}": "1",
        f"min_filled_{challenges['E'].pk}": "3",
        f"capacity_{challenges['V'].pk}": "2",
        f"min_filled_{challenges['V'].pk}": "0",
    }
    response = client.post(f"/matching/calls/{call.pk}/", data)
    assert response.status_code == 200
    assert "The minimum at Ensamhet (3) is more than its places (1)." in response.text
    assert not MatchingRun.objects.exists()


def test_a_refused_rerun_says_why_and_stores_nothing(client_as, scenario, operator):
    call, challenges, applications = scenario
    run = services.run_matching(call, by=operator)
    client = client_as(operator)
    response = client.post(
        f"/matching/runs/{run.pk}/rerun/",
        {"action": "lock", "application": applications["Bo"].pk, "challenge": challenges["V"].pk},
        follow=True,
    )
    assert "did not rank Meningsfull vardag" in response.text
    assert MatchingRun.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.OPERATOR, 200),
        (Role.STEERING_GROUP, 403),
        (Role.NEEDS_OWNER, 403),
        (Role.INNOVATOR, 403),
        (Role.REVIEWER, 403),
        (Role.OBSERVER, 403),
        ("outsider", 404),
    ],
)
def test_pages_of_a_closed_call_are_for_its_operators(client_as, scenario, people, role, expected):
    call, _challenges, _applications = scenario
    run = services.run_matching(call, by=people[Role.OPERATOR])
    client = client_as(people[role])
    for path in (
        f"/matching/calls/{call.pk}/",
        f"/matching/runs/{run.pk}/",
        f"/matching/runs/{run.pk}/confirm/",
        f"/matching/calls/{call.pk}/compare/",
        f"/api/matching-runs/{run.pk}",
        f"/api/calls/{call.pk}/matching-runs",
    ):
        assert client.get(path).status_code == expected, path
    if expected != 200:
        assert client.post(f"/matching/runs/{run.pk}/confirm/").status_code == expected
        assert (
            client.post(f"/matching/runs/{run.pk}/rerun/", {"action": "same"}).status_code
            == expected
        )
        assert MatchingRun.objects.count() == 1 and not Match.objects.exists()


def test_whiteboard_queries_do_not_grow_with_applicants(client_as, scenario, operator):
    call, challenges, _applications = scenario
    client = client_as(operator)

    def count(run):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/matching/runs/{run.pk}/").status_code == 200
        return len(queries)

    few = count(services.run_matching(call, by=operator))
    review = Review.objects.filter(application__call=call).first()
    criterion = call.criteria.get()
    for i in range(12):
        application = Application.objects.create(
            call=call,
            applicant=factories.person(full_name=f"Extra {i}"),
            organisation=factories.department() if i % 2 else None,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            shortlisted=True,
            gender="woman" if i % 2 else "man",
            ranking=[challenges["V"].pk, challenges["E"].pk],
        )
        extra = Review.objects.create(application=application, reviewer=review.reviewer)
        Score.objects.create(review=extra, criterion=criterion, value=1 + i % 5)
    many = count(services.run_matching(call, by=operator))
    assert many == few <= 12, (few, many)


# --- API ---


def test_api_runs_reads_and_confirms_with_the_pages_rules(client_as, scenario, operator):
    call, challenges, applications = scenario
    client = client_as(operator)
    e, v = challenges["E"].pk, challenges["V"].pk
    response = client.post(
        f"/api/calls/{call.pk}/matching-runs",
        {
            "label": "Cissi på Ensamhet",
            "challenges": {str(e): {"capacity": 2}, str(v): {"capacity": 2, "min_filled": 1}},
            "locked": [[applications["Cissi"].pk, e]],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["label"] == "Cissi på Ensamhet" and body["feasible"]
    placements = {p["applicant_name"]: p for p in body["placements"]}
    assert (
        placements["Cissi Carlsson"]["challenge_id"] == e and placements["Cissi Carlsson"]["locked"]
    )
    assert all("gender" not in applicant for applicant in body["input"]["applicants"])
    assert body["stale"] == [] and body["settings"]["challenges"][str(v)]["min_filled"] == 1
    # Four placed: too few for figures by gender (see the tests of the gender figures below).
    assert body["gender_balance"] == [] and body["gender_balance_withheld"]
    assert body["output"]["gender_shares"]["overall"] is None
    run_id = body["id"]
    listed = client.get(f"/api/calls/{call.pk}/matching-runs").json()
    assert listed["count"] == 1 and [r["id"] for r in listed["items"]] == [run_id]
    assert (listed["items"][0]["placed"], listed["items"][0]["unplaced"]) == (4, 0)
    assert client.get(f"/api/matching-runs/{run_id}").json()["objective"] == body["objective"]
    # Bad input: 422 with the service's message, nothing stored.
    bad = client.post(
        f"/api/calls/{call.pk}/matching-runs",
        {"challenges": {str(e): {"capacity": -2}}, "gender_balance": None},
        content_type="application/json",
    )
    assert bad.status_code == 422 and f"capacity_{e}" in bad.json()["errors"]
    assert MatchingRun.objects.count() == 1
    # No balance asked for: explicitly null.
    unbalanced = client.post(
        f"/api/calls/{call.pk}/matching-runs",
        {"gender_balance": None},
        content_type="application/json",
    ).json()
    assert unbalanced["settings"]["gender_balance"] is None
    confirmed = client.post(
        f"/api/matching-runs/{run_id}/confirm", {}, content_type="application/json"
    )
    assert confirmed.status_code == 201 and len(confirmed.json()) == 4
    again = client.post(
        f"/api/matching-runs/{unbalanced['id']}/confirm", {}, content_type="application/json"
    )
    assert again.status_code == 422 and "not replaced" in str(again.json()["errors"])
    matches = client.get(f"/api/calls/{call.pk}/matches").json()
    assert {m["applicant_name"]: m["challenge_title"] for m in matches}[
        "Cissi Carlsson"
    ] == "Ensamhet"
    assert all(m["run_number"] == 1 for m in matches)


# --- The demo ---


def test_the_demo_selects_the_autumn_shortlist_and_stores_one_proposal(client_as):
    from io import StringIO

    from django.core.management import call_command

    from samskapa.accounts.models import User

    call_command("load_demo", stdout=StringIO())  # calls core.demo_matching.add_matching
    autumn = Call.objects.get(title="Utlysning hösten 2026")
    operator = User.objects.get(email="operator@demo.samskapa.se")
    run = autumn.matching_runs.get()
    shortlisted = autumn.applications.filter(shortlisted=True)
    assert shortlisted.count() == 4
    assert set(shortlisted.values_list("decision", flat=True)) == {"selected"}
    assert (run.number, run.candidates, len(run.input["applicants"])) == (1, "selected", 4)
    assert run.label == "Första förslaget" and run.created_by == operator
    assert run.placed_count >= 1 and not Match.objects.exists()
    page = client_as(operator).get(f"/matching/runs/{run.pk}/")
    assert page.status_code == 200 and "Första förslaget" in page.text


# --- Gender: only where no one's gender can be worked out ---


def add_candidates(call, challenges, genders, ranking=("V", "E"), score=3):
    """More shortlisted candidates ("Extra 0", "Extra 1", …) of `genders`, scored by the panel
    and ranking `ranking`."""
    review = Review.objects.filter(application__call=call).first()
    criterion = call.criteria.get()
    for i, gender in enumerate(genders):
        application = Application.objects.create(
            call=call,
            applicant=factories.person(full_name=f"Extra {i}"),
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
            shortlisted=True,
            gender=gender,
            ranking=[challenges[key].pk for key in ranking],
        )
        extra = Review.objects.create(application=application, reviewer=review.reviewer)
        Score.objects.create(review=extra, criterion=criterion, value=score)


def _capacities(challenges, e, v) -> dict:
    return {str(challenges["E"].pk): {"capacity": e}, str(challenges["V"].pk): {"capacity": v}}


def test_one_unplaced_applicants_gender_cannot_be_worked_out(client_as, scenario, operator):
    """Three of the four candidates placed, the fourth named as not placed: no figure by gender
    (placed and candidates by gender would give the fourth's gender by subtraction)."""
    call, challenges, _applications = scenario
    run = services.run_matching(
        call,
        by=operator,
        settings={"challenges": _capacities(challenges, 2, 1), "gender_balance": None},
    )
    assert (run.placed_count, run.unplaced_count) == (3, 1)
    client = client_as(operator)
    for path in (f"/matching/runs/{run.pk}/", f"/matching/runs/{run.pk}/confirm/"):
        page = client.get(path).text
        genders = page[page.index("genders-heading") :]
        genders = genders[: genders.index("</section>")]
        assert "Fewer than 5 of the placed have a gender" in genders, path
        assert "Share of the placed" not in genders and "Share of the candidates" not in genders
        assert "Woman" not in genders and "Man" not in genders
    body = client.get(f"/api/matching-runs/{run.pk}").json()
    assert body["gender_balance"] == [] and body["gender_balance_withheld"] is True
    shares = body["output"]["gender_shares"]
    assert shares["overall"] is None and set(shares["per_challenge"].values()) == {None}
    assert all("gender" not in applicant for applicant in body["input"]["applicants"])
    second = services.run_matching(call, by=operator)
    compared = client.get(f"/matching/calls/{call.pk}/compare/?first={run.pk}&second={second.pk}")
    table = compared.text[compared.text.index("<h2>Gender balance") : compared.text.index("Who is")]
    assert table.count("Not shown") == 8 and "%" not in table


def test_with_enough_placed_the_figures_are_of_the_placed_only(client_as, scenario, operator):
    call, challenges, _applications = scenario
    add_candidates(call, challenges, ["woman", "man"] * 4)  # 12 candidates, 6 women, 6 men
    run = services.run_matching(
        call, by=operator, settings={"challenges": _capacities(challenges, 6, 5)}
    )
    assert (run.placed_count, run.unplaced_count) == (11, 1)
    summary = services.gender_summary(run)
    assert summary["shown"]
    rows = {row["code"]: row for row in summary["rows"]}
    assert rows["woman"]["placed"] + rows["man"]["placed"] == 11
    assert all(set(row) == {"code", "label", "placed", "placed_share"} for row in rows.values())
    client = client_as(operator)
    page = client.get(f"/matching/runs/{run.pk}/").text
    genders = page[page.index("genders-heading") :]
    genders = genders[: genders.index("</section>")]
    assert "Share of the placed" in genders and "Candidates" not in genders
    body = client.get(f"/api/matching-runs/{run.pk}").json()
    assert not body["gender_balance_withheld"]
    assert all(set(row) == {"gender", "placed", "placed_share"} for row in body["gender_balance"])
    assert body["output"]["gender_shares"]["overall"] == run.output["gender_shares"]["overall"]


def test_a_challenges_shares_are_withheld_when_few_are_placed_there(client_as, scenario, operator):
    call, challenges, _applications = scenario
    add_candidates(call, challenges, ["woman", "man"] * 4)
    e, v = (services.challenge_key(challenges[key].pk) for key in ("E", "V"))
    per_challenge = {"scope": "per_challenge", "genders": ["woman", "man"], "min_share": 0.4}
    client = client_as(operator)
    # Two placed at Ensamhet: its shares would give their genders, and Vardag's with the overall
    # figures would give Ensamhet's: neither is shown, on the page or in the API.
    small = services.run_matching(
        call,
        by=operator,
        settings={"challenges": _capacities(challenges, 2, 10), "gender_balance": per_challenge},
    )
    assert len([p for p in services.placements(small).values() if p == e]) == 2
    assert set(small.output["gender_shares"]["per_challenge"][e].values()) != {None}
    page = client.get(f"/matching/runs/{small.pk}/").text
    table = page[page.index("Shares at each challenge") :]
    table = table[: table.index("</table>")]
    assert table.count("Not shown") == 2 and "%" not in table
    assert "nor where they could be worked out" in page
    shares = client.get(f"/api/matching-runs/{small.pk}").json()["output"]["gender_shares"]
    assert shares["per_challenge"] == {e: None, v: None}
    assert shares["overall"] == small.output["gender_shares"]["overall"] is not None
    # Six at each: both shown.
    even = services.run_matching(
        call,
        by=operator,
        settings={"challenges": _capacities(challenges, 6, 6), "gender_balance": per_challenge},
    )
    page = client.get(f"/matching/runs/{even.pk}/").text
    table = page[page.index("Shares at each challenge") :]
    assert "Not shown" not in table[: table.index("</table>")] and "50 %" in table
    shares = client.get(f"/api/matching-runs/{even.pk}").json()["output"]["gender_shares"]
    assert shares["per_challenge"] == even.output["gender_shares"]["per_challenge"]
    # Over all placements, the page has no table per challenge; the API withholds alike.
    overall = services.run_matching(
        call, by=operator, settings={"challenges": _capacities(challenges, 2, 10)}
    )
    assert "Shares at each challenge" not in client.get(f"/matching/runs/{overall.pk}/").text
    shares = client.get(f"/api/matching-runs/{overall.pk}").json()["output"]["gender_shares"]
    assert shares["per_challenge"] == {e: None, v: None}


@pytest.mark.parametrize(
    ("sizes", "withheld"),
    [
        ({"c1": 6, "c2": 7}, set()),
        ({"c1": 0, "c2": 6}, set()),  # nobody at c1: nothing to give away
        ({"c1": 1, "c2": 6, "c3": 9}, {"c1", "c2"}),  # c2 too, or c1 = overall − c2 − c3
        ({"c1": 2, "c2": 3, "c3": 9}, {"c1", "c2"}),  # together 5: c3 may be shown
        ({"c1": 4, "c2": 0, "c3": 5}, {"c1", "c3"}),
        ({"c1": 4}, {"c1"}),
    ],
)
def test_which_challenges_shares_are_withheld(sizes, withheld):
    assert services.withheld_challenges(sizes) == withheld


# --- The matching page once no run can start ---


def test_a_run_refused_after_confirmation_says_why(client_as, scenario, operator):
    call, challenges, _applications = scenario
    services.confirm_run(services.run_matching(call, by=operator), by=operator)
    data = {
        "mode": "optimal",
        "preference_weight": "1",
        f"capacity_{challenges['E'].pk}": "2",
        f"min_filled_{challenges['E'].pk}": "0",
        f"capacity_{challenges['V'].pk}": "2",
        f"min_filled_{challenges['V'].pk}": "0",
    }
    client = client_as(operator)
    for posted in (data, {}):  # a valid form from an old tab, or none at all
        response = client.post(f"/matching/calls/{call.pk}/", posted)
        assert response.status_code == 302
        assert response["Location"] == f"/matching/calls/{call.pk}/"
        page = client.get(response["Location"]).text
        assert "This call&#x27;s matches are confirmed, so a new run could never be" in page
    assert MatchingRun.objects.count() == 1


def test_a_run_refused_on_an_open_call_or_without_candidates_says_why(
    client_as, programme, operator
):
    call, _challenges, _applications = closed_call_with_reviews(programme, operator, shortlist=())
    client = client_as(operator)
    response = client.post(f"/matching/calls/{call.pk}/", {}, follow=True)
    assert "No application to this call is selected or shortlisted" in response.text
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(days=2))
    response = client.post(f"/matching/calls/{call.pk}/", {}, follow=True)
    assert "match once it has closed" in response.text
    assert not MatchingRun.objects.exists()


# --- Runs' counts in columns; lists without the input and output ---


def test_a_run_stores_its_counts_and_the_migration_fills_older_runs(scenario, operator):
    import importlib

    from django.apps import apps

    call, challenges, _applications = scenario
    run = services.run_matching(
        call,
        by=operator,
        settings={"challenges": _capacities(challenges, 2, 1), "gender_balance": None},
    )
    stored = MatchingRun.objects.values("placed_count", "candidate_count").get(pk=run.pk)
    assert stored == {"placed_count": 3, "candidate_count": 4}
    MatchingRun.objects.filter(pk=run.pk).update(placed_count=0, candidate_count=0)
    migration = importlib.import_module("samskapa.matching.migrations.0002_run_counts")
    migration.fill_counts(apps, None)
    run = MatchingRun.objects.get(pk=run.pk)
    assert (run.placed_count, run.candidate_count, run.unplaced_count) == (3, 4, 1)


def test_the_lists_of_runs_read_neither_input_nor_output(client_as, scenario, operator):
    call, _challenges, _applications = scenario
    services.confirm_run(services.run_matching(call, by=operator), by=operator)
    client = client_as(operator)
    for path in (f"/matching/calls/{call.pk}/", f"/api/calls/{call.pk}/matching-runs"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "matching_matchingrun" in sql, path
        for column in ("input", "output", "settings"):
            assert f'"matching_matchingrun"."{column}"' not in sql, (path, column)


def test_the_api_lists_runs_a_page_at_a_time(client_as, scenario, operator):
    call, _challenges, _applications = scenario
    for _ in range(3):
        services.run_matching(call, by=operator)
    client = client_as(operator)
    first = client.get(f"/api/calls/{call.pk}/matching-runs?page_size=2").json()
    second = client.get(f"/api/calls/{call.pk}/matching-runs?page_size=2&page=2").json()
    assert first["count"] == second["count"] == 3
    assert [r["number"] for r in first["items"] + second["items"]] == [3, 2, 1]


# --- No transaction while the engine solves ---


@pytest.fixture
def solving(monkeypatch):
    """Calls `during()` while the real engine solves (set `solving.during`); records whether a
    transaction was open then."""
    from samskapa.matching import engine

    real = engine.solve
    seen = {"in_transaction": [], "during": None}

    def solve(data):
        seen["in_transaction"].append(connection.in_atomic_block)
        if seen["during"]:
            seen["during"]()
        return real(data)

    monkeypatch.setattr(engine, "solve", solve)
    return seen


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_engine_solves_outside_a_transaction(scenario, operator, solving):
    call, _challenges, _applications = scenario
    run = services.run_matching(call, by=operator)
    assert solving["in_transaction"] == [False]
    assert run.placed_count == 4 and AuditEntry.objects.filter(action="matching.run.created")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_while_solving_stores_nothing_and_says_what(scenario, operator, solving):
    call, _challenges, applications = scenario
    solving["during"] = lambda: Score.objects.filter(review__application=applications["Bo"]).update(
        value=1
    )
    with pytest.raises(ValidationError) as error:
        services.run_matching(call, by=operator)
    assert error.value.messages == [
        "The call changed while the matching ran: run the matching again.",
        "The panel's scores of Bo Berg have changed.",
    ]
    assert not MatchingRun.objects.exists()
    assert not AuditEntry.objects.filter(action="matching.run.created").exists()
    # Matches confirmed (from another run) while solving: refused too.
    solving["during"] = None
    other = services.run_matching(call, by=operator)
    solving["during"] = lambda: services.confirm_run(other, by=operator)
    with pytest.raises(ValidationError, match="matches are confirmed"):
        services.run_matching(call, by=operator)
    assert MatchingRun.objects.count() == 1


# --- Swap sentences ---


@pytest.mark.parametrize(
    ("swap", "blocked", "expected"),
    [
        (
            {"with": "a2", "with_score": 4, "with_moves_to": "c2", "loss": 1.5},
            False,
            "Swapping places with <a2> (score 4 there), who would move to [c2], would lower the "
            "total by 1.5.",
        ),
        (
            {"with": "a2", "with_score": 4, "with_moves_to": None, "loss": 0},
            False,
            "Swapping places with <a2> (score 4 there), who would be left unplaced, would leave "
            "the total unchanged.",
        ),
        (
            {
                "with": "a2",
                "with_score": 4,
                "with_moves_to": "c2",
                "loss": -2,
                "breaks": [{"constraint": "gender_balance", "challenge": "c1"}],
            },
            True,
            "Swapping places with <a2> (score 4 there), who would move to [c2], would raise the "
            "total by 2 but break the gender balance at [c1].",
        ),
        (
            {
                "with": "a2",
                "with_score": 4,
                "with_moves_to": None,
                "loss": 0.5,
                "breaks": [{"constraint": "min_filled", "challenge": "c2"}],
            },
            True,
            "Swapping places with <a2> (score 4 there), who would be left unplaced, would lower "
            "the total by 0.5 but break the minimum at [c2].",
        ),
    ],
)
def test_a_swap_is_one_whole_sentence(swap, blocked, expected):
    from samskapa.matching import explain

    names = explain.Names(lambda key: f"<{key}>", lambda key: f"[{key}]")
    assert explain._swap(swap, names, blocked=blocked) == expected
    # Each variant is one msgid, a whole sentence: the translator never sees pieces.
    sentences = explain._swap_sentences()
    assert len(sentences) == 12
    assert all(m.startswith("Swapping places with") and m.endswith(".") for m in sentences.values())
