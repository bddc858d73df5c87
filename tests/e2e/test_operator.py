"""An operator's pages: the second factor, the programme's pages, the registers, API tokens."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.text import capfirst
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.organisations.models import Organisation, validate_org_number
from samskapa.programmes.models import PhaseKind
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    current_totp,
    exact,
    sign_in,
    t,
    totp_now,
)

pytestmark = BROWSER_TEST

EMAIL = "operator@example.se"


@pytest.fixture
def running_programme():
    """A running programme whose operator is in the Operators group and signs in with a password."""
    operator = factories.person(
        EMAIL, full_name="Olle Operatör", password=PASSWORD, operator_group=True
    )
    today = timezone.localdate()
    return factories.programme(
        operator=operator,
        name="Trygg i stadsdelen",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=400),
    )


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def submit(page: Page, label: str) -> None:
    page.locator("main").get_by_role("button", name=exact(t(label))).click()


def test_operator_sets_up_two_factor_and_runs_the_programme(page: Page, running_programme):
    programme = running_programme
    # Signing in as an operator without an authenticator leads to the set-up page
    page.goto("/accounts/login/")
    sign_in(page, EMAIL)
    expect(page).to_have_url(at_path("/accounts/two-factor/set-up/"))
    expect(heading(page)).to_have_text(t("Set up two-factor sign-in"))
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page)

    # Other pages stay closed until the second factor is set up
    page.goto(programme.get_absolute_url())
    expect(page).to_have_url(at_path("/accounts/two-factor/set-up/"))

    # A wrong code is refused, with the error next to the field
    code_field = page.get_by_label(t("Six-digit code from your authenticator app"))
    code_field.fill("12345")
    submit(page, "Turn on")
    expect(page.locator(".errors")).to_contain_text(t("Enter the six digits your app shows."))
    assert_accessible(page)

    # The key shown under the QR code gives the code an authenticator app would show
    secret = page.locator("code.secret").inner_text()
    code_field.fill(current_totp(secret))
    submit(page, "Turn on")
    expect(page).to_have_url(at_path("/dashboard/"))
    expect(page.get_by_role("status")).to_contain_text(
        t("Two-factor sign-in is on for your account.")
    )
    assert TOTPDevice.objects.filter(user__email=EMAIL, confirmed=True).count() == 1

    # The programme page
    page.get_by_role("link", name=programme.name).click()
    expect(heading(page)).to_have_text(programme.name)
    assert_accessible(page)

    # Editing the programme
    page.get_by_role("link", name=t("Edit programme")).click()
    expect(heading(page)).to_have_text(t("Edit programme"))
    assert_accessible(page)
    page.get_by_label(capfirst(t("name"))).fill("Trygg i hela staden")
    submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text(t("The programme is saved."))
    expect(heading(page)).to_have_text("Trygg i hela staden")

    # Editing a phase's gate criteria; the programme page shows the new ones
    phase_name = t(PhaseKind.TEST_ENVIRONMENT.label)
    edit_phase = rf"^{re.escape(t('Edit phase'))}\s*:\s*{re.escape(phase_name)}$"
    page.get_by_role("link", name=re.compile(edit_phase)).click()
    expect(heading(page)).to_have_text(f"{t('Edit phase')}: {phase_name}")
    assert_accessible(page)
    page.get_by_label(t("Gate criteria")).fill(
        "Testmiljön är överenskommen\n\n  Avtal om personuppgifter finns  \n"
    )
    submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text(t("The phase is saved."))
    phase = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", level=3, name=phase_name)
    )
    expect(phase.locator("ul > li")).to_have_text(
        ["Testmiljön är överenskommen", "Avtal om personuppgifter finns"]
    )

    # Adding a member: htmx posts the form and replaces only the members panel
    page.get_by_role("link", name=exact(t("Members"))).click()
    expect(heading(page)).to_have_text(t("Members"))
    assert_accessible(page)
    panel = page.locator("#members-panel")
    page.get_by_label(t("E-mail address")).fill("Stina.Styr@Example.se")
    panel.get_by_label(exact(t("Name"))).fill("Stina Styrgrupp")
    page.get_by_label(t("Role")).select_option(Role.STEERING_GROUP.value)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        panel.get_by_role("button", name=exact(t("Add"))).press("Enter")
    assert posted.value.request.headers.get("hx-request") == "true"
    # Keyboard focus stays on the button in the new panel, not lost to the page's start
    expect(panel.get_by_role("button", name=exact(t("Add")))).to_be_focused()
    row = panel.get_by_role("row").filter(has_text="stina.styr@example.se")
    expect(row).to_contain_text("Stina Styrgrupp")
    expect(row).to_contain_text(t(Role.STEERING_GROUP.label))
    # The confirmation lands in the live region that stayed on the page (announced)
    expect(page.locator("#members-status")).to_contain_text("stina.styr@example.se")
    expect(page).to_have_url(at_path(f"/programmes/{programme.pk}/members/"))
    expect(page.get_by_label(t("E-mail address"))).to_have_value("")
    assert_accessible(page)

    # The history lists what was done
    page.get_by_role("link", name="Trygg i hela staden").click()
    page.get_by_role("link", name=exact(t("History"))).click()
    expect(heading(page)).to_have_text(t("History"))
    for action, about in (
        ("Programme changed", "Trygg i hela staden"),
        ("Phase changed", phase_name),
        ("Role given", "Stina Styrgrupp"),
    ):
        expect(
            page.get_by_role("cell", name=re.compile(re.escape(f"{t(action)}: {about}")))
        ).to_be_visible()
    assert_accessible(page)


def test_operator_keeps_the_organisation_register_and_api_tokens(
    page: Page, running_programme, playwright, live_server
):
    programme = running_programme
    # Given an operator who already has an authenticator
    device = TOTPDevice.objects.create(user=programme.memberships.get().user, name="Telefon")

    page.goto("/accounts/login/")
    sign_in(page, EMAIL)
    expect(page).to_have_url(at_path("/accounts/two-factor/verify/"))
    expect(heading(page)).to_have_text(t("Two-factor sign-in"))
    assert_accessible(page)
    page.get_by_label(t("Six-digit code from your authenticator app")).fill(totp_now(device))
    submit(page, "Verify")
    expect(page).to_have_url(at_path("/dashboard/"))

    # The organisation register
    nav = page.get_by_role("navigation", name=t("Main"))
    nav.get_by_role("link", name=t("Organisations")).click()
    expect(heading(page)).to_have_text(t("Organisations"))
    expect(page.get_by_role("link", name=programme.operator_organisation.name)).to_be_visible()
    assert_accessible(page)

    # A new organisation with a wrong check digit gets a clear error
    page.get_by_role("link", name=t("New organisation")).click()
    expect(heading(page)).to_have_text(t("New organisation"))
    assert_accessible(page)
    page.get_by_label(exact(capfirst(t("name")))).fill("Grannskap Sverige AB")
    page.get_by_label(capfirst(t("kind"))).select_option("innovator")
    page.get_by_label(capfirst(t("legal form"))).select_option("ab")
    number_field = page.get_by_label(capfirst(t("organisation number")))
    number_field.fill("556036-0794")
    submit(page, "Save")
    expect(page.locator(".field-error .errors")).to_have_text(invalid_org_number("556036-0794"))
    expect(number_field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # With the right check digit it is saved
    number_field.fill(factories.VALID_ORG_NUMBERS[0])
    submit(page, "Save")
    expect(page.get_by_role("status")).to_contain_text(t("The organisation is saved."))
    expect(heading(page)).to_have_text("Grannskap Sverige AB")
    expect(page.locator(".facts")).to_contain_text(factories.VALID_ORG_NUMBERS[0])
    organisation = Organisation.objects.get(org_number=factories.VALID_ORG_NUMBERS[0])
    expect(page).to_have_url(at_path(f"/organisations/{organisation.pk}/"))
    assert_accessible(page)

    # Editing it
    page.get_by_role("link", name=exact(t("Edit"))).click()
    expect(heading(page)).to_have_text(t("Edit organisation"))
    assert_accessible(page)
    page.get_by_label(capfirst(t("description"))).fill("Bygger trygghet med grannar.")
    submit(page, "Save")
    expect(page.get_by_text("Bygger trygghet med grannar.", exact=True)).to_be_visible()
    expect(page.get_by_text("organisations.organisation.updated")).to_be_visible()
    assert_accessible(page)

    # An API token is shown once, when it is created
    nav.get_by_role("link", name=t("API tokens")).click()
    expect(heading(page)).to_have_text(t("API tokens"))
    assert_accessible(page)
    page.get_by_label(t("What the token is for")).fill("Månadsexport")
    submit(page, "Create token")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(t("Your new token. Copy it now: it is not shown again."))
    key = alert.locator("code.secret").inner_text().strip()
    assert len(key) > 30
    expect(page.get_by_role("cell", name="Månadsexport", exact=True)).to_be_visible()
    assert_accessible(page)

    # The key works for a script (a client without the browser's session cookie)
    script = playwright.request.new_context(base_url=live_server.url)
    assert script.get("/api/organisations").status == 401
    response = script.get("/api/organisations", headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200
    script.dispose()

    # Back on the page the key is not shown again; the token's last use is
    nav.get_by_role("link", name=t("API tokens")).click()
    row = page.get_by_role("row").filter(has_text="Månadsexport")
    expect(row.get_by_role("cell")).to_have_count(4)
    expect(row.get_by_role("cell").nth(2)).not_to_have_text("–")
    expect(page.get_by_text(key)).to_have_count(0)


def invalid_org_number(value: str) -> str:
    with translation.override("sv"):
        try:
            validate_org_number(value)
        except ValidationError as error:
            return error.messages[0]
    raise AssertionError(f"{value} was expected to be invalid")
