"""The business model canvas in the browser: the innovator edits her canvas (version 2 over an
existing version 1), compares the two versions and sees the change highlighted; the canvas
reflows to one column at 320 px. Axe on every page."""

from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.canvas import services
from samskapa.canvas.models import CanvasVersion
from samskapa.environments.services import journey_for
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
from tests.e2e.test_layout import assert_fits

pytestmark = BROWSER_TEST

FIRST = {
    "customer_segments": "Kommunernas hemtjänst.",
    "value_propositions": "Sällskap för äldre genom frivilliga i närområdet.",
    "impact": "Minskad ensamhet.",
}


def test_the_innovator_edits_the_canvas_and_compares_two_versions(page: Page):
    # Given an innovator (no second factor) whose canvas has a version 1
    programme = factories.programme(name="Älvstad samskapar")
    operator = programme.memberships.get(role=Role.OPERATOR).user
    ida = factories.person("ida@example.se", password=PASSWORD, full_name="Ida Berg")
    factories.member(programme, Role.INNOVATOR, user=ida)
    journey = journey_for(programme, ida, by=operator)
    services.save_version(journey, by=ida, blocks=FIRST, base_version=0, note="Första utkastet")

    # She finds her canvas from the list of canvases
    page.goto("/accounts/login/")
    sign_in(page, "ida@example.se")
    page.goto("/canvas/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name="Ida Berg").click()
    expect(page).to_have_url(at_path(f"/canvas/journeys/{journey.pk}/"))
    expect(page.locator("main")).to_contain_text("Minskad ensamhet.")
    assert_accessible(page)

    # She edits it and saves version 2
    page.locator("main").get_by_role("link", name=exact(t("Edit the canvas"))).click()
    expect(page).to_have_url(at_path(f"/canvas/journeys/{journey.pk}/edit/"))
    assert_accessible(page)
    impact = page.get_by_label(exact(t("Impact / intended effect")))
    expect(impact).to_have_value("Minskad ensamhet.")
    impact.fill("Minskad ensamhet, mätt med UCLA-skalan efter sex månader.")
    page.get_by_label(exact(t("Note for this version"))).fill("Efter workshopen")
    main_button(page, "Save as a new version").click()
    expect(page).to_have_url(at_path(f"/canvas/journeys/{journey.pk}/"))
    expect(page.locator("main")).to_contain_text("UCLA-skalan")
    latest = services.latest_version(journey)
    assert latest.number == 2 and latest.author == ida
    assert CanvasVersion.objects.filter(canvas__journey=journey).count() == 2
    assert_accessible(page)

    # She compares the two versions and sees the change highlighted (not only by colour)
    page.locator("main").get_by_role("link", name=exact(t("Compare versions"))).click()
    expect(page).to_have_url(at_path(f"/canvas/journeys/{journey.pk}/compare/"))
    changed = page.locator("section.changed")
    expect(changed).to_have_count(1)
    expect(changed.get_by_role("heading", level=2)).to_have_text(t("Impact / intended effect"))
    expect(changed.locator("ins").first).to_contain_text("UCLA-skalan")
    expect(changed.locator("ins").first).to_contain_text(t("added"))
    expect(changed.locator("del")).to_have_count(1)
    expect(changed.locator("del")).to_contain_text("ensamhet.")
    assert_accessible(page)

    # The canvas reflows to one column on a 320 px wide screen: nothing scrolls sideways
    page.set_viewport_size({"width": 320, "height": 800})
    for path in ("", "edit/", "compare/"):
        page.goto(f"/canvas/journeys/{journey.pk}/{path}")
        assert_fits(page)  # data tables may scroll (WCAG 1.4.10); the blocks must fit
    assert_accessible(page)
