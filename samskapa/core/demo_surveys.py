"""The demo's survey: Ida Berg's test environment asks the participants how safe and lonely
they feel, before and after, with respondent codes for five of them. Written through the
services (permissions, validation and audit included); the answers come in anonymously as
through the link. Run after the impact demo: the scale question feeds one of the environment's
indicators that has no measurements yet, if there is one."""

from samskapa.environments.models import TestEnvironment
from samskapa.surveys import services
from samskapa.surveys.models import QuestionKind, Round, SurveyStatus

INNOVATOR_EMAIL = "innovator@demo.samskapa.se"

# (scale 1–5, choice index, number of meetings, free text) per response.
BEFORE = [
    (2, 1, 0, "Jag vet inte var man kan träffas på kvällarna."),
    (3, 2, 1, ""),
    (2, 1, 0, "Svårt att ta sig hit med rullator."),
    (1, 1, 0, ""),
    (3, 0, 2, ""),
    (4, 0, 3, "Bra att det finns fika."),
    (2, 2, 1, ""),
]
AFTER = [
    (4, 0, 3, "Jag har fått två nya bekanta."),
    (4, 0, 2, ""),
    (3, 0, 2, "Träffarna på torsdagar passar bra."),
    (3, 1, 1, ""),
    (4, 0, 4, ""),
]


def add_surveys(programme) -> list:
    """A survey with four questions and twelve anonymous answers (five of them paired before
    and after by code) in the programme's test environment of Ida Berg. Nothing without it."""
    environment = (
        TestEnvironment.objects.filter(
            programme=programme, journey__innovator__email=INNOVATOR_EMAIL
        )
        .select_related("journey__innovator", "programme")
        .first()
    )
    if environment is None:
        return []
    ida = environment.journey.innovator
    indicator = (
        environment.indicators.filter(measurements__isnull=True, survey_questions__isnull=True)
        .order_by("pk")
        .first()
    )
    survey = services.create_survey(
        environment,
        by=ida,
        title_sv="Trygghet och gemenskap",
        title_en="Safety and company",
        intro_sv="Fem korta frågor om hur du har det. Svaren är anonyma.",
        intro_en="Five short questions about how you are. Your answers are anonymous.",
        round=Round.BEFORE,
    )
    safe = services.add_question(
        survey,
        by=ida,
        kind=QuestionKind.SCALE,
        text_sv="Hur trygg känner du dig när du är ute i området?",
        text_en="How safe do you feel out in the neighbourhood?",
        scale_max=5,
        low_label_sv="Inte alls trygg",
        low_label_en="Not safe at all",
        high_label_sv="Mycket trygg",
        high_label_en="Very safe",
        required=True,
        indicator=indicator,
    )
    company = services.add_question(
        survey,
        by=ida,
        kind=QuestionKind.CHOICE,
        text_sv="Har du träffat någon ny den senaste månaden?",
        text_en="Have you met someone new in the last month?",
        options=[
            {"sv": "Ja", "en": "Yes"},
            {"sv": "Nej", "en": "No"},
            {"sv": "Vet inte", "en": "Don't know"},
        ],
    )
    meetings = services.add_question(
        survey,
        by=ida,
        kind=QuestionKind.NUMBER,
        text_sv="Hur många träffar har du varit på den senaste månaden?",
        text_en="How many meetings have you been to in the last month?",
        min_value=0,
        max_value=31,
    )
    other = services.add_question(
        survey,
        by=ida,
        kind=QuestionKind.TEXT,
        text_sv="Vill du berätta något mer?",
        text_en="Anything else you would like to tell us?",
    )
    codes = [c.code for c in services.generate_codes(survey, by=ida, count=10)]
    services.set_status(survey, by=ida, status=SurveyStatus.OPEN)

    def answer(rows, round_codes):
        for (scale, choice, number, text), code in zip(rows, round_codes, strict=True):
            services.submit_response(
                survey,
                answers={safe: scale, company: choice, meetings: number, other: text},
                code=code or "",
                language="sv",
            )

    answer(BEFORE, [*codes[:5], None, None])
    services.update_survey(survey, by=ida, round=Round.AFTER)
    survey.refresh_from_db()
    answer(AFTER, codes[:5])
    return [survey]
