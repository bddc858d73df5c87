"""The public portal (no sign-in) and Swedish full-text search, on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samskapa.challenges.models import (
    PUBLIC_STATUSES,
    Challenge,
    ChallengeStatus,
    StrategyDocument,
    Tag,
)
from samskapa.challenges.search import index_challenge, search_challenges, stems_column
from tests import factories

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [s for s in ChallengeStatus if s not in PUBLIC_STATUSES]
LONELINESS = "Ofrivillig ensamhet bland äldre"


def published_challenge(
    *,
    title=LONELINESS,
    need="Många äldre i stadsdelen har ingen att prata med.",
    status=ChallengeStatus.PUBLISHED,
    programme=None,
    department=None,
    themes=(),
    documents=(),
    **fields,
) -> Challenge:
    """A challenge in `status`, made directly (the workflow's services are tested elsewhere)."""
    challenge = Challenge.objects.create(
        programme=programme or factories.programme(),
        department=department or factories.department(),
        title=title,
        need=need,
        target_group=fields.pop("target_group", "Äldre som bor ensamma"),
        desired_effects=fields.pop("desired_effects", "Fler meningsfulla möten i vardagen"),
        status=status,
        published_at=timezone.now() if status in PUBLIC_STATUSES else None,
        **fields,
    )
    challenge.tags.set(Tag.objects.get_or_create(name=name)[0] for name in themes)
    StrategyDocument.objects.bulk_create(
        StrategyDocument(challenge=challenge, title=doc_title, url=url)
        for doc_title, url in documents
    )
    index_challenge(challenge)
    return challenge


def titles(response) -> list[str]:
    return [challenge.title for challenge in response.context["page"]]


def search(text) -> list[str]:
    return [c.title for c in search_challenges(Challenge.objects.public(), text)]


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_public_challenges_of_every_programme_to_anyone(client_as):
    published_challenge(title="Ung i Älvstad")
    published_challenge(title="Meningsfull vardag", status=ChallengeStatus.CLOSED)
    for status in NOT_PUBLIC:
        published_challenge(title=f"Hemlig {status}", status=status)
    response = client_as(None).get("/portal/")
    assert response.status_code == 200
    assert sorted(titles(response)) == ["Meningsfull vardag", "Ung i Älvstad"]
    assert "Hemlig" not in response.content.decode()


def test_the_list_is_in_swedish_by_default_and_linked_from_the_header(client):
    published_challenge()
    page = client.get("/").content.decode()
    assert '<a href="/portal/">Utmaningar</a>' in page
    page = client.get("/portal/").content.decode()
    assert '<html lang="sv">' in page and "1 samhällsutmaning" in page
    assert '<a href="/portal/" aria-current="page">Utmaningar</a>' in page


def test_the_list_filters_by_municipality_department_theme_and_status(client_as):
    gothenburg = factories.municipality("1480")
    social, schools = factories.department(), factories.department(parent=gothenburg)
    published_challenge(title="Social", department=social, themes=["Ensamhet"])
    published_challenge(title="Skola", department=schools, themes=["Unga"])
    published_challenge(
        title="Stängd", department=social, themes=["Unga"], status=ChallengeStatus.CLOSED
    )
    client = client_as(None)

    def shown(**query):
        return sorted(titles(client.get("/portal/", query)))

    assert shown(municipality=gothenburg.pk) == ["Skola"]
    assert shown(department=social.pk) == ["Social", "Stängd"]
    assert shown(theme=Tag.objects.get(name="Unga").pk) == ["Skola", "Stängd"]
    assert shown(status="closed") == ["Stängd"]
    assert shown(status="published", theme=Tag.objects.get(name="Unga").pk) == ["Skola"]


def test_filters_offer_only_what_public_challenges_have(client_as):
    published_challenge(themes=["Ensamhet"])
    hidden = published_challenge(themes=["Hemligt tema"], status=ChallengeStatus.DRAFT)
    page = client_as(None).get("/portal/").content.decode()
    assert "Ensamhet" in page
    assert "Hemligt tema" not in page and hidden.department.name not in page


@pytest.mark.parametrize(
    "query",
    [
        {"department": "abc"},
        {"department": "999999"},
        {"theme": "\x00"},
        {"status": "draft"},
        {"municipality": "1;DROP"},
        {"q": "x" * 201},
        {"page": "-1"},
        {"page": "\x00"},
    ],
)
def test_bad_filter_values_are_shown_as_errors_not_500(client_as, query):
    published_challenge()
    response = client_as(None).get("/portal/", query)
    assert response.status_code == 200


def test_a_hidden_department_cannot_be_used_as_a_filter(client_as):
    draft = published_challenge(title="Utkast", status=ChallengeStatus.DRAFT)
    published_challenge()
    response = client_as(None).get("/portal/", {"department": draft.department.pk})
    assert response.context["filters"].errors["department"]
    assert "Utkast" not in response.content.decode()


def test_the_list_is_paginated(client_as):
    programme = factories.programme()
    department = factories.department()
    for n in range(23):
        published_challenge(title=f"Utmaning {n:02}", programme=programme, department=department)
    client = client_as(None)
    first = client.get("/portal/", {"q": "utmaning"})
    second = client.get("/portal/", {"q": "utmaning", "page": 2})
    assert len(titles(first)) == 20 and len(titles(second)) == 3
    assert set(titles(first)).isdisjoint(titles(second))
    assert "?q=utmaning&amp;page=2" in first.content.decode()


def test_the_list_links_its_atom_feed(client_as):
    page = client_as(None).get("/portal/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/portal/feed/"' in page


# --- A challenge's page ----------------------------------------------------------------------


def test_the_challenge_page_shows_the_current_content(client_as):
    contact = factories.person("karin.kontakt@example.se", full_name="Karin Kontakt")
    programme = factories.programme(name="Den inkluderande staden")
    challenge = published_challenge(
        programme=programme,
        department=factories.department(name="Socialförvaltningen"),
        already_tried="Träffpunkter på biblioteket",
        contact_person=contact,
        target_group_access="Via hemtjänsten",
        premises="Träffpunkt Norr",
        data_offered="Enkätsvar 2025",
        budget_min=50_000,
        budget_max=200_000,
        potential_customer=True,
        themes=["Ensamhet", "Äldre"],
        documents=[("Äldreplan 2030", "https://example.se/aldreplan.pdf")],
    )
    challenge.title = "Ofrivillig ensamhet – ny titel"
    challenge.save()
    page = client_as(None).get(f"/portal/challenges/{challenge.pk}/").content.decode()
    for text in (
        "Ofrivillig ensamhet – ny titel",
        challenge.need,
        challenge.target_group,
        challenge.desired_effects,
        "Träffpunkter på biblioteket",
        "Via hemtjänsten",
        "Träffpunkt Norr",
        "Enkätsvar 2025",
        "SEK 50,000–200,000",
        "prepared to buy or partner",
        "Ensamhet, Äldre",
        f"Socialförvaltningen, {challenge.department.parent.name}",
        "Den inkluderande staden",
        programme.narrative,
        '<a href="https://example.se/aldreplan.pdf" rel="noopener">Äldreplan 2030</a>',
        "Karin Kontakt",
        f'href="/portal/programmes/{programme.pk}/"',
    ):
        assert text in page, text
    assert "karin.kontakt@example.se" not in page  # staff e-mail stays off the public page


@pytest.mark.parametrize(
    ("low", "high", "swedish", "english"),
    [
        (50_000, 200_000, "50\xa0000–200\xa0000 kr", "SEK 50,000–200,000"),
        (50_000, None, "från 50\xa0000 kr", "from SEK 50,000"),
        (None, 1_500_000, "upp till 1\xa0500\xa0000 kr", "up to SEK 1,500,000"),
        (75_000, 75_000, "75\xa0000 kr", "SEK 75,000"),
    ],
)
def test_the_budget_is_formatted_per_locale(client_as, low, high, swedish, english):
    challenge = published_challenge(budget_min=low, budget_max=high)
    url = f"/portal/challenges/{challenge.pk}/"
    assert swedish in client_as(None, language="sv").get(url).content.decode()
    assert english in client_as(None, language="en").get(url).content.decode()


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_a_challenge_that_is_not_public_answers_404(client_as, status):
    challenge = published_challenge(status=status)
    assert client_as(None).get(f"/portal/challenges/{challenge.pk}/").status_code == 404


def test_a_closed_challenge_stays_readable(client_as):
    challenge = published_challenge(status=ChallengeStatus.CLOSED)
    response = client_as(None).get(f"/portal/challenges/{challenge.pk}/")
    assert response.status_code == 200
    assert "This challenge is closed" in response.content.decode()


# --- A programme's page ----------------------------------------------------------------------


def test_the_programme_page_gathers_its_public_challenges_under_the_narrative(client_as):
    programme = factories.programme(name="Den inkluderande staden")
    published_challenge(title="Ensamhet", programme=programme)
    published_challenge(title="Unga", programme=programme, status=ChallengeStatus.CLOSED)
    published_challenge(title="Utkastet", programme=programme, status=ChallengeStatus.DRAFT)
    published_challenge(title="Annat program")
    response = client_as(None).get(f"/portal/programmes/{programme.pk}/")
    page = response.content.decode()
    assert sorted(c.title for c in response.context["challenges"]) == ["Ensamhet", "Unga"]
    assert "Den inkluderande staden" in page and programme.narrative in page
    assert "1 January 2026 – 31 December 2027" in page
    assert "Utkastet" not in page and "Annat program" not in page


def test_a_programme_without_public_challenges_answers_404(client_as):
    programme = factories.programme()
    published_challenge(programme=programme, status=ChallengeStatus.APPROVED)
    assert client_as(None).get(f"/portal/programmes/{programme.pk}/").status_code == 404


# --- Search ----------------------------------------------------------------------------------


def test_search_finds_inflected_swedish_words():
    published_challenge(title=LONELINESS)
    published_challenge(
        title="Unga i utanförskap", need="Vi söker innovatörer som når unga i förorten."
    )
    assert search("ensamheten") == [LONELINESS]
    assert search("Ensamhet ÄLDRE") == [LONELINESS]
    assert search("innovatör") == ["Unga i utanförskap"]
    assert search("ensamhet innovatör") == []  # every word must match
    assert search("cykelbana") == []


def test_search_in_the_portal(client_as):
    published_challenge(title=LONELINESS)
    published_challenge(title="Unga i utanförskap")
    response = client_as(None, language="sv").get("/portal/", {"q": "ensamheten"})
    assert titles(response) == [LONELINESS]
    assert "1 samhällsutmaning" in response.content.decode()


def test_search_only_finds_public_challenges(client_as):
    published_challenge(title="Ensamhet i draft", status=ChallengeStatus.DRAFT)
    assert titles(client_as(None).get("/portal/", {"q": "ensamhet"})) == []


def test_the_title_weighs_more_than_the_body():
    published_challenge(title="Meningsfull vardag", need="Ensamhet är vanligt bland äldre.")
    published_challenge(title="Ensamhet bland unga", need="Unga saknar mötesplatser.")
    assert search("ensamhet") == ["Ensamhet bland unga", "Meningsfull vardag"]


def test_themes_and_strategy_documents_are_searchable():
    published_challenge(title="A", themes=["Trygghet"])
    published_challenge(title="B", documents=[("Kulturstrategier", "https://example.se/k")])
    assert search("tryggheten") == ["A"]
    assert search("kulturstrategi") == ["B"]


@pytest.mark.parametrize(
    "text", ["\x00", "ensam\x00heten", "!!!", "?*%_'\"", "&|!:*", "___", "och"]
)
def test_odd_search_input_finds_nothing_and_does_not_fail(client_as, text):
    published_challenge()
    assert search(text) == []
    response = client_as(None).get("/portal/", {"q": text})
    assert response.status_code == 200


def test_blank_search_leaves_the_list_as_it_is():
    published_challenge()
    assert search("") == search("   ") == [LONELINESS]


def test_search_composes_with_other_filters_and_can_be_a_subquery():
    challenge = published_challenge()
    other = published_challenge(title="Ensamhet i skolan")
    found = search_challenges(Challenge.objects.filter(department=challenge.department), "ensam")
    assert list(found) == [challenge]
    ids = search_challenges(Challenge.objects.all(), "ensamhet").values("pk")
    assert set(Challenge.objects.filter(pk__in=ids)) == {challenge, other}


def test_index_challenge_follows_changes_and_is_idempotent():
    challenge = published_challenge(title="Ensamhet")
    challenge.title = "Cykelvägar"
    challenge.save()
    assert search("ensamhet") == ["Cykelvägar"]  # until indexed again
    index_challenge(challenge)
    index_challenge(challenge)
    assert search("ensamhet") == []
    assert search("cykelväg") == ["Cykelvägar"]


def test_indexing_does_not_touch_updated_at():
    challenge = published_challenge()
    before = Challenge.objects.get(pk=challenge.pk).updated_at
    index_challenge(challenge)
    assert Challenge.objects.get(pk=challenge.pk).updated_at == before


def test_reindex_challenges_rebuilds_the_index():
    published_challenge()
    Challenge.objects.update(search_stems="")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE challenges_challenge SET search_vector = NULL")
    assert search("ensamheten") == []
    call_command("reindex_challenges", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert search("ensamheten") == [LONELINESS]


def test_the_stems_column_holds_each_stem_once_per_weight():
    column = stems_column({"A": "Ensamheten, ensamhet!", "B": "och ensamma äldre", "C": ""})
    assert column == " A:ensam B:ensamm B:äldr "


# --- The feed --------------------------------------------------------------------------------


def test_the_atom_feed_lists_newly_published_challenges(client_as):
    published_challenge(title="Ensamhet bland äldre", themes=["Ensamhet"])
    published_challenge(title="Utkastet", status=ChallengeStatus.DRAFT)
    response = client_as(None).get("/portal/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "<title>Ensamhet bland äldre</title>" in feed
    assert '<category term="Ensamhet"' in feed
    assert "/portal/challenges/" in feed
    assert "Utkastet" not in feed


# --- Queries ---------------------------------------------------------------------------------

# The list: open calls, count, page, themes, and the three filters' choices (+ one look-up per
# filter used).
BOUNDS = {"list": 5, "search": 5, "filtered": 8, "programme": 3, "challenge": 4, "feed": 2}


def _grow(n, programme=None, department=None):
    for i in range(n):
        published_challenge(
            title=f"Ensamhet {i}",
            programme=programme or factories.programme(),
            department=department or factories.department(),
            themes=[f"Tema {i}", "Ensamhet"],
            documents=[(f"Plan {i}", "https://example.se/plan")],
            contact_person=factories.person(),
        )


def _count(client, url, query=None) -> int:
    """Queries of a request in the steady state: after one that filled the filters' cache."""
    client.get(url, query or {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200, url
    return len(queries)


def test_portal_pages_do_not_grow_with_the_data(client_as):
    client = client_as(None)
    programme, department = factories.programme(), factories.department()
    _grow(2, programme, department)
    challenge = Challenge.objects.first()
    theme = Tag.objects.get(name="Ensamhet")
    pages = {
        "list": ("/portal/", None),
        "search": ("/portal/", {"q": "ensamheten"}),
        "filtered": (
            "/portal/",
            {
                "q": "ensamhet",
                "theme": theme.pk,
                "department": department.pk,
                "municipality": department.parent_id,
                "status": "published",
            },
        ),
        "programme": (f"/portal/programmes/{programme.pk}/", None),
        "challenge": (f"/portal/challenges/{challenge.pk}/", None),
        "feed": ("/portal/feed/", None),
    }
    small = {name: _count(client, url, query) for name, (url, query) in pages.items()}
    _grow(25)
    _grow(10, programme, department)
    large = {name: _count(client, url, query) for name, (url, query) in pages.items()}
    assert large == small
    for name, count in small.items():
        assert count <= BOUNDS[name], f"{name}: {count} queries"


def test_the_plain_select_writes_the_same_markup_as_djangos():
    from django import forms
    from django.test.html import parse_html

    from samskapa.core.forms import PlainSelect

    choices = [("", "Alla"), (1, "Socialförvaltningen, Älvstad"), (2, "<Kultur & fritid>")]
    for value in (None, "2", 2):
        attrs = {"id": "id_department", "aria-describedby": "help"}
        ours = PlainSelect(choices=choices).render("department", value, attrs)
        djangos = forms.Select(choices=choices).render("department", value, attrs)
        assert parse_html(ours) == parse_html(djangos)
    assert "&lt;Kultur &amp; fritid&gt;" in ours


def test_the_filters_offer_a_newly_published_challenges_department_at_once(client_as):
    client = client_as(None)
    first = published_challenge(title="Ensamhet bland äldre")
    page = client.get("/portal/").content.decode()
    assert first.department.name in page
    later = factories.department()
    draft = published_challenge(title="Unga i utanförskap", status=ChallengeStatus.DRAFT)
    draft.department = later
    draft.save()
    assert later.name not in client.get("/portal/").content.decode()
    draft.status = ChallengeStatus.PUBLISHED
    draft.save()
    assert later.name in client.get("/portal/").content.decode()
