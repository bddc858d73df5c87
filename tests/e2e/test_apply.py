"""A member of the public finds an open call in the portal, creates an account and applies."""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from samskapa.calls.models import Application, ApplicationStatus, Call, Question, QuestionKind
from tests import factories
from tests.e2e.browser import BROWSER_TEST, PASSWORD, assert_accessible, at_path, exact, t
from tests.test_portal import LONELINESS, published_challenge

pytestmark = BROWSER_TEST


def test_a_visitor_creates_an_account_and_applies_to_an_open_call(page: Page):
    # Given an open call for a published challenge, with a required question and a ranking
    programme = factories.programme(name="Älvstad samskapar 2026")
    challenge = published_challenge(title=LONELINESS, programme=programme)
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="Utlysning för den inkluderande staden",
        eligibility="Sociala innovatörer",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )
    call.challenges.add(challenge)
    Question.objects.create(
        call=call,
        position=1,
        kind=QuestionKind.SHORT_TEXT,
        label="Vad heter idén?",
        required=True,
        max_length=100,
    )
    Question.objects.create(
        call=call,
        position=2,
        kind=QuestionKind.RANKING,
        label="Rangordna utmaningarna",
        required=True,
    )

    # The challenge's public page leads to the open call; the call's page invites to apply
    page.goto(f"/portal/challenges/{challenge.pk}/")
    section = page.get_by_role("region", name=t("Apply to work on this challenge"))
    assert_accessible(page)
    section.get_by_role("link", name="Utlysning för den inkluderande staden").click()
    expect(page).to_have_url(at_path(f"/calls/{call.pk}/"))
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=exact(t("Apply"))).click()

    # Applying needs an account: the sign-in page offers to create one, then comes back here
    page.get_by_role("link", name=t("Create an account")).click()
    assert_accessible(page)
    page.get_by_label(exact(t("E-mail address"))).fill("ny@example.se")
    page.get_by_label(exact(capfirst(t("name")))).fill("Nora Ny")
    page.get_by_label(exact(t("Password"))).fill(PASSWORD)
    page.get_by_label(exact(t("Password confirmation"))).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=exact(t("Create the account"))).click()
    expect(page).to_have_url(at_path(f"/calls/{call.pk}/apply/"))
    assert_accessible(page)

    # Submitting without the required answer is refused with the error next to the question
    page.get_by_label(exact(capfirst(t("you apply as")))).select_option("entrepreneur")
    page.locator("main").get_by_role("button", name=exact(t("Submit"))).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert Application.objects.filter(status=ApplicationStatus.SUBMITTED).count() == 0
    assert_accessible(page)

    # Answering and ranking, then submitting, gives a submitted application
    page.get_by_label("Vad heter idén?").fill("Generationsfika")
    page.get_by_label(
        t("%(question)s: choice %(place)s")
        % {
            "question": "Rangordna utmaningarna",
            "place": 1,
        }
    ).select_option(str(challenge.pk))
    page.locator("main").get_by_role("button", name=exact(t("Submit"))).click()
    application = Application.objects.get(applicant__email="ny@example.se")
    expect(page).to_have_url(at_path(application.get_absolute_url()))
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.ranking == [challenge.pk]
    assert_accessible(page)
