"""A member of the public finds a challenge by searching in Swedish, creates an account and
applies; after two reviews the operator shortlists the application."""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import capfirst
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.calls import services
from samskapa.calls.models import Application, ApplicationStatus, Call, Question, QuestionKind
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    exact,
    sign_in,
    t,
    verify_second_factor,
)
from tests.test_portal import LONELINESS, published_challenge

pytestmark = BROWSER_TEST


def test_a_visitor_finds_a_challenge_applies_and_is_shortlisted_after_two_reviews(page: Page):
    # Given an open call for a published challenge, with a required question and a ranking
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar 2026")
    challenge = published_challenge(title=LONELINESS, programme=programme)
    published_challenge(title="Unga i utanförskap", programme=programme)
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

    # Searching the portal for an inflected Swedish word finds the challenge
    page.goto("/portal/")
    search = page.get_by_role("search")
    search.get_by_label(exact(t("Search"))).fill("ensamheten")
    search.get_by_role("button", name=exact(t("Search"))).click()
    expect(page.locator(".card")).to_have_count(1)
    assert_accessible(page)
    page.locator(".card").get_by_role("link", name=LONELINESS).click()
    expect(page).to_have_url(at_path(f"/portal/challenges/{challenge.pk}/"))

    # The challenge's public page leads to the open call; the call's page invites to apply
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

    # The call closes; two reviewers on the panel declare no conflict and score it
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    criterion = services.add_criterion(call, by=operator, name="Social nytta", scale_max=5)
    for name, value in (("Gustav Granskare", 4), ("Greta Granskare", 2)):
        reviewer = factories.member(programme, Role.REVIEWER, user=factories.person(full_name=name))
        services.assign_reviewer(call, reviewer, by=operator)
        services.declare_conflict(application, by=reviewer, conflicted=False)
        services.submit_review(
            application, by=reviewer, scores={criterion.pk: {"value": value, "comment": ""}}
        )
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()

    # The operator signs in with the second factor and sees both reviews in the summary
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/calls/{call.pk}/reviews/")
    row = page.get_by_role("row").filter(has_text="Nora Ny")
    # Scores 4 and 2 of 5: weighted 80 and 40 points, mean 60, spread 40 (the panel disagrees)
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")
    expect(row).to_contain_text(t("Reviewers disagree"))
    assert_accessible(page)

    # Shortlisting it is kept, shown, and can be undone from the same row
    row.get_by_role("button", name=exact(t("Shortlist"))).click()
    row = page.get_by_role("row").filter(has_text="Nora Ny")
    expect(row.get_by_text(t("Shortlisted"), exact=True)).to_be_visible()
    expect(row.get_by_role("button", name=exact(t("Remove from shortlist")))).to_be_visible()
    application.refresh_from_db()
    assert application.shortlisted
    assert_accessible(page)
