"""The operator matches a closed call: runs the engine, locks a pair on the whiteboard (a new
run), compares the two runs, reads the gender balance and confirms — axe on every page, the
lock done from the keyboard."""

import re

from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.matching.models import Match, MatchingRun
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    main_button,
    sign_in,
    t,
    verify_second_factor,
)
from tests.test_matching_product import closed_call_with_reviews

pytestmark = BROWSER_TEST
RUN_PAGE = re.compile(r"/matching/runs/\d+/$")


def test_operator_runs_locks_compares_and_confirms_a_matching(page: Page):
    # Given a closed call whose panel scored four shortlisted applicants
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    call, challenges, _applications = closed_call_with_reviews(programme, operator)

    # The operator signs in with their second factor and opens the call's matching
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/calls/{call.pk}/")
    page.locator("main").get_by_role("link", name=t("Matching"), exact=True).click()
    expect(page).to_have_url(at_path(f"/matching/calls/{call.pk}/"))
    assert_accessible(page)

    # They run the matching with the default settings
    main_button(page, "Run the matching").click()
    expect(page).to_have_url(RUN_PAGE)
    first = MatchingRun.objects.get(number=1)
    expect(page).to_have_url(at_path(f"/matching/runs/{first.pk}/"))
    expect(page.get_by_role("status")).to_contain_text(t("Run %(number)s is done.") % {"number": 1})
    assert_accessible(page)
    ensamhet = page.locator(
        "section.whiteboard-column", has=page.get_by_role("heading", name="Ensamhet")
    )
    expect(ensamhet.get_by_role("heading", name="Anna Andersson")).to_be_visible()

    # Cissi, placed at her first choice, is locked to Ensamhet from her card, by keyboard
    cissi = page.locator(
        "li.applicant-card", has=page.get_by_role("heading", name="Cissi Carlsson")
    )
    cissi.get_by_label(re.compile(re.escape(t("Lock at instead")))).select_option(label="Ensamhet")
    cissi.get_by_role("button", name=re.compile(re.escape(t("Lock and run again")))).focus()
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(at_path(f"/matching/runs/{first.pk}/"))
    expect(page).to_have_url(RUN_PAGE)
    second = MatchingRun.objects.get(number=2)
    expect(page).to_have_url(at_path(f"/matching/runs/{second.pk}/"))
    assert_accessible(page)
    ensamhet = page.locator(
        "section.whiteboard-column", has=page.get_by_role("heading", name="Ensamhet")
    )
    locked_card = ensamhet.locator(
        "li.applicant-card", has=page.get_by_role("heading", name="Cissi Carlsson")
    )
    expect(locked_card).to_contain_text(t("Locked"))
    assert second.input["locked"] and second.based_on_id == first.pk

    # The gender balance of the proposal comes before the confirm button: with only four
    # placed, the figures by gender are withheld, so that no one's gender can be worked out
    genders = page.locator(
        "section", has=page.get_by_role("heading", name=t("Gender balance of the proposal"))
    )
    placed, candidates = second.placed_count, second.candidate_count
    assert placed < 5
    with translation.override("sv"):
        withheld = translation.ngettext(
            "%(placed)s of %(candidates)s candidates placed. Fewer than 5 of the placed have a "
            "gender, so the figures by gender are not shown.",
            "%(placed)s of %(candidates)s candidates placed. Fewer than 5 of the placed have a "
            "gender, so the figures by gender are not shown.",
            placed,
        ) % {"placed": placed, "candidates": candidates}
    expect(genders).to_contain_text(withheld)
    expect(genders.get_by_role("row", name=re.compile(f"^{re.escape(t('Woman'))}"))).to_have_count(
        0
    )
    confirm_link = page.get_by_role("link", name=t("Confirm this proposal…"))
    assert genders.bounding_box()["y"] < confirm_link.bounding_box()["y"]

    # They compare the two runs: Anna and Cissi moved
    page.get_by_label(t("Compare with")).select_option(label=t("Run %(number)s") % {"number": 1})
    main_button(page, "Compare").click()
    expect(page).to_have_url(re.compile(rf"/matching/calls/{call.pk}/compare/\?"))
    assert_accessible(page)
    expect(page.locator("tr.moved")).to_have_count(2)
    expect(page.locator("tr.moved").first).to_contain_text("Anna Andersson")

    # And confirm run 2, through the confirmation step
    page.goto(f"/matching/runs/{second.pk}/")
    page.get_by_role("link", name=t("Confirm this proposal…")).click()
    expect(page).to_have_url(at_path(f"/matching/runs/{second.pk}/confirm/"))
    assert_accessible(page)
    main_button(page, "Confirm the matches").click()
    expect(page).to_have_url(at_path(f"/matching/calls/{call.pk}/"))
    expect(page.get_by_role("status")).to_contain_text(
        t("The matches of run %(number)s are confirmed.") % {"number": 2}
    )
    assert_accessible(page)
    assert Match.objects.filter(run=second).count() == 4
    assert (
        Match.objects.get(application__applicant__full_name="Cissi Carlsson").challenge
        == challenges["E"]
    )
