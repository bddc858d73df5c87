"""Importing measurements in the browser: the innovator downloads nothing, uploads a CSV the way
Excel in Swedish saves one with one bad row, sees the problem with its row in the preview (and
nothing stored), uploads the corrected file, imports it, and sees the values on the result page
and in the data table of the test environment's impact dashboard chart. Axe on every page."""

import re

from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.impact.models import Frequency, ImportBatch, Measurement
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    main_button,
    sign_in,
    t,
)

pytestmark = BROWSER_TEST

HEADER = "indikator;period;värde;antal personer;kommentar\r\n"


def _csv(body: str) -> dict:
    return {
        "name": "matningar.csv",
        "mimeType": "text/csv",
        "buffer": ("\ufeff" + HEADER + body).encode("utf-8"),
    }


def test_an_innovator_fixes_a_bad_row_and_imports(page: Page):
    # Given an innovator's test environment with a quarterly indicator
    operator = factories.person(operator_group=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    factories.member(programme, Role.INNOVATOR, user=innovator)
    environment = factories.environment(programme, by=operator, innovator=innovator)
    factories.indicator(
        environment, name="Deltagare som känner sig ensamma", frequency=Frequency.QUARTERLY
    )
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se")

    # The import page explains the format and offers the templates
    page.goto(f"/impact/imports/environments/{environment.pk}/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text("Deltagare som känner sig ensamma")

    # A file with one bad row: its problem is shown with the row, nothing is stored
    bad = (
        "Deltagare som känner sig ensamma;2026-Q1;41,5;12;\r\n"
        "Deltagare som känner sig ensamma;2026-Q2;tolv;14;\r\n"
    )
    page.get_by_label(t("CSV or XLSX file")).set_input_files(_csv(bad))
    main_button(page, "Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/preview/[0-9a-f]{32}/$"))
    problems = page.locator("main table").first
    expect(problems).to_contain_text("3")
    expect(problems).to_contain_text("tolv”")  # “tolv” in English, ”tolv” in Swedish
    expect(main_button(page, "Import")).to_have_count(0)
    assert_accessible(page)
    assert not Measurement.objects.exists()

    # The corrected file: the preview says what will happen, and the import stores it
    fixed = bad.replace(";tolv;", ";38,25;")
    page.get_by_label(t("CSV or XLSX file")).set_input_files(_csv(fixed))
    main_button(page, "Upload and preview").click()
    expect(page.locator("main")).to_contain_text(t("What the import will do"))
    assert_accessible(page)
    main_button(page, "Import").click()
    batch = ImportBatch.objects.get()
    expect(page).to_have_url(re.compile(rf"/impact/imports/{batch.pk}/$"))
    expect(page.locator("main table")).to_contain_text("41,5")
    expect(page.locator("main table")).to_contain_text("38,25")
    assert_accessible(page)
    assert Measurement.objects.count() == 2

    # And on the test environment's dashboard, in the chart's data table
    page.locator("main").get_by_role("link", name=t("Impact dashboard")).click()
    expect(page).to_have_url(re.compile(rf"/impact/environments/{environment.pk}/dashboard/$"))
    figure = page.locator("main section.impact-figure").filter(
        has_text="Deltagare som känner sig ensamma"
    )
    expect(figure.locator("svg")).to_have_count(1)
    expect(figure.locator("table")).to_contain_text("41,5")
    expect(figure.locator("table")).to_contain_text("38,25")
    assert_accessible(page)
