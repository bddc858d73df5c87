"""The review panel's pages, as a reviewer and as the operator, with the axe check on each."""

from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.calls import services
from samskapa.calls.models import Application, ApplicationStatus, Call, Review
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    exact,
    main_button,
    sign_in,
    t,
    verify_second_factor,
)
from tests.test_portal import LONELINESS, published_challenge

pytestmark = BROWSER_TEST


def test_a_reviewer_scores_and_the_operator_decides(page: Page):
    # Given a closed call with a rubric, two applications and a reviewer on its panel
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    reviewer = factories.person(
        "gustav@example.se", full_name="Gustav Granskare", password=PASSWORD
    )
    factories.member(programme, Role.REVIEWER, user=reviewer)
    challenge = published_challenge(title=LONELINESS, programme=programme)
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="Höstens utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    call.challenges.add(challenge)
    services.add_criterion(call, by=operator, name="Social nytta", weight=2, scale_max=5)
    for name in ("Ada Ansökare", "Bo Byggare"):
        Application.objects.create(
            call=call,
            applicant=factories.person(full_name=name),
            innovator_type="student",
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now - timedelta(days=3),
        )
    services.assign_reviewer(call, reviewer, by=operator)
    first = call.applications.order_by("pk").first()

    # The reviewer declares no conflict, then scores
    page.goto("/accounts/login/")
    sign_in(page, "gustav@example.se")
    page.goto("/calls/reviews/")
    assert_accessible(page)
    page.goto(f"/calls/reviews/{first.pk}/declare/")
    assert_accessible(page)
    page.get_by_label(t("No, I have no conflict of interest")).check()
    main_button(page, "Declare").click()
    page.goto(f"/calls/reviews/{first.pk}/score/")
    assert_accessible(page)
    page.get_by_label(
        t("%(criterion)s (1–%(max)s)") % {"criterion": "Social nytta", "max": 5}
    ).fill("4")
    main_button(page, "Submit the review").click()
    expect(page.get_by_role("status")).to_contain_text(t("Your review is saved."))
    assert Review.objects.filter(application=first, reviewer=reviewer).exists()
    page.get_by_role("button", name=exact(t("Sign out"))).click()

    # The operator sees the call's pages, the summary, and records a decision
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    for path in (
        f"/calls/programmes/{programme.pk}/",
        f"/calls/programmes/{programme.pk}/new/",
        f"/calls/{call.pk}/",
        f"/calls/{call.pk}/edit/",
        f"/calls/{call.pk}/applications/",
        f"/calls/applications/{first.pk}/",
        f"/calls/{call.pk}/review-panel/",
        f"/calls/{call.pk}/reviews/",
        f"/calls/applications/{first.pk}/decision/",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.get_by_role("radio", name=t("Selected"), exact=True).check()
    page.get_by_label(t("Rationale")).fill("Stark social nytta enligt panelen.")
    main_button(page, "Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text(t("The decision is recorded."))
    first.refresh_from_db()
    assert first.decision == "selected"
