"""Impact cases in the browser: the innovator builds a forecast from the theory of change (a
refused deadweight first, then corrected), and the host department's needs owner opens the case
and sees what the municipality's budget saves per year next to what the pilot costs. Axe on
every page."""

from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.cases import services
from samskapa.cases.models import ImpactCase
from samskapa.impact.models import ChangeStep, StepKind
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    exact,
    main_button,
    sign_in,
    t,
)

pytestmark = BROWSER_TEST


def _sign_out(page: Page):
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()


def test_the_needs_owner_sees_what_the_municipality_saves_per_year(page: Page):
    # Given a test environment hosted by the needs owner's department, with two outcomes in its
    # theory of change and a proxy in the programme's library
    programme = factories.programme(name="Älvstad samskapar")
    operator = programme.memberships.get(role=Role.OPERATOR).user
    ida = factories.person("ida@example.se", password=PASSWORD, full_name="Ida Berg")
    department = factories.department()
    bo = factories.person("bo@example.se", password=PASSWORD, full_name="Bo Holm")
    factories.member(programme, Role.NEEDS_OWNER, user=bo, department_=department)
    environment = factories.environment(
        programme,
        by=operator,
        innovator=ida,
        challenge_=factories.challenge(programme, department, title="Ensamhet bland äldre"),
    )
    home = factories.indicator(
        environment, outcome_text="Färre dygn i hemtjänst", stakeholder="Äldre i Norrby"
    ).outcome
    ChangeStep.objects.create(
        theory=home.theory, kind=StepKind.OUTCOME, text="Fler i arbete", position=5
    )
    proxy = services.create_proxy(
        programme,
        by=operator,
        name="Ett dygn i hemtjänst",
        value=1000,
        unit="per dygn",
        source="Illustrativ siffra",
        year=2025,
        payer="kommun",
    )

    # The innovator builds a forecast: a deadweight of 1.5 is refused, 0.5 is saved
    page.goto("/accounts/login/")
    sign_in(page, "ida@example.se")
    page.goto(f"/cases/environments/{environment.pk}/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=exact(t("New forecast"))).click()
    expect(page).to_have_url(at_path(f"/cases/environments/{environment.pk}/new/"))
    assert_accessible(page)
    page.get_by_label(exact(t("Title"))).fill("Prognos 2026")
    page.get_by_label(exact(t("Investment (SEK)"))).fill("100000")
    page.get_by_label(exact(t("Discount rate"))).fill("0")
    outcome = page.locator("fieldset", has_text="Färre dygn i hemtjänst")
    outcome.get_by_label(t("Include this outcome in the case")).check()
    outcome.get_by_label(exact(t("Quantity"))).fill("150")
    outcome.get_by_label(exact(t("Proxy from the library"))).select_option(str(proxy.pk))
    outcome.get_by_label(exact(t("Deadweight"))).fill("1.5")
    outcome.get_by_label(exact(t("Duration (years)"))).fill("3")
    main_button(page, "Save and calculate").click()
    expect(outcome).to_contain_text(
        t("%(field)s is a share: between 0 and 1 (0.3 = 30 %%).") % {"field": t("Deadweight")}
    )
    assert not ImpactCase.objects.exists()
    assert_accessible(page)
    outcome.get_by_label(exact(t("Deadweight"))).fill("0.5")
    main_button(page, "Save and calculate").click()
    case = ImpactCase.objects.get()
    expect(page).to_have_url(at_path(f"/cases/{case.pk}/"))
    expect(page.locator("svg.tornado rect")).to_have_count(
        4
    )  # deadweight, attribution, drop-off, proxy
    assert_accessible(page)
    _sign_out(page)

    # The needs owner opens the case and the municipality's savings per year
    page.goto("/accounts/login/")
    sign_in(page, "bo@example.se")
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prognos 2026")
    assert_accessible(page)
    page.locator("main").get_by_role(
        "link", name=exact(t("What the municipality's budget saves"))
    ).first.click()
    expect(page).to_have_url(at_path(f"/cases/{case.pk}/budget/"))
    table = page.get_by_role("table", name=t("The municipality's savings per year"))
    # 150 dygn × 1000 SEK × (1 − 0.5) = 75 000 SEK a year, three years, no discounting
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for row in range(3):
        expect(rows.nth(row)).to_contain_text("75")
    expect(page.locator("main")).to_contain_text("100")  # what the pilot costs
    assert capfirst(t("The pilot costs")) in page.locator("main").inner_text()
    assert_accessible(page)
