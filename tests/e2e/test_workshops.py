"""Workshops in the browser: the operator finds the toolbox from the programme page and filters
it by phase, plans a hybrid workshop (an end before the start is refused with a message,
nothing saved), then the invited innovator sees it and its calendar link. Axe on every page."""

from django.utils.text import capfirst
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.workshops.models import Workshop
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
    verify_second_factor,
)

pytestmark = BROWSER_TEST


def test_an_operator_plans_a_workshop_and_the_invited_innovator_sees_it(page: Page):
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    factories.member(programme, Role.INNOVATOR, user=innovator)

    # The operator opens the toolbox from the programme page and filters it by phase
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/programmes/{programme.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("Toolbox"))).click()
    expect(page).to_have_url(at_path(f"/workshops/programmes/{programme.pk}/toolbox/"))
    expect(page.locator("main")).to_contain_text(t("Social business model canvas"))
    assert_accessible(page)
    page.get_by_label(exact(t("When in the process"))).select_option("4")
    main_button(page, "Filter").click()
    expect(page.locator("main")).not_to_contain_text(t("Needs mapping"))
    expect(page.locator("main")).to_contain_text(t("Effect chain"))
    page.locator("main").get_by_role("link", name=exact(t("Effect chain"))).click()
    expect(page.locator("main h1")).to_have_text(t("Effect chain"))
    assert_accessible(page)

    # The operator plans a workshop: an end before the start is refused, nothing is saved
    page.goto(f"/programmes/{programme.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("Workshops"))).click()
    page.locator("main").get_by_role("link", name=exact(t("New workshop"))).click()
    expect(page).to_have_url(at_path(f"/workshops/programmes/{programme.pk}/new/"))
    assert_accessible(page)
    page.get_by_label(exact(capfirst(t("title")))).fill("Pilotplan med hemtjänsten")
    page.get_by_label(exact(t("Starts (Stockholm time)"))).fill("2031-03-04T13:00")
    page.get_by_label(exact(t("Ends (Stockholm time)"))).fill("2031-03-04T12:00")
    page.get_by_label(exact(capfirst(t("place")))).fill("Träffpunkten Norra")
    page.get_by_label(exact(capfirst(t("video link")))).fill("https://meet.example.se/pilot")
    page.get_by_label(exact(t("Pilot plan"))).check()
    page.get_by_label(exact("Ina Innovatör")).check()
    main_button(page, "Save").click()
    expect(page.locator("main")).to_contain_text(t("The workshop must end after it starts."))
    assert not Workshop.objects.exists()
    assert_accessible(page)
    page.get_by_label(exact(t("Ends (Stockholm time)"))).fill("2031-03-04T16:00")
    main_button(page, "Save").click()
    workshop = Workshop.objects.get()
    expect(page).to_have_url(at_path(f"/workshops/{workshop.pk}/"))
    expect(page.locator("main")).to_contain_text("2031-03-04 13:00–16:00")
    expect(page.locator("main")).to_contain_text(t("Pilot plan"))
    assert workshop.is_hybrid
    assert_accessible(page)
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()

    # The invited innovator sees it in the programme's workshops, with its calendar link
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se")
    page.goto(f"/workshops/programmes/{programme.pk}/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=exact("Pilotplan med hemtjänsten")).click()
    calendar = page.locator("main").get_by_role("link", name=exact(t("Add to calendar (.ics)")))
    expect(calendar).to_have_attribute("href", f"/workshops/{workshop.pk}/calendar.ics")
    expect(page.locator("main")).not_to_contain_text(t("Cancel the workshop"))
    assert_accessible(page)
