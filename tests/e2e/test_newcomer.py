"""A newcomer's first visit: home page, language switch, sign-in, dashboard, a programme."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.programmes.models import GateCriterion, PhaseKind
from tests import factories
from tests.e2e.browser import BROWSER_TEST, PASSWORD, assert_accessible, at_path, exact, sign_in, t

pytestmark = BROWSER_TEST


def switch_language(page: Page, code: str, *, from_language: str) -> None:
    page.get_by_label(t("Language", from_language)).select_option(code)
    page.get_by_role("button", name=exact(t("Change", from_language))).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_newcomer_signs_in_and_finds_the_programme_phases(page: Page):
    # Given a steering-group member of a programme that runs today
    today = timezone.localdate()
    programme = factories.programme(
        name="Den inkluderande staden 2026",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
    )
    newcomer = factories.person("ny@example.se", full_name="Nora Nykomling", password=PASSWORD)
    factories.member(programme, Role.STEERING_GROUP, user=newcomer)

    # The home page is in Swedish, the default
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Samskapa"))
    assert_accessible(page)

    # Switching to English and back with the header's language switcher
    switch_language(page, "en", from_language="sv")
    expect(page).to_have_url(at_path("/"))
    header = page.get_by_role("banner")
    expect(header.get_by_role("button", name=exact("Change"))).to_be_visible()
    expect(header.get_by_role("link", name=exact("Sign in"))).to_be_visible()
    expect(page.get_by_text("The platform on which municipalities")).to_be_visible()
    assert_accessible(page)
    switch_language(page, "sv", from_language="en")
    expect(header.get_by_role("button", name=exact(t("Change")))).to_be_visible()

    # Signing in with e-mail and password through the real form
    header.get_by_role("link", name=exact(t("Sign in"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sign in"))
    assert_accessible(page)
    sign_in(page, "ny@example.se")

    # lands on the dashboard, which lists the programme
    expect(page).to_have_url(at_path("/dashboard/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My programmes"))
    expect(page.get_by_text("Nora Nykomling")).to_be_visible()
    assert_accessible(page)

    # Opening the programme shows its four phases, each with its gate criteria
    page.get_by_role("link", name=programme.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(programme.name)
    phases = page.locator("section", has=page.get_by_role("heading", name=t("Phases")))
    expect(phases.get_by_role("heading", level=3)).to_have_count(4)
    for kind in PhaseKind:
        expect(phases.get_by_role("heading", level=3, name=t(kind.label))).to_be_visible()
    expect(phases.get_by_role("heading", level=4, name=t("Gate criteria"))).to_have_count(4)
    for criterion in GateCriterion.objects.filter(phase__programme=programme):
        expect(phases.get_by_text(criterion.text, exact=True)).to_be_visible()
    # Exactly one phase is current today
    expect(phases.locator(".badge")).to_have_count(1)
    # A steering-group member sees no operator actions
    expect(page.get_by_role("link", name=t("Edit programme"))).to_have_count(0)
    assert_accessible(page)
