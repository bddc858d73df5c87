"""The demo's calls: one open now, and one that ran in the autumn through every step so far —
applications, the review panel's scores, the shortlist, the recruitment lab (held), the
selection and a matching proposal that awaits the operator's confirmation."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.calls import services as calls
from samskapa.calls.models import Application, Call, QuestionKind, ReviewAllocation
from samskapa.challenges.models import ChallengeStatus
from samskapa.core.demo_lab import add_lab
from samskapa.core.demo_matching import add_matching
from samskapa.recruitment.models import InvitationStatus, LabInvitation, LabSlot

STOCKHOLM = ZoneInfo("Europe/Stockholm")
QUESTIONS = [
    {
        "kind": QuestionKind.SHORT_TEXT,
        "label": "Vad heter idén?",
        "required": True,
        "max_length": 100,
        "before_declaring": True,  # what a blind panel sees before declaring conflicts
    },
    {
        "kind": QuestionKind.LONG_TEXT,
        "label": "Beskriv idén och vilket behov den möter",
        "required": True,
        "max_length": 2000,
    },
    {
        "kind": QuestionKind.CHOICE,
        "label": "Hur långt har idén kommit?",
        "required": True,
        "choices": "Idé\nPrototyp\nPilot\nI drift",
    },
    {"kind": QuestionKind.NUMBER, "label": "Hur många är ni i teamet?", "required": False},
    {
        "kind": QuestionKind.RANKING,
        "label": "Rangordna de utmaningar du vill arbeta med",
        "required": True,
    },
]
ELIGIBILITY = (
    "Sociala entreprenörer, intraprenörer, forskare, studenter och organisationer som vill "
    "testa en idé i en av förvaltningarnas testmiljöer. Urvalet görs med jämn könsfördelning."
)
RUBRIC = [  # name, weight, top score
    ("Behovet och målgruppen", "2", 5),
    ("Genomförbarhet i förvaltningens testmiljö", "1.5", 5),
    ("Social effekt och hållbarhet", "2", 5),
    ("Teamets förmåga att genomföra", "1", 5),
]
# The panel's view of each application (1–5), by application in order of submission; the
# second reviewer's offset makes one application split the panel.
QUALITY = [4, 3, 5, 2, 4, 3, 5, 2]
SECOND_OPINION = [0, 1, -3, 0, 0, 0, -1, 1]
SPREAD_SEED = 2026
# The autumn call's recruitment lab was held three weeks after its deadline.
LAB_DAY = date(2026, 11, 5)
SHORTLIST_SIZE = 4
# The demo login keeps a few applications to review, so that "My reviews" has work in it.
LOGIN_REVIEWER_LEAVES = 2
GENDERS = ["woman", "man", "woman", "other", "man", "woman", "prefer_not_to_say", "man"]
STAGES = ["Idé", "Prototyp", "Pilot", "Idé", "Prototyp", "I drift", "Pilot", "Idé"]


def add_calls(programme, operator) -> None:
    challenges = list(programme.challenges.filter(status=ChallengeStatus.PUBLISHED).order_by("pk"))
    now = timezone.now()
    _call(
        programme,
        operator,
        challenges,
        "Utlysning vintern 2026–27: den inkluderande staden",
        opens=now - timedelta(days=10),
        closes=_evening(now + timedelta(days=30)),
    )
    autumn = _call(
        programme,
        operator,
        challenges,
        "Utlysning hösten 2026",
        opens=now - timedelta(days=1),
        closes=now + timedelta(days=1),
    )
    _apply(autumn, programme, challenges)
    _as_if_run(
        autumn,
        datetime(2026, 9, 1, 9, tzinfo=STOCKHOLM),
        datetime(2026, 10, 15, 23, 59, tzinfo=STOCKHOLM),
    )
    _review_panel(autumn, programme, operator)
    _lab_as_held(autumn, add_lab(autumn, operator), held_on=LAB_DAY)
    add_matching(autumn, operator)  # the shortlisted are selected; a proposal awaits confirming


def _evening(moment):
    local = moment.astimezone(STOCKHOLM)
    return local.replace(hour=23, minute=59, second=0, microsecond=0)


def _call(programme, operator, challenges, title, *, opens, closes) -> Call:
    call = calls.create_call(
        programme,
        by=operator,
        challenges=challenges,
        title=title,
        eligibility=ELIGIBILITY,
        opens_at=opens,
        closes_at=closes,
    )
    calls.set_questions(call, [dict(q, id=None) for q in QUESTIONS], by=operator)
    return call


def _apply(call, programme, challenges) -> None:
    questions = {q.kind: q for q in call.questions.all()}
    innovators = (
        programme.memberships.filter(role=Role.INNOVATOR)
        .select_related("user", "organisation")
        .order_by("pk")[: len(GENDERS)]
    )
    for index, membership in enumerate(innovators):
        person = membership.user
        ranking = [
            c.pk
            for c in challenges[index % len(challenges) :] + challenges[: index % len(challenges)]
        ]
        answers = {
            str(
                questions[QuestionKind.SHORT_TEXT].pk
            ): f"{membership.organisation or person} – idé {index + 1}",
            str(questions[QuestionKind.LONG_TEXT].pk): "Vi vill pröva en ny väg att möta behovet "
            "tillsammans med målgruppen och förvaltningen.",
            str(questions[QuestionKind.CHOICE].pk): STAGES[index],
            str(questions[QuestionKind.NUMBER].pk): 2 + index % 4,
        }
        draft = calls.save_draft(
            calls.application_for(call, person),
            by=person,
            answers=answers,
            ranking=ranking[:3],
            organisation=membership.organisation,
            innovator_type="organisation" if membership.organisation else "entrepreneur",
            gender=GENDERS[index],
        )
        calls.submit_application(draft, by=person)


def _as_if_run(call, opens, closes) -> None:
    """Seed data only: move the call (and its submissions) back to when it ran."""
    Call.objects.filter(pk=call.pk).update(opens_at=opens, closes_at=closes)
    for offset, application in enumerate(call.applications.order_by("pk")):
        Application.objects.filter(pk=application.pk).update(
            submitted_at=closes - timedelta(days=10 - offset)
        )
    call.refresh_from_db()


def _review_panel(call, programme, operator) -> None:
    """The autumn call's panel: a rubric, three reviewers spread two per application with a
    shown seed, their conflict declarations and scores, and the operator's shortlist."""
    for name, weight, top in RUBRIC:
        calls.add_criterion(call, by=operator, name=name, weight=Decimal(weight), scale_max=top)
    reviewers = [
        membership.user
        for membership in programme.memberships.filter(role=Role.REVIEWER)
        .select_related("user")
        .order_by("pk")
    ]
    for reviewer in reviewers:
        calls.assign_reviewer(call, reviewer, by=operator)
    calls.spread_reviewers(call, per_application=2, by=operator, seed=SPREAD_SEED)
    criteria = list(call.criteria.order_by("position"))
    order = {
        pk: index
        for index, pk in enumerate(call.applications.order_by("pk").values_list("pk", flat=True))
    }
    login, *panel = reviewers
    left_to_the_login = LOGIN_REVIEWER_LEAVES
    scored, conflict_declared = set(), False
    allocations = ReviewAllocation.objects.filter(application__call=call).select_related(
        "application", "reviewer"
    )
    for allocation in allocations.order_by("-application_id", "reviewer_id"):
        application, reviewer = allocation.application, allocation.reviewer
        if reviewer == login and left_to_the_login:
            left_to_the_login -= 1
            continue
        index = order[application.pk]
        # One panel member knows one applicant: their first application, declared.
        conflicted = reviewer == panel[-1] and not conflict_declared
        conflict_declared = conflict_declared or conflicted
        calls.declare_conflict(
            application,
            by=reviewer,
            conflicted=conflicted,
            note="Har arbetat med sökanden tidigare." if conflicted else "",
        )
        if conflicted:
            continue
        second = application.pk in scored
        scored.add(application.pk)
        base = QUALITY[index] + (SECOND_OPINION[index] if second else 0)
        scores = {
            criterion.pk: {
                "value": max(1, min(criterion.scale_max, base - (position % 2))),
                "comment": "Tydligt behov och en genomtänkt plan." if base >= 4 else "",
            }
            for position, criterion in enumerate(criteria)
        }
        calls.submit_review(application, by=reviewer, scores=scores)
    best = sorted(
        (row for row in calls.review_summary(call) if row["mean"] is not None),
        key=lambda row: (-row["mean"], row["application"].pk),
    )
    for row in best[:SHORTLIST_SIZE]:
        calls.set_shortlisted(row["application"], by=operator, shortlisted=True)


def _lab_as_held(call, slots, *, held_on) -> None:
    """Seed data only: move the lab's times to the day it was held, everyone invited came."""
    for slot in slots:
        shift = timezone.localtime(slot.starts_at, STOCKHOLM).date() - held_on
        LabSlot.objects.filter(pk=slot.pk).update(
            starts_at=slot.starts_at - shift, ends_at=slot.ends_at - shift
        )
    LabInvitation.objects.filter(application__call=call).update(
        status=InvitationStatus.ACCEPTED,
        responded_at=datetime.combine(held_on - timedelta(days=7), datetime.min.time(), STOCKHOLM),
    )
