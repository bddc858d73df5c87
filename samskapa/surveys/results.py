"""A survey's results as a person may see them, in a constant number of queries.

The innovator's own team (`permissions.in_innovator_team`: the innovator and the programme's
operators) sees every figure and the free-text answers. Everyone else who may see the survey
(the host department's needs owners, the contact person) sees figures resting on fewer than 5
respondents as "fewer than 5": a question's count and mean, the before/after comparison of
fewer than 5 pairs (hidden too when a round has 1–4 answers outside the pairs: the overall
mean less the pairs' would give them away), and each option or scale point of a distribution
by the funnel's rule (`protect` below: small groups "fewer than 5", further groups hidden
while the total would give one away). They never see free text, nor a number question's smallest and
largest answer (each is one person's). Where a distribution would have a suppressed group and
another figure gives a weighted sum of it (a scale's mean, the indicator share of a choice),
the whole distribution is hidden: the mean and the sum would let a reader solve for the group.
"""

from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.recruitment.funnel import EXACT, FEWER, HIDDEN, SMALL_GROUP
from samskapa.surveys import services
from samskapa.surveys.models import Answer, QuestionKind, Round


def protect(counts: list[int]) -> list[str]:
    """How each option or scale point of a distribution is shown outside the team, when the
    question's count (their sum, at least 5) is shown.

    1–4 answers are "fewer than 5" (FEWER). A reader knows the total and the exact groups, so
    the suppressed groups' sum; FEWER groups hold 1–4 and HIDDEN groups at least 5 and (as the
    rule hides the smallest first) no more than the smallest group still shown. While that
    leaves some suppressed group a single possible value, the smallest exact group of 5 or
    more is hidden too; when none is left, every group is hidden (the count only). The feasible
    values of a group under a sum and per-group bounds form an interval, so each check is
    linear: no enumeration (the funnel's `protect` enumerates, and takes seconds on a 1–10
    scale). Empty groups are shown as 0."""
    states = [FEWER if 0 < n < SMALL_GROUP else EXACT for n in counts]
    if FEWER not in states:
        return states
    while True:
        shown = [n for n, state in zip(counts, states, strict=True) if state == EXACT]
        rest = sum(counts) - sum(shown)
        ceiling = min((n for n in shown if n >= SMALL_GROUP), default=rest)
        bounds = [
            (1, SMALL_GROUP - 1) if state == FEWER else (SMALL_GROUP, ceiling)
            for state in states
            if state != EXACT
        ]
        low_sum = sum(low for low, _high in bounds)
        high_sum = sum(high for _low, high in bounds)
        determined = any(
            min(high, rest - (low_sum - low)) <= max(low, rest - (high_sum - high))
            for low, high in bounds
        )
        if not determined:
            return states
        candidates = [
            i
            for i, (n, state) in enumerate(zip(counts, states, strict=True))
            if state == EXACT and n >= SMALL_GROUP
        ]
        if not candidates:
            return [HIDDEN] * len(counts)
        states[min(candidates, key=lambda i: (counts[i], i))] = HIDDEN


def _published_sum(question) -> bool:
    """Whether another figure gives a weighted sum of the distribution: a scale's mean, or
    the share of the counted options of a choice feeding an indicator (the dashboards show
    it)."""
    return question.kind == QuestionKind.SCALE or bool(question.indicator_id)


def _cell(count: int, total: int, shown: str = EXACT) -> dict:
    if shown != EXACT:
        return {"shown": shown, "count": None, "share": None}
    share = round(100 * count / total, 1) if total else None
    return {"shown": EXACT, "count": count, "share": share}


def _count(n: int, exact: bool) -> dict:
    if not exact and 0 < n < SMALL_GROUP:
        return {"shown": FEWER, "count": None}
    return {"shown": EXACT, "count": n}


def _unpaired_small(pairs: int, per_round: dict[str, int]) -> bool:
    """Whether some round has 1–4 answers outside the pairs. The count and mean of all answers
    (and a before/after indicator's figure per round) are shown: with the pairs' mean before
    and after, a reader could solve for the sum of the answers outside the pairs; so that
    group must be empty or hold at least 5 in every round."""
    for round_, n in per_round.items():
        unpaired = n - pairs if round_ in (Round.BEFORE, Round.AFTER) else n
        if 0 < unpaired < SMALL_GROUP:
            return True
    return False


def results(survey, user) -> dict:
    exact = permissions.in_innovator_team(user, survey.environment)
    questions = list(survey.questions.select_related("indicator"))
    total = services.response_count(survey)
    summary, distribution = services.answer_aggregates(survey)
    pairs = services.paired_changes(survey)
    per_round = services.answers_per_round(survey) if pairs and not exact else {}
    texts: dict[int, list[str]] = {}
    if exact:
        for question_id, text in Answer.objects.filter(
            response__survey=survey, question__kind=QuestionKind.TEXT
        ).values_list("question_id", "text"):
            texts.setdefault(question_id, []).append(text)
    items = []
    for question in questions:
        row = summary.get(question.pk, {})
        n = row.get("n", 0)
        small = not exact and 0 < n < SMALL_GROUP
        item = {
            "question": question,
            "id": question.pk,
            "kind": question.kind,
            "text": question.text,
            "answers": _count(n, exact),
            "mean": None,
            "smallest": None,
            "largest": None,
            "distribution": [],
            "texts": texts.get(question.pk, []) if exact else None,
            "paired": None,
        }
        if question.is_numeric and n and not small:
            item["mean"] = round(row["mean"], 2)
            if exact and question.kind == QuestionKind.NUMBER:
                item["smallest"], item["largest"] = row["low"], row["high"]
        if question.kind in (QuestionKind.SCALE, QuestionKind.CHOICE) and n and not small:
            if question.kind == QuestionKind.SCALE:
                keys = list(range(1, (question.scale_max or 5) + 1))
                labels = [str(k) for k in keys]
                if question.low_label:
                    labels[0] = f"1 ({question.low_label})"
                if question.high_label:
                    labels[-1] = f"{keys[-1]} ({question.high_label})"
            else:
                keys = list(range(len(question.options)))
                labels = question.option_labels()
            counts = [distribution.get(question.pk, {}).get(k, 0) for k in keys]
            states = [EXACT] * len(counts) if exact else protect(counts)
            if any(state != EXACT for state in states) and _published_sum(question):
                # The mean (or the indicator's share) is one more equation: with it a reader
                # could solve for a suppressed group, so the distribution shows nothing.
                states = [HIDDEN] * len(counts)
            item["distribution"] = [
                {"label": label, **_cell(count, n, state)}
                for label, count, state in zip(labels, counts, states, strict=True)
            ]
        paired = pairs.get(question.pk)
        if paired:
            if not exact and paired["n"] < SMALL_GROUP:
                item["paired"] = {"shown": FEWER, "n": None}
            elif not exact and _unpaired_small(paired["n"], per_round.get(question.pk, {})):
                # The overall count and mean (or a round's measurement) less the pairs' means
                # would give the few answers outside the pairs away.
                item["paired"] = {"shown": HIDDEN, "n": None}
            else:
                item["paired"] = {
                    "shown": EXACT,
                    "n": paired["n"],
                    "before": round(paired["before"], 2),
                    "after": round(paired["after"], 2),
                    "change": round(paired["change"], 2),
                }
        items.append(item)
    return {
        "exact": exact,
        "responses": _count(total, exact),
        "questions": items,
        "fewer_label": _("fewer than 5"),
        "hidden": HIDDEN,
        "fewer": FEWER,
    }
