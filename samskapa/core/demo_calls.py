"""The demo's calls: one open now, one that ran in the autumn and has applications."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.calls import services as calls
from samskapa.calls.models import Application, Call, QuestionKind
from samskapa.challenges.models import ChallengeStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
QUESTIONS = [
    {
        "kind": QuestionKind.SHORT_TEXT,
        "label": "Vad heter idén?",
        "required": True,
        "max_length": 100,
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
