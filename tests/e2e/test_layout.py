"""The stylesheet loads, pages reflow at 320 CSS pixels (WCAG 1.4.10), focus is visible, and
the axe check itself fires."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    exact,
    sign_in,
    t,
)

pytestmark = BROWSER_TEST

# Elements sticking out to the right of the viewport. Data tables may scroll (WCAG 1.4.10
# exempts content that needs two dimensions); everything else must fit.
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest("table")) continue;
    const right = element.getBoundingClientRect().right;
    if (right > width + 1) {
      out.push(`${element.tagName.toLowerCase()}.${element.className} (${Math.round(right)}px)`);
    }
  }
  return out;
}"""

# Without a viewBox an SVG is not scaled to its box, only cut off; the code needs its quiet zone
# (as wide as the margin on its left) on the right and at the bottom too.
_QR_CODE_CLIPPED = """() => {
  const svg = document.querySelector(".qr svg");
  if (svg.viewBox.baseVal && svg.viewBox.baseVal.width > 0) return false;
  const code = svg.getBBox();
  const shown = svg.getBoundingClientRect();
  return code.x * 2 + code.width > shown.width || code.y * 2 + code.height > shown.height;
}"""


def assert_styled(page: Page) -> None:
    """The page has its stylesheet (and the tests that measure the layout measure the real one)."""
    page.wait_for_load_state("load")
    loaded = page.evaluate(
        "() => [...document.styleSheets].some((sheet) => sheet.href?.endsWith('samskapa.css')"
        " && sheet.cssRules.length > 0)"
    )
    assert loaded, (
        f"{page.url} has no stylesheet: /static/css/samskapa.css did not load "
        "(samskapa/static must be among the static-file directories)"
    )


def assert_fits(page: Page) -> None:
    overflowing = page.evaluate(_OVERFLOWING)
    assert not overflowing, f"Wider than 320 px on {page.url}: {', '.join(overflowing[:10])}"


def test_pages_are_styled_and_reflow_on_a_narrow_screen(page: Page):
    # Given a member of a programme with long Swedish names, on a 320 px wide screen
    today = timezone.localdate()
    programme = factories.programme(
        name="Socialt hållbar stadsutvecklingsprogramverksamhet i Göteborgsregionen",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=500),
    )
    factories.member(programme, Role.NEEDS_OWNER)
    factories.member(programme, Role.STEERING_GROUP)
    member = factories.person("smal@example.se", full_name="Maria Lindqvist", password=PASSWORD)
    factories.member(programme, Role.INNOVATOR, user=member)
    failed = []
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto("/")
    assert_styled(page)
    assert_fits(page)

    page.goto("/accounts/login/")
    assert_fits(page)
    sign_in(page, "smal@example.se")
    expect(page).to_have_url(at_path("/dashboard/"))
    assert_fits(page)
    page.get_by_role("link", name=programme.name).click()
    assert_fits(page)
    page.goto("/organisations/")
    assert_fits(page)
    page.get_by_role("link", name=programme.operator_organisation.name).click()
    assert_fits(page)
    assert not failed, f"Resources that failed to load: {failed}"


def test_the_two_factor_qr_code_is_shown_whole(page: Page):
    factories.person("op@example.se", password=PASSWORD, operator_group=True)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    expect(page).to_have_url(at_path("/accounts/two-factor/set-up/"))
    assert_styled(page)
    assert not page.evaluate(_QR_CODE_CLIPPED), "The QR code is cut off"
    assert_fits(page)


def test_focus_is_visible(page: Page):
    page.goto("/accounts/login/")
    assert_styled(page)
    # On the page the ring is dark: the theme's yellow has too little contrast on white
    page.keyboard.press("Tab")  # from the autofocused e-mail field to the password
    password = page.get_by_label(t("Password"))
    expect(password).to_be_focused()
    expect(password).to_have_css("outline-style", "solid")
    expect(password).to_have_css("outline-color", "rgb(27, 31, 36)")
    # On the dark header it is yellow
    header_link = page.get_by_role("banner").get_by_role("link", name=exact(t("Sign in")))
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(header_link).to_be_focused()
    expect(header_link).to_have_css("outline-style", "solid")
    expect(header_link).to_have_css("outline-color", "rgb(255, 191, 71)")


def test_the_accessibility_checks_fire(page: Page):
    page.goto("/")
    page.locator("main").evaluate("main => main.insertAdjacentHTML('beforeend', '<input>')")
    with pytest.raises(AssertionError, match=re.escape("- label (critical)")):
        assert_accessible(page)

    page.goto("/")
    page.locator("main").evaluate("main => main.insertAdjacentHTML('beforeend', '<p id=main>')")
    with pytest.raises(AssertionError, match="Duplicate ids on .*: main"):
        assert_accessible(page)
