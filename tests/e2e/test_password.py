"""A person an operator added chooses a password from the e-mailed link and signs in."""

import re

from django.contrib.auth.forms import SetPasswordForm
from django.core import mail
from django.utils import translation
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.programmes.services import add_member
from tests import factories
from tests.e2e.browser import BROWSER_TEST, assert_accessible, at_path, exact, sign_in, t

pytestmark = BROWSER_TEST
NEW_PASSWORD = "Blåbärssylt-och-pannkakor-7"


def test_an_invited_person_chooses_a_password_and_signs_in(page: Page):
    # Given a person an operator added to a programme, who has no password yet
    programme = factories.programme(name="Trygg i hela staden")
    operator = programme.memberships.get(role=Role.OPERATOR).user
    add_member(
        programme, by=operator, email="ny@example.se", full_name="Nora Ny", role=Role.OBSERVER
    )

    # When they follow "forgot your password" from the sign-in page
    page.goto("/accounts/login/")
    page.get_by_role("link", name=t("Forgot your password, or have none yet?")).click()
    expect(page).to_have_url(at_path("/accounts/password-reset/"))
    assert_accessible(page)
    page.get_by_label(t("Email")).fill("ny@example.se")
    page.locator("main").get_by_role("button", name=exact(t("Send the link"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail"))
    assert_accessible(page)

    # Then the e-mailed link lets them choose a password
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Choose a password"))
    assert_accessible(page)
    with translation.override("sv"):  # Django's own labels, as the page shows them
        first, second = (str(field.label) for field in SetPasswordForm(user=None).visible_fields())
    page.get_by_label(exact(first)).fill(NEW_PASSWORD)
    page.get_by_label(exact(second)).fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name=exact(t("Save the password"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Password saved"))
    assert_accessible(page)

    # And they sign in with it and see their programme
    page.locator("main").get_by_role("link", name=exact(t("Sign in"))).click()
    sign_in(page, "ny@example.se", NEW_PASSWORD)
    expect(page).to_have_url(at_path("/dashboard/"))
    expect(page.get_by_role("link", name="Trygg i hela staden")).to_be_visible()

    # The link works once
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text(
        t("The link has expired or has already been used.")
    )
    assert_accessible(page)
