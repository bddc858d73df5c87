"""Surveys: building them, answering them anonymously, feeding indicators.

The innovator's side (build, open/close, codes, update indicators) checks `impact.edit` on the
survey's test environment, validates everything before anything is stored and records one audit
entry per change. The respondent's side (`submit_response`) is anonymous: it is reached by the
survey's token only, refuses personal identity numbers in free text and codes
(impact/privacy.py) and stores nothing but the answers, the day, the round, the language and
the code given. The survey's row is locked while a response is stored and the survey's fed
indicators are recomputed in the same transaction, so that two respondents answering at once
cannot write the same measurement twice.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.audit.services import diff, record, snapshot
from samskapa.impact.models import Frequency, Indicator, Measurement, MeasurementSource
from samskapa.impact.privacy import refuse_identity_numbers
from samskapa.surveys.models import (
    Answer,
    Question,
    QuestionKind,
    RespondentCode,
    Response,
    Round,
    Survey,
    SurveyStatus,
    new_code,
)

SURVEY_FIELDS = ("title_sv", "title_en", "intro_sv", "intro_en", "round", "period")
QUESTION_FIELDS = (
    "kind",
    "text_sv",
    "text_en",
    "required",
    "scale_max",
    "low_label_sv",
    "low_label_en",
    "high_label_sv",
    "high_label_en",
    "min_value",
    "max_value",
    "options",
    "indicator",
    "indicator_id",
    "counted_options",
    "position",
)
MAX_CODES = 500


# --- The innovator's side -------------------------------------------------------------------


@transaction.atomic
def create_survey(environment, *, by, **fields) -> Survey:
    permissions.require(by, "impact.edit", environment)
    survey = Survey(environment=environment, programme=environment.programme)
    _set(survey, fields, SURVEY_FIELDS)
    _validate_survey(survey)
    survey.save()
    record(
        actor=by,
        action="surveys.survey.created",
        obj=survey,
        programme=survey.programme,
        changes=_without_token(diff({}, snapshot(survey))),
    )
    return survey


@transaction.atomic
def update_survey(survey: Survey, *, by, **fields) -> Survey:
    permissions.require(by, "impact.edit", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    before = snapshot(survey)
    _set(survey, fields, SURVEY_FIELDS)
    _validate_survey(survey)
    survey.save()
    changes = _without_token(diff(before, snapshot(survey)))
    if changes:
        record(
            actor=by,
            action="surveys.survey.updated",
            obj=survey,
            programme=survey.programme,
            changes=changes,
        )
    return survey


@transaction.atomic
def set_status(survey: Survey, *, by, status: str) -> Survey:
    """Open a survey for answers (it needs a question) or close it (the link then says so)."""
    permissions.require(by, "impact.edit", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if status not in (SurveyStatus.OPEN, SurveyStatus.CLOSED):
        raise ValidationError({"status": _("Choose open or closed.")})
    if status == survey.status:
        return survey
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    before = survey.get_status_display()
    survey.status = status
    survey.save(update_fields=["status"])
    record(
        actor=by,
        action="surveys.survey.opened" if status == SurveyStatus.OPEN else "surveys.survey.closed",
        obj=survey,
        programme=survey.programme,
        changes={"status": [before, survey.get_status_display()]},
    )
    return survey


@transaction.atomic
def add_question(survey: Survey, *, by, **fields) -> Question:
    permissions.require(by, "impact.edit", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _refuse_when_answered(survey)
    question = Question(survey=survey)
    if "position" not in fields:
        fields["position"] = survey.questions.count() + 1
    _set(question, fields, QUESTION_FIELDS)
    _validate_question(question)
    question.save()
    record(
        actor=by,
        action="surveys.question.added",
        obj=question,
        programme=survey.programme,
        changes=diff({}, _question_state(question)),
    )
    return question


@transaction.atomic
def update_question(question: Question, *, by, **fields) -> Question:
    permissions.require(by, "impact.edit", question.survey)
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _refuse_when_answered(survey)
    question = Question.objects.get(pk=question.pk)
    before = _question_state(question)
    _set(question, fields, QUESTION_FIELDS)
    _validate_question(question)
    question.save()
    changes = diff(before, _question_state(question))
    if changes:
        record(
            actor=by,
            action="surveys.question.changed",
            obj=question,
            programme=survey.programme,
            changes=changes,
        )
    return question


@transaction.atomic
def remove_question(question: Question, *, by) -> None:
    permissions.require(by, "impact.edit", question.survey)
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _refuse_when_answered(survey)
    record(
        actor=by,
        action="surveys.question.removed",
        obj=question,
        programme=survey.programme,
        changes={"text_sv": [question.text_sv, None]},
    )
    question.delete()


@transaction.atomic
def generate_codes(survey: Survey, *, by, count: int) -> list[RespondentCode]:
    """`count` new random codes to hand out (never derived from a name)."""
    permissions.require(by, "impact.edit", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not isinstance(count, int) or not 1 <= count <= MAX_CODES:
        raise ValidationError(
            {"count": _("Generate between 1 and %(max)s codes at a time.") % {"max": MAX_CODES}}
        )
    taken = set(survey.codes.values_list("code", flat=True))
    fresh: list[str] = []
    while len(fresh) < count:
        code = new_code()
        if code not in taken:
            taken.add(code)
            fresh.append(code)
    created = RespondentCode.objects.bulk_create(
        [RespondentCode(survey=survey, code=code) for code in fresh]
    )
    record(
        actor=by,
        action="surveys.codes.generated",
        obj=survey,
        programme=survey.programme,
        changes={"codes": [None, count]},
    )
    return created


@transaction.atomic
def update_indicators(survey: Survey, *, by) -> "Feed":
    """On demand: compute the fed indicators again from all answers (entered and imported
    values are kept: see `feed_indicators`)."""
    permissions.require(by, "impact.edit", survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    feed = feed_indicators(survey)
    record(
        actor=by,
        action="surveys.indicators.updated",
        obj=survey,
        programme=survey.programme,
        changes={"measurements": [None, len(feed.written)]},
    )
    return feed


def _without_token(changes: dict) -> dict:
    changes.pop("token", None)  # the link is the survey's only key: not in the history
    return changes


def _question_state(question: Question) -> dict:
    """The audit's view of a question: its fields, with options and counted ones as text."""
    state = {
        name: value
        for name, value in snapshot(_without_lists(question)).items()
        if name not in ("options", "counted_options")
    }
    state["options"] = " · ".join(o.get("sv", "") for o in question.options or [])
    state["counted_options"] = ", ".join(str(i + 1) for i in question.counted_options or [])
    return state


