"""Measuring effects in the browser: the innovator goes from the test environment to its theory
of change, adds an outcome and an indicator for it, enters a measurement and — for the same
quarter — a corrected one after confirming, and sees the chart with its data table on the
dashboard; the host department's needs owner sees a figure on fewer than 5 people suppressed.
Axe on every page."""

import re
from datetime import date

from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.impact.models import Measurement
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


def test_the_innovator_builds_measures_and_sees_the_chart(page: Page):
    # Given an innovator's test environment hosted by a needs owner's department
    operator = factories.person("op@example.se", operator_group=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    host = factories.person("bo@example.se", password=PASSWORD, full_name="Bo Behovsägare")
    department = factories.department(name="Socialförvaltningen")
    factories.member(programme, Role.INNOVATOR, user=innovator)
    factories.member(programme, Role.NEEDS_OWNER, user=host, department_=department)
    environment = factories.environment(
        programme,
        by=operator,
        innovator=innovator,
        challenge_=factories.challenge(programme, department, title="Ensamhet bland äldre"),
    )

    # The innovator opens the theory of change from the test environment
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se")
    page.goto(f"/environments/{environment.pk}/")
    page.locator("main").get_by_role(
        "link", name=exact(t("Theory of change and indicators"))
    ).click()
    expect(page).to_have_url(at_path(f"/impact/environments/{environment.pk}/"))
    assert_accessible(page)

    # ... adds an outcome for older people living alone
    page.get_by_label(exact(capfirst(t("link")))).select_option("outcome")
    page.get_by_label(exact(capfirst(t("description")))).fill("Minskad ensamhet")
    page.get_by_label(exact(capfirst(t("stakeholder group")))).fill("Äldre som bor ensamma")
    main_button(page, "Add the link").click()
    expect(page.locator("main")).to_contain_text(t("The link is added to the theory of change."))
    expect(page.locator("main .toc-step")).to_contain_text("Äldre som bor ensamma")
    assert_accessible(page)

    # ... and an indicator on it
    page.locator("main .toc-step").get_by_role(
        "link", name=re.compile(rf"^{re.escape(t('Add an indicator'))}\s*:\s*Minskad ensamhet")
    ).click()
    assert_accessible(page)
    page.get_by_label(exact(capfirst(t("name")))).fill("Upplevd ensamhet")
    page.get_by_label(exact(capfirst(t("definition")))).fill("Andel som ofta känner sig ensamma")
    page.get_by_label(exact(capfirst(t("unit")))).fill("%")
    page.get_by_label(exact(capfirst(t("baseline")))).fill("46")
    page.get_by_label(exact(capfirst(t("target")))).fill("30")
    main_button(page, "Save the indicator").click()
    expect(page.locator("main")).to_contain_text(t("The indicator is added."))
    assert_accessible(page)

    # ... enters two quarters, the first on 4 people
    for day, value, people in (("2026-02-10", "44", "4"), ("2026-05-10", "39", "18")):
        page.get_by_label(exact(capfirst(t("Period")))).fill(day)
        page.get_by_label(exact(capfirst(t("Value")))).fill(value)
        page.get_by_label(exact(capfirst(t("Number of people")))).fill(people)
        main_button(page, "Save the measurement").click()
        expect(page.locator("main")).to_contain_text(t("The measurement is saved."))

    # ... and a corrected value for the second quarter, confirmed before it replaces the first
    page.get_by_label(exact(capfirst(t("Period")))).fill("2026-06-30")
    page.get_by_label(exact(capfirst(t("Value")))).fill("37")
    page.get_by_label(exact(capfirst(t("Number of people")))).fill("19")
    main_button(page, "Save the measurement").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    assert_accessible(page)
    main_button(page, "Replace the value").click()
    expect(page.locator("main")).to_contain_text(t("The value for the period is replaced."))
    assert list(Measurement.objects.order_by("period").values_list("period", "value")) == [
        (date(2026, 1, 1), 44),
        (date(2026, 4, 1), 37),
    ]

    # The dashboard shows the chart, with its baseline and target, and the table
    page.goto(f"/impact/environments/{environment.pk}/dashboard/")
    chart = page.locator("main svg[role=img]")
    expect(chart).to_have_count(1)
    expect(chart.locator("circle")).to_have_count(2)
    expect(page.locator("main table")).to_contain_text("44")
    assert_accessible(page)

    # The host department's needs owner sees the figure on 4 people suppressed
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()
    page.goto("/accounts/login/")
    sign_in(page, "bo@example.se")
    page.goto(f"/impact/environments/{environment.pk}/dashboard/")
    expect(page.locator("main table")).to_contain_text(t("fewer than 5"))
    expect(page.locator("main svg[role=img] circle")).to_have_count(1)
    assert_accessible(page)
