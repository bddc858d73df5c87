"""A survey in the browser: an anonymous respondent opens the link, switches to English, answers
with the keyboard, is refused a personal identity number in free text (the other answers stay),
fixes it and is thanked; the innovator sees the results. Axe on every page."""

import re

from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.impact.models import Measurement
from samskapa.surveys import services
from samskapa.surveys.models import QuestionKind, SurveyStatus
from tests import factories
from tests.e2e.browser import BROWSER_TEST, PASSWORD, assert_accessible, at_path, sign_in

pytestmark = BROWSER_TEST


def test_an_anonymous_respondent_answers_and_the_innovator_sees_the_results(page: Page):
    # Given an open survey of an innovator's test environment feeding an indicator
    operator = factories.person("op@example.se", password=PASSWORD)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    factories.member(programme, Role.INNOVATOR, user=innovator)
    environment = factories.environment(programme, by=operator, innovator=innovator)
    indicator = factories.indicator(environment, name="Upplevd trygghet")
    survey = services.create_survey(
        environment, by=innovator, title_sv="Trygghet", title_en="Safety"
    )
    services.add_question(
        survey,
        by=innovator,
        kind=QuestionKind.SCALE,
        text_sv="Hur trygg känner du dig?",
        text_en="How safe do you feel?",
        scale_max=5,
        low_label_en="Not at all",
        high_label_en="Very",
        required=True,
        indicator=indicator,
    )
    services.add_question(
        survey,
        by=innovator,
        kind=QuestionKind.CHOICE,
        text_sv="Bor du ensam?",
        text_en="Do you live alone?",
        options=[{"sv": "Ja", "en": "Yes"}, {"sv": "Nej", "en": "No"}],
    )
    services.add_question(
        survey, by=innovator, kind=QuestionKind.TEXT, text_sv="Något mer?", text_en="Anything else?"
    )
    services.set_status(survey, by=innovator, status=SurveyStatus.OPEN)

    # The respondent opens the link (in Swedish) and switches to English
    page.goto(survey.get_public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Trygghet")
    assert_accessible(page)
    page.locator("#language-select").select_option("en")
    page.locator("form.language-switcher button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety")

    # ... answers with the keyboard: the scale's 3, then the arrow key moves to 4
    scale = page.get_by_role("group", name=re.compile("How safe do you feel"))
    scale.get_by_role("radio", name="3").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    expect(scale.get_by_role("radio", name="4")).to_be_checked()
    page.get_by_role("group", name=re.compile("Do you live alone")).get_by_label("No").check()
    page.get_by_label(re.compile("Anything else")).fill("Mitt personnummer är 19121212-1212")
    page.get_by_role("button", name="Send my answers").click()

    # ... is refused the identity number, with the other answers kept
    expect(page.get_by_text(re.compile("personal identity or coordination number"))).to_be_visible()
    expect(scale.get_by_role("radio", name="4")).to_be_checked()
    assert_accessible(page)
    page.get_by_label(re.compile("Anything else")).fill("Träffarna hjälper mig.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    assert_accessible(page)
    assert Measurement.objects.get(indicator=indicator).value == 4.0

    # The innovator signs in and sees the results, free text included
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se", language="en")
    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page).to_have_url(at_path(f"/surveys/{survey.pk}/results/"))
    expect(page.get_by_text("Träffarna hjälper mig.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/surveys/{survey.pk}/")
    assert_accessible(page)
    page.goto(f"/surveys/environments/{environment.pk}/")
    assert_accessible(page)
