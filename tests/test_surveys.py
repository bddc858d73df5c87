"""Anonymous surveys feeding indicators: building, answering without signing in (Swedish and
English), identity numbers refused, codes and before/after pairing, suppression outside the
innovator's team, closed and unknown links, visibility, and constant queries on the results."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.impact.models import Frequency, Measurement, MeasurementSource
from samskapa.surveys import services
from samskapa.surveys.models import Answer, QuestionKind, Response, Round, SurveyStatus
from tests import factories

pytestmark = pytest.mark.django_db

# A valid personnummer (the Swedish Tax Agency's test number) and a coordination number.
PERSONNUMMER = "19121212-1212"
SAMORDNINGSNUMMER = "701063-2391"


@pytest.fixture
def environment(programme, people):
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    return factories.environment(
        programme,
        by=people[Role.OPERATOR],
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )


@pytest.fixture
def innovator(people):
    return people[Role.INNOVATOR]


def _survey(environment, by, *, indicator=None, round_="", period=None, choice_indicator=None):
    survey = services.create_survey(
        environment, by=by, title_sv="Trygghet", title_en="Safety", round=round_, period=period
    )
    scale = services.add_question(
        survey,
        by=by,
        kind=QuestionKind.SCALE,
        text_sv="Hur trygg känner du dig?",
        text_en="How safe do you feel?",
        scale_max=5,
        low_label_sv="Inte alls",
        high_label_sv="Mycket",
        low_label_en="Not at all",
        high_label_en="Very",
        indicator=indicator,
        required=True,
    )
    choice = services.add_question(
        survey,
        by=by,
        kind=QuestionKind.CHOICE,
        text_sv="Har du träffat någon ny?",
        options=[{"sv": "Ja", "en": "Yes"}, {"sv": "Nej", "en": "No"}, {"sv": "Vet inte"}],
        indicator=choice_indicator,
        counted_options=[0] if choice_indicator else [],
    )
    text = services.add_question(
        survey, by=by, kind=QuestionKind.TEXT, text_sv="Något mer?", text_en="Anything else?"
    )
    services.set_status(survey, by=by, status=SurveyStatus.OPEN)
    return survey, scale, choice, text


def _answer(client, survey, data, language="sv"):
    client.cookies["django_language"] = language
    return client.post(survey.get_public_url(), data)


# --- The whole flow -------------------------------------------------------------------------


def test_innovator_builds_survey_and_anonymous_answers_feed_the_indicator(
    client, client_as, environment, innovator
):
    # Given the innovator's indicator and a survey whose scale question feeds it
    indicator = factories.indicator(environment, frequency=Frequency.QUARTERLY)
    owner = client_as(innovator)
    response = owner.post(
        f"/surveys/environments/{environment.pk}/new/",
        {"title_sv": "Trygghet", "title_en": "Safety", "round": "", "period": ""},
    )
    assert response.status_code == 302
    survey = environment.surveys.get()
    response = owner.post(
        f"/surveys/{survey.pk}/questions/new/",
        {
            "kind": "scale",
            "text_sv": "Hur trygg känner du dig?",
            "text_en": "How safe do you feel?",
            "scale_max": "5",
            "low_label_sv": "Inte alls",
            "high_label_sv": "Mycket",
            "indicator": indicator.pk,
            "required": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    owner.post(
        f"/surveys/{survey.pk}/questions/new/",
        {"kind": "choice", "text_sv": "Bor du ensam?", "options_text": "Ja | Yes\nNej | No"},
    )
    assert owner.post(f"/surveys/{survey.pk}/status/", {"status": "open"}).status_code == 302
    survey.refresh_from_db()
    scale, choice = survey.questions.all()
    assert choice.options == [{"sv": "Ja", "en": "Yes"}, {"sv": "Nej", "en": "No"}]
    client.logout()

    # When anonymous respondents answer, in Swedish and in English
    page = client.get(survey.get_public_url(), HTTP_ACCEPT_LANGUAGE="sv")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Hur trygg känner du dig?" in html and "<legend>" in html and "csrfmiddlewaretoken" in html
    )
    client.cookies["django_language"] = "en"
    html = client.get(survey.get_public_url()).content.decode()
    assert "How safe do you feel?" in html
    assert "Bor du ensam?" in html  # no English text: the Swedish one
    for value, language in [(4, "sv"), (5, "en"), (3, "sv")]:
        answered = _answer(
            client, survey, {f"q_{scale.pk}": value, f"q_{choice.pk}": "1"}, language
        )
        assert answered.status_code == 302
        assert answered["Location"].endswith("/thanks/")

    # Then the answers are stored anonymously and the indicator holds the mean and the count
    responses = Response.objects.filter(survey=survey)
    assert sorted(responses.values_list("language", flat=True)) == ["en", "sv", "sv"]
    assert {f.name for f in Response._meta.get_fields()} >= {"submitted_on", "round", "code"}
    assert not any("ip" in f.name or "agent" in f.name for f in Response._meta.get_fields())
    measurement = Measurement.objects.get(indicator=indicator)
    assert measurement.value == pytest.approx(4.0)
    assert measurement.respondents == 3
    assert measurement.source == MeasurementSource.SURVEY
    today = date.today()
    assert measurement.period == date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    assert AuditEntry.objects.filter(action="surveys.survey.opened").count() == 1


def test_choice_feeds_the_share_of_counted_options_in_the_survey_period(environment, innovator):
    indicator = factories.indicator(environment, unit="%")
    survey, scale, choice, _text = _survey(
        environment, innovator, choice_indicator=indicator, period=date(2026, 10, 1)
    )
    for option in (0, 0, 1, 2):
        services.submit_response(survey, answers={scale: 3, choice: option})
    measurement = Measurement.objects.get(indicator=indicator)
    assert (measurement.period, measurement.value, measurement.respondents) == (
        date(2026, 10, 1),
        50.0,
        4,
    )
    # On demand, the same figures again (and an audit entry)
    services.update_indicators(survey, by=innovator)
    assert Measurement.objects.get(indicator=indicator).value == 50.0
    assert AuditEntry.objects.filter(action="surveys.indicators.updated").exists()


def test_bad_questions_are_refused_with_nothing_stored(environment, innovator, people):
    other_env_indicator = factories.indicator(
        factories.environment(environment.programme, by=people[Role.OPERATOR])
    )
    survey = services.create_survey(environment, by=innovator, title_sv="Enkät")
    with pytest.raises(ValidationError) as error:
        services.add_question(
            survey, by=innovator, kind=QuestionKind.CHOICE, text_sv="Välj", options=["Bara en"]
        )
    assert "options" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_question(
            survey,
            by=innovator,
            kind=QuestionKind.SCALE,
            text_sv="Hur?",
            scale_max=7,
            indicator=other_env_indicator,
        )
    assert {"scale_max", "indicator"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        services.add_question(
            survey,
            by=innovator,
            kind=QuestionKind.NUMBER,
            text_sv="Antal",
            min_value=10,
            max_value=1,
        )
    assert survey.questions.count() == 0
    with pytest.raises(ValidationError):
        services.set_status(survey, by=innovator, status=SurveyStatus.OPEN)


def test_questions_are_locked_once_answered(environment, innovator):
    survey, scale, _choice, _text = _survey(environment, innovator)
    services.submit_response(survey, answers={scale: 2})
    with pytest.raises(ValidationError):
        services.update_question(scale, by=innovator, text_sv="Annan fråga")
    with pytest.raises(ValidationError):
        services.remove_question(scale, by=innovator)


def test_feeding_never_replaces_an_entered_or_imported_value(client_as, environment, innovator):
    period = date(2026, 10, 1)
    entered = factories.indicator(environment, name="Trygghet")
    imported = factories.indicator(environment, name="Nya möten", unit="%")
    Measurement.objects.create(
        indicator=entered, period=period, value=3.9, source=MeasurementSource.MANUAL
    )
    survey, scale, choice, _text = _survey(
        environment, innovator, indicator=entered, choice_indicator=imported, period=period
    )
    # Answers feed the choice's indicator; the scale's period holds a value entered by hand
    services.submit_response(survey, answers={scale: 1, choice: 0})
    assert Measurement.objects.get(indicator=entered).value == 3.9
    assert Measurement.objects.get(indicator=entered).source == MeasurementSource.MANUAL
    assert Measurement.objects.get(indicator=imported).source == MeasurementSource.SURVEY
    # An imported value arriving later is not replaced either
    Measurement.objects.filter(indicator=imported).update(
        value=12.0, source=MeasurementSource.IMPORT
    )
    services.submit_response(survey, answers={scale: 2, choice: 0})
    assert Measurement.objects.get(indicator=imported).value == 12.0
    # The page and the API say which periods were left alone
    client = client_as(innovator)
    detail = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "Trygghet: the period 2026-10-01 already holds a value entered by hand" in detail
    assert "Nya möten: the period 2026-10-01 already holds an imported value" in detail
    page = client.post(f"/surveys/{survey.pk}/indicators/", follow=True).content.decode()
    assert "not replaced by the survey&#x27;s" in page
    api = client.post(f"/api/surveys/{survey.pk}/indicators").json()
    assert api["measurements"] == []
    assert sorted((r["indicator_id"], r["period"], r["source"]) for r in api["not_replaced"]) == [
        (entered.pk, "2026-10-01", "manual"),
        (imported.pk, "2026-10-01", "import"),
    ]
    assert (
        Measurement.objects.get(indicator=entered).value,
        Measurement.objects.get(indicator=imported).value,
    ) == (3.9, 12.0)
    # Once the entered value is gone, the survey feeds the period again
    Measurement.objects.filter(indicator=entered).delete()
    api = client.post(f"/api/surveys/{survey.pk}/indicators").json()
    assert [(m["indicator_id"], m["value"], m["respondents"]) for m in api["measurements"]] == [
        (entered.pk, 1.5, 2)
    ]


# --- Identity numbers -----------------------------------------------------------------------


@pytest.mark.parametrize("number", [PERSONNUMMER, SAMORDNINGSNUMMER])
def test_identity_number_in_free_text_is_refused_and_the_other_answers_stay(
    client, environment, innovator, number
):
    survey, scale, choice, text = _survey(environment, innovator)
    response = _answer(
        client,
        survey,
        {f"q_{scale.pk}": "4", f"q_{choice.pk}": "1", f"q_{text.pk}": f"Jag heter {number}"},
        "en",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "personal identity or coordination number" in html
    assert html.count(number) == 1  # kept in the text box to fix; the message never echoes it
    # the other answers typed stay in the form
    assert re.search(rf'name="q_{scale.pk}" value="4"[^>]*checked', html)
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_service_refuses_an_identity_number_even_without_the_form(environment, innovator):
    survey, scale, _choice, text = _survey(environment, innovator)
    with pytest.raises(ValidationError) as error:
        services.submit_response(survey, answers={scale: 3, text: f"pnr {PERSONNUMMER}"})
    assert f"q_{text.pk}" in error.value.message_dict
    assert Response.objects.count() == 0


@pytest.mark.parametrize("typed", ["198112189876", "8112189876", "-8112189876", "7010632391"])
def test_identity_number_as_a_number_answer_is_refused_and_the_other_answers_stay(
    client, environment, innovator, typed
):
    # A number question without a maximum would take a personnummer as a number
    survey = services.create_survey(environment, by=innovator, title_sv="Besök")
    scale = services.add_question(
        survey, by=innovator, kind=QuestionKind.SCALE, text_sv="Trygg?", scale_max=5
    )
    number = services.add_question(
        survey, by=innovator, kind=QuestionKind.NUMBER, text_sv="Antal besök", min_value=0
    )
    services.set_status(survey, by=innovator, status=SurveyStatus.OPEN)
    response = _answer(client, survey, {f"q_{scale.pk}": "4", f"q_{number.pk}": typed}, "en")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Your answer contains what looks like a personal identity or coordination" in html
    assert re.search(rf'name="q_{scale.pk}" value="4"[^>]*checked', html)
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    # The service refuses it too, typed or as a number
    for value in (typed, float(typed)):
        with pytest.raises(ValidationError) as error:
            services.submit_response(survey, answers={scale: 3, number: value})
        assert list(error.value.message_dict) == [f"q_{number.pk}"]
    assert Response.objects.count() == 0
    # An ordinary large number is fine
    services.submit_response(survey, answers={scale: 3, number: "1234567890"})
    assert Answer.objects.get(question=number).number == 1234567890


def test_a_code_holding_a_personnummer_is_refused(client, environment, innovator):
    survey, scale, _choice, _text = _survey(environment, innovator)
    services.generate_codes(survey, by=innovator, count=3)
    response = _answer(client, survey, {f"q_{scale.pk}": "3", "code": PERSONNUMMER}, "en")
    assert response.status_code == 422
    assert "personal identity or coordination number" in response.content.decode()
    assert Response.objects.count() == 0
    with pytest.raises(ValidationError) as error:
        services.submit_response(survey, answers={scale: 3}, code="19121212-1212")
    assert "code" in error.value.message_dict


def test_unknown_and_reused_codes_are_refused(environment, innovator):
    survey, scale, _choice, _text = _survey(environment, innovator, round_=Round.BEFORE)
    code = services.generate_codes(survey, by=innovator, count=1)[0].code
    with pytest.raises(ValidationError):
        services.submit_response(survey, answers={scale: 3}, code="AAA-AAA")
    services.submit_response(survey, answers={scale: 3}, code=code.lower().replace("-", ""))
    with pytest.raises(ValidationError):
        services.submit_response(survey, answers={scale: 4}, code=code)
    assert Response.objects.count() == 1


def test_codes_are_random_and_look_alike_free(environment, innovator):
    survey = services.create_survey(environment, by=innovator, title_sv="Enkät")
    codes = [c.code for c in services.generate_codes(survey, by=innovator, count=50)]
    assert len(set(codes)) == 50
    assert all(re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", c) for c in codes)
    assert not any(ch in "".join(codes) for ch in "0O1IL")
    with pytest.raises(ValidationError):
        services.generate_codes(survey, by=innovator, count=0)


# --- Before and after -----------------------------------------------------------------------


def _before_after(environment, innovator, pairs, unpaired_before=0):
    """A survey answered `pairs` times with codes before (value 2) and after (value 4), and
    `unpaired_before` more answers before with codes that never answer after."""
    survey, scale, _choice, _text = _survey(environment, innovator, round_=Round.BEFORE)
    codes = [c.code for c in services.generate_codes(survey, by=innovator, count=pairs + 5)]
    for i, code in enumerate(codes[:pairs]):
        services.submit_response(survey, answers={scale: 2 + (i % 2)}, code=code)
    for code in codes[pairs : pairs + unpaired_before]:
        services.submit_response(survey, answers={scale: 1}, code=code)
    services.submit_response(survey, answers={scale: 5})  # no code
    services.update_survey(survey, by=innovator, round=Round.AFTER)
    survey.refresh_from_db()
    for code in codes[:pairs]:
        services.submit_response(survey, answers={scale: 4}, code=code)
    return survey, scale


def test_before_after_pairs_answers_with_the_same_code(environment, innovator):
    survey, scale = _before_after(environment, innovator, pairs=6, unpaired_before=2)
    paired = services.paired_changes(survey)[scale.pk]
    assert paired["n"] == 6
    assert paired["before"] == pytest.approx(2.5)
    assert paired["after"] == pytest.approx(4.0)
    assert paired["change"] == pytest.approx(1.5)


# --- Suppression ----------------------------------------------------------------------------


def test_fewer_than_5_is_suppressed_for_the_needs_owner_but_not_the_innovator(
    client_as, environment, innovator, people
):
    survey, scale = _before_after(environment, innovator, pairs=3)
    choice, text = survey.questions.all()[1:]
    services.update_survey(survey, by=innovator, round=Round.NONE)
    survey.refresh_from_db()
    for value in (0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2):
        services.submit_response(
            survey, answers={scale: 3, choice: value, text: "Bra träffar i parken"}
        )
    url = f"/surveys/{survey.pk}/results/"

    team = client_as(innovator).get(url).content.decode()
    assert "Bra träffar i parken" in team
    assert "fewer than 5" not in team

    page = client_as(people[Role.NEEDS_OWNER]).get(url)
    assert page.status_code == 200
    outside = page.content.decode()
    assert "Bra träffar i parken" not in outside
    assert "fewer than 5" in outside
    api = client_as(people[Role.NEEDS_OWNER]).get(f"/api/surveys/{survey.pk}/results").json()
    assert api["exact"] is False
    by_id = {q["id"]: q for q in api["questions"]}
    assert by_id[text.pk]["texts"] is None
    assert by_id[scale.pk]["paired"] == {
        "shown": "fewer_than_5",
        "n": None,
        "before": None,
        "after": None,
        "change": None,
    }
    yes, no, unknown = by_id[choice.pk]["distribution"]
    assert yes["shown"] == "fewer_than_5" and yes["count"] is None and yes["share"] is None
    # Shown groups are exact and at least 5; the total would not give "Yes" away
    shown = [cell["count"] for cell in (no, unknown) if cell["shown"] == "exact"]
    assert all(count >= 5 for count in shown) and len(shown) < 2
    assert by_id[scale.pk]["answers"] == {"shown": "exact", "count": 21}

    exact = client_as(innovator).get(f"/api/surveys/{survey.pk}/results").json()
    by_id = {q["id"]: q for q in exact["questions"]}
    assert by_id[scale.pk]["paired"]["n"] == 3
    assert by_id[choice.pk]["distribution"][0]["count"] == 1
    assert by_id[text.pk]["texts"] == ["Bra träffar i parken"] * 14


def test_paired_means_are_hidden_outside_the_team_when_they_would_give_one_answer_away(
    client_as, environment, innovator, people
):
    # 5 coded pairs and 1 respondent without a code: 11 × mean − 5 × before − 5 × after would
    # be that respondent's answer
    survey, scale = _before_after(environment, innovator, pairs=5)
    outside = client_as(people[Role.NEEDS_OWNER])
    api = outside.get(f"/api/surveys/{survey.pk}/results").json()
    item = {q["id"]: q for q in api["questions"]}[scale.pk]
    assert item["answers"] == {"shown": "exact", "count": 11}
    assert item["mean"] is not None
    assert item["paired"] == {
        "shown": "hidden",
        "n": None,
        "before": None,
        "after": None,
        "change": None,
    }
    page = outside.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert "Mean before" not in page and "the few answers outside the pairs" in page
    # The innovator's team sees the pairs
    team = client_as(innovator).get(f"/api/surveys/{survey.pk}/results").json()
    assert {q["id"]: q for q in team["questions"]}[scale.pk]["paired"]["n"] == 5
    # With 5 answers outside the pairs in the round, the pairs are shown outside the team too
    services.update_survey(survey, by=innovator, round=Round.BEFORE)
    survey.refresh_from_db()
    for _i in range(4):
        services.submit_response(survey, answers={scale: 1})
    api = outside.get(f"/api/surveys/{survey.pk}/results").json()
    paired = {q["id"]: q for q in api["questions"]}[scale.pk]["paired"]
    assert paired["shown"] == "exact" and paired["n"] == 5 and paired["change"] == 1.6


def test_paired_means_are_hidden_when_an_after_round_has_few_answers_outside_the_pairs(
    client_as, environment, innovator, people
):
    survey, scale = _before_after(environment, innovator, pairs=5, unpaired_before=4)
    services.submit_response(survey, answers={scale: 2})  # after, no code: alone outside pairs
    api = client_as(people[Role.NEEDS_OWNER]).get(f"/api/surveys/{survey.pk}/results").json()
    assert {q["id"]: q for q in api["questions"]}[scale.pk]["paired"]["shown"] == "hidden"


def test_a_question_with_fewer_than_5_answers_shows_no_mean_outside_the_team(
    client_as, environment, innovator, people
):
    survey, scale, _choice, _text = _survey(environment, innovator)
    for value in (1, 5):
        services.submit_response(survey, answers={scale: value})
    api = client_as(people[Role.NEEDS_OWNER]).get(f"/api/surveys/{survey.pk}/results").json()
    first = api["questions"][0]
    assert api["responses"] == {"shown": "fewer_than_5", "count": None}
    assert first["answers"]["shown"] == "fewer_than_5"
    assert first["mean"] is None and first["distribution"] == []
    api = client_as(innovator).get(f"/api/surveys/{survey.pk}/results").json()
    assert api["questions"][0]["mean"] == 3.0


# --- Links, visibility ----------------------------------------------------------------------


def test_closed_survey_says_so_and_takes_no_answers(client, environment, innovator):
    survey, scale, _choice, _text = _survey(environment, innovator)
    services.set_status(survey, by=innovator, status=SurveyStatus.CLOSED)
    client.cookies["django_language"] = "en"
    page = client.get(survey.get_public_url())
    assert page.status_code == 200
    assert "This survey is closed" in page.content.decode()
    assert client.post(survey.get_public_url(), {f"q_{scale.pk}": "3"}).status_code == 200
    assert Response.objects.count() == 0
    with pytest.raises(ValidationError):
        services.submit_response(survey, answers={scale: 3})


def test_unknown_token_and_draft_answer_404(client, environment, innovator):
    assert client.get("/s/no-such-token/").status_code == 404
    draft = services.create_survey(environment, by=innovator, title_sv="Utkast")
    assert client.get(draft.get_public_url()).status_code == 404
    assert client.post(draft.get_public_url(), {}).status_code == 404


def test_another_innovators_survey_is_404(client_as, programme, people, environment, innovator):
    survey, _scale, _choice, _text = _survey(environment, innovator)
    stranger = factories.member(programme, Role.INNOVATOR)
    factories.environment(programme, by=people[Role.OPERATOR], innovator=stranger)
    client = client_as(stranger)
    for url in (
        f"/surveys/{survey.pk}/",
        f"/surveys/{survey.pk}/results/",
        f"/surveys/{survey.pk}/codes/",
        f"/surveys/environments/{environment.pk}/",
        f"/api/surveys/{survey.pk}",
        f"/api/surveys/{survey.pk}/results",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/api/surveys/{survey.pk}/codes",
            json.dumps({"count": 2}),
            content_type="application/json",
        ).status_code
        == 404
    )


def test_needs_owner_sees_but_may_not_build(client_as, environment, innovator, people):
    survey, _scale, _choice, _text = _survey(environment, innovator)
    client = client_as(people[Role.NEEDS_OWNER])
    assert client.get(f"/surveys/{survey.pk}/").status_code == 200
    assert client.get(f"/surveys/{survey.pk}/codes/").status_code == 403
    assert client.post(f"/surveys/{survey.pk}/status/", {"status": "closed"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.generate_codes(survey, by=people[Role.NEEDS_OWNER], count=2)


def test_the_answering_link_is_shown_only_to_those_who_may_edit(
    client_as, environment, innovator, people
):
    survey, _scale, _choice, _text = _survey(environment, innovator)
    token = survey.token
    owner = client_as(people[Role.NEEDS_OWNER])
    page = owner.get(f"/surveys/{survey.pk}/")
    assert page.status_code == 200 and token not in page.content.decode()
    assert "See the results" in page.content.decode()
    assert owner.get(f"/api/surveys/{survey.pk}").json()["public_path"] is None
    assert token in client_as(innovator).get(f"/surveys/{survey.pk}/").content.decode()
    operator = client_as(people[Role.OPERATOR])
    assert token in operator.get(f"/surveys/{survey.pk}/").content.decode()


def test_api_builds_a_survey(client_as, environment, innovator):
    client = client_as(innovator)
    indicator = factories.indicator(environment)
    created = client.post(
        f"/api/environments/{environment.pk}/surveys",
        {"title_sv": "Enkät", "round": "before"},
        content_type="application/json",
    )
    assert created.status_code == 201
    survey_id = created.json()["id"]
    assert created.json()["public_path"].startswith("/s/")
    question = client.post(
        f"/api/surveys/{survey_id}/questions",
        {"kind": "number", "text_sv": "Antal besök", "min_value": 0, "indicator_id": indicator.pk},
        content_type="application/json",
    )
    assert question.status_code == 201, question.content
    bad = client.post(
        f"/api/surveys/{survey_id}/questions",
        {"kind": "choice", "text_sv": "Välj", "options": [{"sv": "A"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "options" in bad.json()["errors"]
    codes = client.post(
        f"/api/surveys/{survey_id}/codes", {"count": 4}, content_type="application/json"
    )
    assert codes.status_code == 201 and len(codes.json()) == 4
    opened = client.post(
        f"/api/surveys/{survey_id}/status", {"status": "open"}, content_type="application/json"
    )
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert client.get(f"/api/environments/{environment.pk}/surveys").json()[0]["id"] == survey_id


# --- Queries --------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_results_page_queries_do_not_grow_with_responses(client_as, environment, innovator, people):
    survey, scale, choice, text = _survey(environment, innovator, round_=Round.BEFORE)
    codes = [c.code for c in services.generate_codes(survey, by=innovator, count=40)]

    def answer(n, start):
        for i in range(start, start + n):
            services.submit_response(
                survey, answers={scale: 1 + i % 5, choice: i % 3, text: f"svar {i}"}, code=codes[i]
            )

    answer(3, 0)
    url = f"/surveys/{survey.pk}/results/"
    team, outside = client_as(innovator), None
    few = _queries(team, url)
    few_api = _queries(team, f"/api/surveys/{survey.pk}/results")
    answer(27, 3)
    assert _queries(team, url) == few
    assert _queries(team, f"/api/surveys/{survey.pk}/results") == few_api
    outside = client_as(people[Role.NEEDS_OWNER])
    many_outside = _queries(outside, url)
    answer(5, 30)
    assert _queries(outside, url) == many_outside
    listing = f"/surveys/environments/{environment.pk}/"
    one = _queries(team, listing)
    _survey(environment, innovator)
    _survey(environment, innovator)
    assert _queries(team, listing) == one


# --- Demo -----------------------------------------------------------------------------------


def test_demo_survey_for_ida_bergs_environment(programme, people):
    from samskapa.core.demo_surveys import INNOVATOR_EMAIL, add_surveys

    assert add_surveys(programme) == []
    ida = factories.member(programme, Role.INNOVATOR, factories.person(INNOVATOR_EMAIL))
    environment = factories.environment(programme, by=people[Role.OPERATOR], innovator=ida)
    indicator = factories.indicator(environment)
    (survey,) = add_surveys(programme)
    assert survey.questions.count() == 4 and survey.responses.count() == 12
    scale = survey.questions.get(kind=QuestionKind.SCALE)
    assert services.paired_changes(survey)[scale.pk]["n"] == 5
    assert Measurement.objects.get(indicator=indicator).respondents == 12


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([6, 7, 0], ["exact", "exact", "exact"]),
        ([1, 7, 6], ["fewer_than_5", "exact", "hidden"]),
        ([1, 5], ["hidden", "hidden"]),  # 6 = 1 + 5 would give both away
        ([0, 3, 9, 8], ["exact", "fewer_than_5", "exact", "hidden"]),
        ([2, 3], ["fewer_than_5", "fewer_than_5"]),
    ],
)
def test_distribution_suppression_leaves_no_small_group_determined(counts, expected):
    from samskapa.surveys.results import protect

    assert protect(counts) == expected


def test_distribution_suppression_is_fast_on_a_1_to_10_scale():
    import random
    import time

    from samskapa.surveys.results import protect

    rng = random.Random(7)
    started = time.perf_counter()
    for total in range(5, 400, 3):
        counts = [0] * 10
        for _ in range(total):
            counts[rng.randrange(10)] += 1
        states = protect(counts)
        assert all(s != "exact" or n == 0 or n >= 5 for n, s in zip(counts, states, strict=True))
    assert time.perf_counter() - started < 0.5


def test_a_scale_distribution_with_a_small_group_is_hidden_beside_its_mean(
    client_as, environment, innovator, people
):
    # Given a scale answered 1 once, 2 seven times, 3 six times: the mean would let a reader
    # who sees "fewer than 5" ones and a hidden group of threes solve for both
    survey, scale, _choice, _text = _survey(environment, innovator)
    for value in [1] + [2] * 7 + [3] * 6:
        services.submit_response(survey, answers={scale: value})
    api = client_as(people[Role.NEEDS_OWNER]).get(f"/api/surveys/{survey.pk}/results").json()
    first = api["questions"][0]
    assert first["mean"] == pytest.approx(2.36)
    assert {cell["shown"] for cell in first["distribution"]} == {"hidden"}
    api = client_as(innovator).get(f"/api/surveys/{survey.pk}/results").json()
    assert [c["count"] for c in api["questions"][0]["distribution"]] == [1, 7, 6, 0, 0]


def test_a_before_and_after_indicator_gets_one_measurement_per_round(environment, innovator):
    indicator = factories.indicator(environment, frequency=Frequency.ONCE)
    survey, scale, _choice, _text = _survey(
        environment, innovator, indicator=indicator, round_=Round.BEFORE
    )
    services.submit_response(survey, answers={scale: 2})
    # The "before" answers came in last month; "after" answers come in today
    last_month = date.today().replace(day=1) - timedelta(days=1)
    Response.objects.filter(survey=survey).update(submitted_on=last_month)
    services.update_survey(survey, by=innovator, round=Round.AFTER)
    survey.refresh_from_db()
    services.submit_response(survey, answers={scale: 4})
    services.submit_response(survey, answers={scale: 5})
    measurements = list(
        Measurement.objects.filter(indicator=indicator).values_list(
            "period", "value", "respondents"
        )
    )
    assert measurements == [
        (last_month.replace(day=1), 2.0, 1),
        (date.today().replace(day=1), 4.5, 2),
    ]