def _without_lists(question: Question) -> Question:
    copy = Question(
        **{f.attname: getattr(question, f.attname) for f in Question._meta.concrete_fields}
    )
    copy.options = copy.counted_options = None
    return copy


# --- The respondent's side ------------------------------------------------------------------


def answerable(token: str) -> Survey | None:
    """The survey behind a link, if anyone may see it: open or closed, never a draft."""
    return (
        Survey.objects.filter(token=token, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
        .select_related("environment")
        .first()
    )


def normalise_code(raw: str) -> str:
    code = "".join((raw or "").split()).upper()
    if len(code) == 6 and "-" not in code:
        code = f"{code[:3]}-{code[3:]}"
    return code


@transaction.atomic
def submit_response(
    survey: Survey, *, answers: dict, code: str = "", language: str = "sv"
) -> Response:
    """Store one anonymous response. `answers` maps each question (or its id) to the value:
    a number for scale and number questions, an option's index for choice, text for free text;
    None or "" for no answer. Errors are keyed `q_<question id>` and `code`."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("This survey is closed: it takes no more answers."))
    questions = list(survey.questions.all())
    by_id = {(a.pk if isinstance(a, Question) else int(a)): v for a, v in answers.items()}
    errors: dict[str, list] = {}
    rows = []
    for question in questions:
        key = f"q_{question.pk}"
        try:
            value = _clean_answer(question, by_id.get(question.pk))
        except ValidationError as error:
            errors[key] = error.messages
            continue
        if value is not None:
            rows.append((question, value))
    respondent_code = None
    raw_code = (code or "").strip()
    if raw_code:
        try:
            refuse_identity_numbers(raw_code, where=gettext("The code"))
            normalised = normalise_code(raw_code)
            respondent_code = survey.codes.filter(code=normalised).first()
            if respondent_code is None:
                raise ValidationError(
                    _("This is not one of the survey's codes. Check it, or leave it empty.")
                )
            if Response.objects.filter(code=respondent_code, round=survey.round).exists():
                raise ValidationError(_("This code has already been used to answer this round."))
        except ValidationError as error:
            errors["code"] = error.messages
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Answer at least one question."))
    response = Response(
        survey=survey,
        submitted_on=timezone.localdate(),
        round=survey.round,
        code=respondent_code,
        language=language if language in ("sv", "en") else "sv",
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError(
            {"code": [_("This code has already been used to answer this round.")]}
        ) from None
    Answer.objects.bulk_create([_answer(response, question, value) for question, value in rows])
    if any(q.indicator_id for q in questions):
        feed_indicators(survey)
    return response


def _clean_answer(question: Question, raw):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if question.required:
            raise ValidationError(_("This question needs an answer."))
        return None
    if question.kind == QuestionKind.TEXT:
        text = str(raw).strip().replace("\x00", "")
        refuse_identity_numbers(text, where=gettext("Your answer"))
        if len(text) > 5000:
            raise ValidationError(_("Keep the answer under 5,000 characters."))
        return text
    refuse_identity_number_in_number(raw)
    try:
        number = float(str(raw).replace(",", ".").strip())
    except ValueError:
        raise ValidationError(_("Give a number.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("Give a number."))
    refuse_identity_number_in_number(number)
    if question.kind == QuestionKind.SCALE:
        if number != int(number) or not 1 <= number <= (question.scale_max or 5):
            raise ValidationError(
                _("Choose a value from 1 to %(max)s.") % {"max": question.scale_max or 5}
            )
        return int(number)
    if question.kind == QuestionKind.CHOICE:
        if number != int(number) or not 0 <= number < len(question.options):
            raise ValidationError(_("Choose one of the options."))
        return int(number)
    if question.min_value is not None and number < question.min_value:
        raise ValidationError(
            _("Give a number of at least %(min)s.") % {"min": _plain(question.min_value)}
        )
    if question.max_value is not None and number > question.max_value:
        raise ValidationError(
            _("Give a number of at most %(max)s.") % {"max": _plain(question.max_value)}
        )
    return number


def refuse_identity_number_in_number(raw) -> None:
    """A number answer (a question without a maximum takes 198112189876) may be a personal
    identity or coordination number: refused like free text, never echoed. Scanned: the text
    as typed, without a sign, and a whole number's digits."""
    text = str(raw).strip()
    candidates = [text, text.lstrip("+-\u2212 ")]
    if isinstance(raw, float) and raw.is_integer():
        candidates.append(str(abs(int(raw))))
    elif isinstance(raw, int):
        candidates.append(str(abs(raw)))
    for candidate in candidates:
        refuse_identity_numbers(candidate, where=gettext("Your answer"))


def _answer(response, question, value) -> Answer:
    if question.kind == QuestionKind.TEXT:
        return Answer(response=response, question=question, text=value)
    if question.kind == QuestionKind.CHOICE:
        return Answer(response=response, question=question, choice=value)
    return Answer(response=response, question=question, number=value)


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


# --- Feeding indicators ---------------------------------------------------------------------


def period_start(day: date, frequency: str) -> date:
    """The first day of the period `day` falls in, by an indicator's frequency (monthly, and
    "before and after" outside a survey round: the month)."""
    if frequency == Frequency.QUARTERLY:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == Frequency.HALF_YEARLY:
        return date(day.year, 1 if day.month <= 6 else 7, 1)
    if frequency == Frequency.YEARLY:
        return date(day.year, 1, 1)
    return date(day.year, day.month, 1)


@dataclass
class NotReplaced:
    """A period the survey would feed that already holds an entered or imported value."""

    indicator: Indicator
    period: date
    source: str

    @property
    def message(self) -> str:
        if self.source == MeasurementSource.IMPORT:
            text = gettext(
                "%(indicator)s: the period %(period)s already holds an imported value: not "
                "replaced by the survey's."
            )
        else:
            text = gettext(
                "%(indicator)s: the period %(period)s already holds a value entered by hand: "
                "not replaced by the survey's."
            )
        return text % {"indicator": self.indicator.name, "period": self.period.isoformat()}


@dataclass
class Feed:
    written: list[Measurement] = field(default_factory=list)
    not_replaced: list[NotReplaced] = field(default_factory=list)


def _computed(survey: Survey) -> tuple[list[Question], list[tuple[Question, date, float, int]]]:
    """The fed questions, and per fed question and period the value and the number of
    respondents (one query for the questions, one for the answers)."""
    fed = list(survey.questions.filter(indicator__isnull=False).select_related("indicator"))
    if not fed:
        return [], []
    rows = list(
        Answer.objects.filter(question__in=fed).values_list(
            "question_id", "number", "choice", "response__submitted_on", "response__round"
        )
    )
    # "Before and after" indicators: a round's answers count for the month its first came in.
    round_starts: dict[str, date] = {}
    for _question, _number, _choice, day, round_ in rows:
        if round_ and (round_ not in round_starts or day < round_starts[round_]):
            round_starts[round_] = day
    per_question: dict[int, dict[date, list]] = defaultdict(lambda: defaultdict(list))
    frequency = {q.pk: q.indicator.frequency for q in fed}
    for question_id, number, choice, day, round_ in rows:
        if survey.period:
            period = survey.period
        elif frequency[question_id] == Frequency.ONCE and round_:
            period = period_start(round_starts[round_], Frequency.MONTHLY)
        else:
            period = period_start(day, frequency[question_id])
        per_question[question_id][period].append(number if choice is None else choice)
    computed = []
    for question in fed:
        for period, values in per_question.get(question.pk, {}).items():
            if question.kind == QuestionKind.CHOICE:
                counted = set(question.counted_options)
                value = 100 * sum(1 for v in values if v in counted) / len(values)
            else:
                value = sum(values) / len(values)
            computed.append((question, period, round(value, 4), len(values)))
    return fed, computed


def _others(fed: list[Question]) -> dict[tuple[int, date], str]:
    """The sources of the fed indicators' entered or imported measurements, by period."""
    indicators = {question.indicator_id for question in fed}
    if not indicators:
        return {}
    return {
        (indicator_id, period): source
        for indicator_id, period, source in Measurement.objects.filter(indicator_id__in=indicators)
        .exclude(source=MeasurementSource.SURVEY)
        .values_list("indicator_id", "period", "source")
    }


def not_replaced(survey: Survey) -> list[NotReplaced]:
    """The periods the survey would feed that hold an entered or imported value (never
    replaced by the survey's)."""
    fed, computed = _computed(survey)
    others = _others(fed)
    return [
        NotReplaced(question.indicator, period, others[(question.indicator_id, period)])
        for question, period, _value, _n in computed
        if (question.indicator_id, period) in others
    ]


def feed_indicators(survey: Survey) -> Feed:
    """Per fed question and period: the value (mean, or the share in % choosing the counted
    options) and the number of respondents, upserted as the indicator's survey measurement.
    The period is the survey's when it has one; else, for a "before and after" indicator, the
    month the round's first answer came in; else the answer day's by the indicator's
    frequency. A period the survey no longer has answers for loses its survey measurement. A
    period holding an entered or imported value keeps it: the survey's is not written there,
    and the period is reported in `not_replaced`."""
    fed, computed = _computed(survey)
    others = _others(fed)
    feed = Feed()
    periods: dict[int, list[date]] = defaultdict(list)
    for question, period, value, respondents in computed:
        periods[question.pk].append(period)
        source = others.get((question.indicator_id, period))
        if source is not None:
            feed.not_replaced.append(NotReplaced(question.indicator, period, source))
            continue
        measurement, _created = Measurement.objects.update_or_create(
            indicator=question.indicator,
            period=period,
            defaults={
                "value": value,
                "respondents": respondents,
                "source": MeasurementSource.SURVEY,
                "import_batch": None,
            },
        )
        feed.written.append(measurement)
    for question in fed:
        Measurement.objects.filter(
            indicator=question.indicator, source=MeasurementSource.SURVEY
        ).exclude(period__in=periods[question.pk]).delete()
    return feed


# --- Validation -----------------------------------------------------------------------------


def _set(obj, fields: dict, allowed) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)


