"""A challenge from draft to publication, through the pages of the three roles that decide."""

import re
from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    exact,
    sign_in,
    t,
    verify_second_factor,
)

pytestmark = BROWSER_TEST


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name=exact(t("Sign out"))).click()


def _decide(page: Page, label: str, note: str = "") -> None:
    form = page.locator("form.decision").filter(
        has=page.get_by_role("button", name=exact(t(label)))
    )
    if note:
        form.get_by_label(t("Comment on the decision (optional)")).fill(note)
    form.get_by_role("button", name=exact(t(label))).click()


def test_a_challenge_is_drafted_reviewed_approved_and_published(page: Page):
    # Given a programme with a department, its needs owner, a steering-group member and an operator
    today = timezone.localdate()
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    programme = factories.programme(
        operator=operator,
        name="Den inkluderande staden",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=600),
    )
    department = factories.department(name="Vård- och omsorgsförvaltningen")
    programme.needs_owners.add(department)
    owner = factories.person("nils@example.se", full_name="Nils Ström", password=PASSWORD)
    factories.member(programme, Role.NEEDS_OWNER, user=owner, department_=department)
    steering = factories.person("sara@example.se", full_name="Sara Lind", password=PASSWORD)
    factories.member(programme, Role.STEERING_GROUP, user=steering)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)

    # The needs owner drafts the challenge and sends it for review
    page.goto("/accounts/login/")
    sign_in(page, "nils@example.se")
    page.goto(f"/programmes/{programme.pk}/challenges/")
    assert_accessible(page)
    page.get_by_role("link", name=t("New challenge")).click()
    assert_accessible(page)
    page.get_by_label(exact(t("Department"))).select_option(str(department.pk))
    page.get_by_label(re.compile(f"^{t('Title')}")).fill(
        "Förebygga ofrivillig ensamhet bland äldre"
    )
    page.get_by_label(re.compile(f"^{t('The need')}")).fill("Ensamheten bland äldre ökar.")
    page.get_by_label(re.compile(f"^{t('Target group')}")).fill("Äldre som bor hemma")
    page.get_by_label(re.compile(f"^{t('Desired effects')}")).fill("Fler möten")
    page.get_by_label(re.compile(f"^{t('Themes')}")).fill("ensamhet, äldre")
    page.locator("main").get_by_role("button", name=exact(t("Save"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Förebygga ofrivillig ensamhet bland äldre"
    )
    assert_accessible(page)
    _decide(page, "Sent for review by the needs-owner group")
    expect(page.get_by_role("status")).to_contain_text(
        t("Sent for review by the needs-owner group")
    )
    _sign_out(page)

    # The steering group approves with a note
    page.goto("/accounts/login/")
    sign_in(page, "sara@example.se")
    challenge = Challenge.objects.get()
    page.goto(f"/challenges/{challenge.pk}/")
    _decide(page, "Approved by the steering group", "Beslut i styrgruppen")
    expect(page.locator(".timeline")).to_contain_text("Beslut i styrgruppen")
    assert_accessible(page)
    _sign_out(page)

    # The operator, after the second factor, publishes it
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/challenges/{challenge.pk}/")
    _decide(page, "Published")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED
    page.get_by_role("link", name=t("Version %(number)s") % {"number": 1}).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Förebygga ofrivillig ensamhet bland äldre"
    )
    assert_accessible(page)
    # Editing the published challenge warns that it becomes a new public version
    page.goto(f"/challenges/{challenge.pk}/edit/")
    expect(page.locator("main")).to_contain_text(
        t(
            "The challenge is public: saving publishes your changes as a new version. "
            "Earlier versions are kept."
        )
    )
    assert_accessible(page)
