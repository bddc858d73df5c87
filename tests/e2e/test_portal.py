"""A member of the public finds a challenge in the portal by searching in Swedish."""

import re

from django.utils import translation
from playwright.sync_api import Page, expect

from samskapa.challenges.models import ChallengeStatus
from tests import factories
from tests.e2e.browser import BROWSER_TEST, assert_accessible, at_path, exact, t
from tests.test_portal import LONELINESS, published_challenge

pytestmark = BROWSER_TEST


def nav_label() -> str:
    with translation.override("sv"):
        return translation.pgettext("main navigation", "Challenges")


def test_a_visitor_searches_in_swedish_and_opens_a_challenge(page: Page):
    # Given two published challenges and a draft, in a programme with a narrative
    programme = factories.programme(name="Älvstad samskapar 2026")
    contact = factories.person("karin@example.se", full_name="Karin Kontakt")
    challenge = published_challenge(
        title=LONELINESS,
        programme=programme,
        contact_person=contact,
        budget_min=50_000,
        budget_max=200_000,
        themes=["Ensamhet"],
        documents=[("Äldreplan 2030", "https://example.se/aldreplan.pdf")],
    )
    published_challenge(title="Unga i utanförskap", programme=programme)
    published_challenge(title="Ensamhet i utkast", status=ChallengeStatus.DRAFT)

    # The home page's header leads anyone to the portal, which lists the public challenges
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name=exact(nav_label())).click()
    expect(page).to_have_url(at_path("/portal/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Challenges"))
    expect(page.locator(".card")).to_have_count(2)
    assert_accessible(page)

    # Searching for an inflected word finds the challenge about loneliness, and only it
    search = page.get_by_role("search")
    search.get_by_label(exact(t("Search"))).fill("ensamheten")
    search.get_by_role("button", name=exact(t("Search"))).click()
    expect(page).to_have_url(re.compile(r"/portal/\?q=ensamheten&"))
    results = page.locator(".card")
    expect(results).to_have_count(1)
    expect(results.get_by_role("heading", level=3)).to_have_text(LONELINESS)
    assert_accessible(page)

    # Its page shows the content, the test environment and the programme's narrative
    results.get_by_role("link", name=LONELINESS).click()
    expect(page).to_have_url(at_path(f"/portal/challenges/{challenge.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(LONELINESS)
    expect(page.get_by_text(challenge.need)).to_be_visible()
    expect(page.get_by_text("Karin Kontakt")).to_be_visible()
    expect(page.get_by_text("50\xa0000–200\xa0000 kr")).to_be_visible()
    expect(page.get_by_role("link", name="Äldreplan 2030")).to_be_visible()
    assert_accessible(page)

    # and leads to the programme, which gathers its public challenges under the narrative
    page.get_by_role("link", name="Älvstad samskapar 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Älvstad samskapar 2026")
    expect(page.get_by_text(programme.narrative, exact=True)).to_be_visible()
    expect(page.locator(".card")).to_have_count(2)
    assert_accessible(page)