def _validate_survey(survey: Survey) -> None:
    errors = {}
    for name in ("title_sv", "title_en", "intro_sv", "intro_en"):
        try:
            refuse_identity_numbers(getattr(survey, name) or "")
        except ValidationError as error:
            errors[name] = error.messages
    if survey.period and survey.period.day != 1:
        errors["period"] = [_("A period starts on the first day of a month.")]
    try:
        survey.full_clean(exclude=["environment", "programme", "token"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _refuse_when_answered(survey: Survey) -> None:
    if survey.responses.exists():
        raise ValidationError(
            _(
                "The survey has answers: its questions can no longer change (the answers would "
                "no longer match them). Make a new survey instead."
            )
        )


def _validate_question(question: Question) -> None:
    errors: dict[str, list] = defaultdict(list)
    kind = question.kind
    for name in ("text_sv", "text_en"):
        try:
            refuse_identity_numbers(getattr(question, name) or "")
        except ValidationError as error:
            errors[name].extend(error.messages)
    if kind == QuestionKind.SCALE:
        if question.scale_max not in (5, 10):
            errors["scale_max"].append(_("Choose a scale of 1–5 or 1–10."))
    else:
        question.scale_max = None
        for name in ("low_label_sv", "low_label_en", "high_label_sv", "high_label_en"):
            setattr(question, name, "")
    if kind == QuestionKind.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low > high:
            errors["max_value"].append(_("The largest allowed cannot be below the smallest."))
    else:
        question.min_value = question.max_value = None
    if kind == QuestionKind.CHOICE:
        options = question.options if isinstance(question.options, list) else []
        cleaned = []
        for option in options:
            if isinstance(option, str):
                option = {"sv": option}
            if not isinstance(option, dict):
                continue
            sv, en = str(option.get("sv", "")).strip(), str(option.get("en", "") or "").strip()
            if sv:
                cleaned.append({"sv": sv, "en": en} if en else {"sv": sv})
        question.options = cleaned
        if len(cleaned) < 2:
            errors["options"].append(_("A choice needs at least two options."))
        counted = question.counted_options if isinstance(question.counted_options, list) else []
        if any(not isinstance(i, int) or not 0 <= i < len(cleaned) for i in counted):
            errors["counted_options"].append(_("Count only options the question has."))
        question.counted_options = sorted(set(i for i in counted if isinstance(i, int)))
        if question.indicator_id and not question.counted_options:
            errors["counted_options"].append(
                _("Say which options count towards the indicator's share.")
            )
    else:
        question.options = []
        question.counted_options = []
    if question.indicator_id:
        indicator = Indicator.objects.filter(pk=question.indicator_id).first()
        if indicator is None or indicator.environment_id != question.survey.environment_id:
            errors["indicator"].append(_("Choose an indicator of this test environment."))
        elif kind == QuestionKind.TEXT:
            errors["indicator"].append(_("A free-text question cannot feed an indicator."))
        elif (
            Question.objects.filter(indicator_id=question.indicator_id)
            .exclude(pk=question.pk)
            .exists()
        ):
            errors["indicator"].append(
                _(
                    "Another survey question already feeds this indicator: one question per "
                    "indicator."
                )
            )
    try:
        question.full_clean(exclude=["survey", "indicator", "options", "counted_options"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors[name].extend(messages)
    if errors:
        raise ValidationError(dict(errors))


# --- Results --------------------------------------------------------------------------------


def response_count(survey: Survey) -> int:
    return survey.responses.count()


def answer_aggregates(survey: Survey):
    """Per question: the answers' count, mean, min and max (one query), and the count per value
    of scale and choice questions (one query)."""
    from django.db.models import Avg, Max, Min

    summary = {
        row["question_id"]: row
        for row in Answer.objects.filter(response__survey=survey)
        .values("question_id")
        .annotate(n=Count("id"), mean=Avg("number"), low=Min("number"), high=Max("number"))
        .order_by()
    }
    distribution: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, number, choice, n in (
        Answer.objects.filter(
            response__survey=survey,
            question__kind__in=[QuestionKind.SCALE, QuestionKind.CHOICE],
        )
        .values_list("question_id", "number", "choice")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = choice if choice is not None else int(number)
        distribution[question_id][key] = n
    return summary, distribution


def paired_changes(survey: Survey) -> dict[int, dict]:
    """Per scale and number question: among codes that answered it both before and after, how
    many pairs, the mean before, the mean after and the mean change (one query)."""
    rows = Answer.objects.filter(
        response__survey=survey,
        response__code__isnull=False,
        response__round__in=[Round.BEFORE, Round.AFTER],
        number__isnull=False,
    ).values_list("question_id", "response__code_id", "response__round", "number")
    seen: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for question_id, code_id, round_, number in rows:
        seen[(question_id, code_id)][round_] = number
    pairs: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for (question_id, _code), by_round in seen.items():
        if Round.BEFORE in by_round and Round.AFTER in by_round:
            pairs[question_id].append((by_round[Round.BEFORE], by_round[Round.AFTER]))
    result = {}
    for question_id, values in pairs.items():
        n = len(values)
        before = sum(b for b, _a in values) / n
        after = sum(a for _b, a in values) / n
        result[question_id] = {"n": n, "before": before, "after": after, "change": after - before}
    return result


def answers_per_round(survey: Survey) -> dict[int, dict[str, int]]:
    """Per question: the number of answers given in each round ("" for none), one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, round_, n in (
        Answer.objects.filter(response__survey=survey)
        .values_list("question_id", "response__round")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[question_id][round_] = n
    return counts
