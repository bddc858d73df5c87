"""The learning log in the browser: a member records a lesson asking for it to be public, the
operator approves it in the queue, and a visitor finds it in the lessons library by a Swedish
search (another inflection of a word in it), then chooses it and another lesson and downloads
them as a PDF booklet. Axe on every page."""

import io
import re

import pypdf
from django.utils.text import capfirst
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.learning import services
from samskapa.learning.models import Approval, Lesson, Visibility
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

TITLE = "Rekryteringen nådde inte de unga"


def _sign_out(page: Page):
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()


def test_a_lesson_goes_from_the_log_to_the_public_library(page: Page):
    # Given a programme with an innovator and its operator (held to a second factor)
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    factories.member(programme, Role.INNOVATOR, user=innovator)

    # The innovator records a lesson and asks for it to be public
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se")
    page.goto(f"/learning/programmes/{programme.pk}/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=exact(t("New lesson"))).click()
    expect(page).to_have_url(at_path(f"/learning/programmes/{programme.pk}/new/"))
    page.get_by_label(exact(capfirst(t("title")))).fill(TITLE)
    page.get_by_label(exact(capfirst(t("what happened")))).fill(
        "Vi annonserade utlysningen bara på kommunens webbplats."
    )
    page.get_by_label(exact(capfirst(t("what we learned")))).fill(
        "Unga innovatörer hittar oss genom sina egna nätverk och föreningar."
    )
    page.get_by_label(exact(capfirst(t("phase")))).select_option("1")
    page.get_by_label(exact(t("Themes"))).fill("Rekrytering, Unga")
    page.get_by_label(t("Public (after the operator's approval)")).check()
    assert_accessible(page)
    main_button(page, "Save").click()
    expect(page).to_have_url(at_path(f"/learning/programmes/{programme.pk}/"))
    expect(page.locator("main")).to_contain_text(TITLE)
    assert Lesson.objects.get().approval == Approval.REQUESTED
    assert_accessible(page)
    _sign_out(page)

    # Not in the library yet
    page.goto("/portal/lessons/")
    expect(page.locator("main")).not_to_contain_text(TITLE)

    # The operator approves it in the queue
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/learning/programmes/{programme.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("Lessons awaiting approval"))).click()
    expect(page.locator("main")).to_contain_text(TITLE)
    assert_accessible(page)
    # The button's name is "Approve: <the lesson's title>" (the title for screen readers)
    approve = re.compile(rf"^\s*{re.escape(t('Approve'))}\s*:")
    page.locator("main").get_by_role("button", name=approve).click()
    expect(page.locator("main")).to_contain_text(t("No lesson is awaiting approval."))
    assert Lesson.objects.get().approval == Approval.APPROVED
    assert_accessible(page)
    _sign_out(page)

    # A visitor finds it in the lessons library by another inflection of a word in it
    page.goto("/portal/lessons/")
    page.get_by_role("searchbox", name=exact(t("Search"))).fill("föreningen")
    main_button(page, "Search").click()
    expect(page.locator("main").get_by_role("heading", level=3)).to_have_text([TITLE])
    assert_accessible(page)
    page.get_by_role("searchbox", name=exact(t("Search"))).fill("utmaningarna")
    main_button(page, "Search").click()
    expect(page.locator("main")).to_contain_text(
        t("No lesson matches. Try other words or fewer filters.")
    )

    # The visitor chooses two lessons of the library and downloads them as a booklet
    other = services.create_lesson(
        programme,
        by=innovator,
        title="Testmiljön saknade data",
        what_happened="Förvaltningen kunde inte dela data förrän avtalet var klart.",
        what_we_learned="Börja med dataavtalet innan testperioden.",
        visibility=Visibility.PUBLIC,
    )
    services.decide(other, by=operator, approve=True)
    page.goto("/portal/lessons/")
    main = page.locator("main")
    # Nothing chosen: refused with a message, nothing lost
    main.get_by_label(t("Title of the booklet (optional)")).fill("Till Kommunforum")
    main_button(page, "Export as PDF booklet").click()
    expect(page.locator(".messages")).to_contain_text(
        t("Choose at least one lesson for the booklet.")
    )
    expect(main.get_by_label(t("Title of the booklet (optional)"))).to_have_value(
        "Till Kommunforum"
    )
    assert_accessible(page)
    # Each checkbox is named by "Choose for the booklet" and the lesson's title
    for title in (other.title, TITLE):
        main.get_by_role("checkbox", name=re.compile(re.escape(title))).check()
    with page.expect_download() as download_info:
        main_button(page, "Export as PDF booklet").click()
    download = download_info.value
    assert download.suggested_filename == "till-kommunforum.pdf"
    with open(download.path(), "rb") as pdf:
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read())).pages)
    assert "Till Kommunforum" in text
    assert text.index(f"1. {other.title}") < text.index(f"2. {TITLE}")
