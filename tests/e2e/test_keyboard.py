"""Signing in with the keyboard alone."""

from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import BROWSER_TEST, PASSWORD, assert_accessible, at_path, exact, t

pytestmark = BROWSER_TEST


def press_tab_until(page: Page, locator, limit: int = 12) -> None:
    """Press Tab until `locator` has the focus; fail if it is not reached in `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{locator} was not reached with {limit} presses of Tab")


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=t("Skip to content"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_sign_in_with_the_keyboard_only(page: Page):
    factories.person("tangent@example.se", full_name="Tove Tangentbord", password=PASSWORD)
    page.goto("/")

    # From the top of the home page, Tab reaches the header's sign-in link; Enter follows it
    header_link = page.get_by_role("banner").get_by_role("link", name=exact(t("Sign in")))
    press_tab_until(page, header_link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(at_path("/accounts/login/"))
    assert_accessible(page)

    # The e-mail field has the focus; Tab goes to the password, then to the button
    email = page.get_by_label(t("E-mail address"))
    password = page.get_by_label(t("Password"))
    expect(email).to_be_focused()
    page.keyboard.type("tangent@example.se")
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.locator("main").get_by_role("button", name=exact(t("Sign in")))).to_be_focused()

    # Enter in the password field submits the form
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(at_path("/dashboard/"))
    expect(page.get_by_text("Tove Tangentbord")).to_be_visible()


def test_a_wrong_password_is_reported_next_to_the_form(page: Page):
    factories.person("tangent@example.se", password=PASSWORD)
    page.goto("/accounts/login/")
    page.keyboard.type("tangent@example.se")
    page.keyboard.press("Tab")
    page.keyboard.type("fel lösenord")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(at_path("/accounts/login/"))
    assert_accessible(page)
