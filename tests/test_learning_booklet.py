"""The lessons booklet: chosen lessons as a PDF (cover page, table of contents, each lesson) from
the lessons library, a programme's learning log and the API. Read back with pypdf: the chosen
lessons in the chosen order and nothing else, never a lesson the requester may not see; refused
choices (none, too many) with a message and nothing lost; the headings in the visitor's
language; a fixed number of queries whatever the number of lessons."""

import io
from urllib.parse import parse_qs, urlsplit

import pypdf
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.utils import timezone

from samskapa.accounts.models import ApiToken, Role
from samskapa.learning import booklet, services
from samskapa.learning.models import Visibility
from samskapa.programmes.models import PhaseKind
from tests import factories

CONTENT = {
    "what_happened": "Vi annonserade utlysningen bara på kommunens webbplats.",
    "what_we_learned": "Unga innovatörer hittar oss genom sina egna nätverk.",
    "what_we_would_do_differently": "Samarbeta med studentkårer.",
    "phase": PhaseKind.IDENTIFY_AND_RECRUIT,
    "themes": ["Rekrytering", "Unga"],
}

LIBRARY = "/portal/lessons/"
BOOKLET = "/portal/lessons/booklet/"


def lesson(programme, author, title, visibility=Visibility.PROGRAMME, **fields):
    return services.create_lesson(
        programme, by=author, **{**CONTENT, "title": title, "visibility": visibility, **fields}
    )


def public_lesson(programme, author, title, **fields):
    operator = programme.memberships.get(role=Role.OPERATOR).user
    return services.decide(
        lesson(programme, author, title, Visibility.PUBLIC, **fields), by=operator, approve=True
    )


def another_programmes_member():
    other = factories.programme()
    return other, factories.member(other, Role.INNOVATOR)


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages]


def lessons_part(pages: list[str], heading="What happened") -> str:
    """The text of the pages after the cover and the table of contents."""
    first = next(i for i, text in enumerate(pages) if heading in text)
    return "\n".join(pages[first:])


def refusal(response) -> tuple[dict, list[str]]:
    """Where a refused booklet sends the person back to (its query) and the messages shown."""
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return parse_qs(urlsplit(response["Location"]).query), messages


@pytest.fixture
def innovator(people):
    return people[Role.INNOVATOR]


# --- What goes in the booklet ---------------------------------------------------------------


def test_the_booklet_holds_the_chosen_lessons_in_the_chosen_order_and_no_other(
    client_as, programme, innovator
):
    # Given three public lessons in the library
    first = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    second = public_lesson(programme, innovator, "Testmiljön saknade data", phase=None, themes=[])
    third = public_lesson(programme, innovator, "Styrgruppen möttes för sällan")
    # When a visitor chooses the third, then the first, and names the booklet
    response = client_as(None).get(
        BOOKLET, {"lesson": [third.pk, first.pk], "title": "Lärdomar till Kommunforum"}
    )
    # Then the PDF is a download named after the title
    assert response["Content-Disposition"] == 'attachment; filename="lardomar-till-kommunforum.pdf"'
    pages = pdf_pages(response)
    # with a cover page: title, today's date, the number of lessons and the programme
    cover = pages[0]
    assert "Lärdomar till Kommunforum" in cover
    assert "2 lessons" in cover
    assert programme.name in cover
    assert str(timezone.localdate().year) in cover
    # a table of contents in the chosen order, with page numbers
    contents = pages[1]
    assert "Contents" in contents
    assert contents.index(third.title) < contents.index(first.title)
    assert f"1. {third.title}" in contents and "3" in contents.split(third.title)[1]
    # and the lessons in that order, with what the booklet tells of each
    body = lessons_part(pages)
    assert body.index(f"1. {third.title}") < body.index(f"2. {first.title}")
    for heading in ("What happened", "What we learned", "What we would do differently"):
        assert heading in body
    assert CONTENT["what_we_learned"] in body
    assert f"Programme: {programme.name}" in body
    assert "Phase: Identify needs & recruit" in body
    assert "Themes: Rekrytering, Unga" in body
    # and nothing of the lesson not chosen
    assert second.title not in "\n".join(pages)
    # page numbers on every page
    assert all(f"{n} / {len(pages)}" in text for n, text in enumerate(pages, start=1))


def test_a_lesson_the_requester_may_not_see_never_appears(client_as, programme, people):
    innovator, observer = people[Role.INNOVATOR], people[Role.OBSERVER]
    shared = public_lesson(programme, innovator, "Delad i biblioteket")
    private = lesson(programme, innovator, "Min hemliga reflektion", Visibility.PRIVATE)
    of_the_programme = lesson(programme, innovator, "Bara för programmet")
    awaiting = lesson(programme, innovator, "Väntar på godkännande", Visibility.PUBLIC)
    other_programme = lesson(*another_programmes_member(), "Ett annat program", Visibility.PRIVATE)
    ids = [private.pk, shared.pk, of_the_programme.pk, awaiting.pk, other_programme.pk]

    # An anonymous visitor gets the public lesson only, the others are left out without a word
    text = "\n".join(pdf_pages(client_as(None).get(BOOKLET, {"lesson": ids})))
    assert shared.title in text and "1 lesson" in text
    for hidden in (private, of_the_programme, awaiting, other_programme):
        assert hidden.title not in text
    # A member of the programme gets its shared lessons, not someone else's private one
    text = "\n".join(pdf_pages(client_as(observer).get(BOOKLET, {"lesson": ids})))
    assert all(x.title in text for x in (shared, of_the_programme, awaiting))
    assert private.title not in text and other_programme.title not in text
    # The author gets their own private lesson too
    text = "\n".join(pdf_pages(client_as(innovator).get(BOOKLET, {"lesson": ids})))
    assert private.title in text and other_programme.title not in text
    # Only lessons one may not see: refused as if none were chosen (nothing tells they exist)
    query, messages = refusal(client_as(None).get(BOOKLET, {"lesson": [private.pk]}))
    assert messages == ["Choose at least one lesson for the booklet."]
    # The API keeps to the same rule
    response = client_as(None).get("/api/lessons/booklet", {"ids": ids})
    text = "\n".join(pdf_pages(response))
    assert shared.title in text and private.title not in text
    assert of_the_programme.title not in text


def test_the_learning_logs_booklet_takes_only_the_programmes_lessons_the_member_sees(
    client_as, programme, people
):
    innovator, needs_owner = people[Role.INNOVATOR], people[Role.NEEDS_OWNER]
    own_private = lesson(programme, needs_owner, "Min egen lärdom", Visibility.PRIVATE)
    others_private = lesson(programme, innovator, "Innovatörens privata", Visibility.PRIVATE)
    shared = lesson(programme, innovator, "Programmets lärdom")
    elsewhere = public_lesson(*another_programmes_member(), "Från ett annat program")
    url = f"/learning/programmes/{programme.pk}/booklet/"
    ids = [shared.pk, others_private.pk, elsewhere.pk, own_private.pk]
    response = client_as(needs_owner).get(url, {"lesson": ids})
    body = lessons_part(pdf_pages(response))
    assert body.index(shared.title) < body.index(own_private.title)
    assert others_private.title not in body and elsewhere.title not in body
    # Outside the programme: not found; not signed in: to the sign-in page
    assert client_as(people["outsider"]).get(url, {"lesson": ids}).status_code == 404
    assert client_as(None).get(url, {"lesson": ids}).status_code == 302


def test_all_lessons_on_the_page_without_javascript(client_as, programme, innovator):
    lessons = [public_lesson(programme, innovator, f"Lärdom nummer {n}") for n in range(3)]
    page_ids = [x.pk for x in reversed(lessons)]  # as the library shows them: newest first
    response = client_as(None).get(BOOKLET, {"page_lessons": page_ids, "all_on_page": "on"})
    body = lessons_part(pdf_pages(response))
    positions = [body.index(x.title) for x in reversed(lessons)]
    assert positions == sorted(positions)
    # Without "all on this page" the page's list alone chooses nothing
    _query, messages = refusal(client_as(None).get(BOOKLET, {"page_lessons": page_ids}))
    assert messages == ["Choose at least one lesson for the booklet."]


# --- Refused choices: a clear message, nothing lost -------------------------------------------


def test_no_lesson_chosen_is_refused_and_the_search_and_filters_are_kept(
    client_as, programme, innovator
):
    public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    visitor = client_as(None)
    search = {"q": "rekrytering", "phase": "1", "page": "1"}
    response = visitor.get(BOOKLET, {**search, "title": "Till konferensen"})
    query, messages = refusal(response)
    assert messages == ["Choose at least one lesson for the booklet."]
    assert query == {
        "q": ["rekrytering"],
        "phase": ["1"],
        "page": ["1"],
        "title": ["Till konferensen"],
    }
    assert urlsplit(response["Location"]).path == LIBRARY
    # The library shows the message, the search, the filter and the title as they were
    page = visitor.get(response["Location"]).content.decode()
    assert "Choose at least one lesson for the booklet." in page
    assert 'value="rekrytering"' in page
    assert 'value="Till konferensen"' in page
    assert '<option value="1" selected>' in page


def test_more_lessons_than_a_booklet_holds_is_refused(client_as, programme, innovator):
    chosen = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    too_many = [chosen.pk, *range(10_000, 10_000 + booklet.MAX_LESSONS)]
    query, messages = refusal(client_as(None).get(BOOKLET, {"lesson": too_many, "q": "unga"}))
    assert messages == [
        f"A booklet holds at most {booklet.MAX_LESSONS} lessons; you chose "
        f"{booklet.MAX_LESSONS + 1}. Choose fewer."
    ]
    assert query == {"q": ["unga"]}  # the search kept; the over-long choice not sent back
    # Exactly the limit is fine (the ids no one may see are left out)
    response = client_as(None).get(BOOKLET, {"lesson": too_many[: booklet.MAX_LESSONS]})
    assert chosen.title in "\n".join(pdf_pages(response))
    # The API refuses too
    response = client_as(None).get("/api/lessons/booklet", {"ids": too_many})
    assert response.status_code == 422
    assert "at most 200 lessons" in response.json()["errors"]["ids"][0]


def test_the_ticked_lessons_are_ticked_again_after_a_refusal(client_as, programme, innovator):
    kept = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    other = public_lesson(programme, innovator, "Testmiljön saknade data")
    visitor = client_as(None)
    response = visitor.get(BOOKLET, {"lesson": [kept.pk], "title": "x" * 201})
    query, messages = refusal(response)
    assert messages == [
        "Title of the booklet (optional): "
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    page = visitor.get(response["Location"]).content.decode()
    assert f'lesson-title-{kept.pk}" checked>' in page
    assert f'lesson-title-{other.pk}">' in page


def test_a_title_with_a_nul_character_is_refused_and_not_sent_back(client_as, programme, innovator):
    chosen = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    query, messages = refusal(
        client_as(None).get(BOOKLET, {"lesson": chosen.pk, "title": "a\x00b"})
    )
    assert messages == ["Title of the booklet (optional): Null characters are not allowed."]
    assert query == {"lesson": [str(chosen.pk)], "title": ["ab"]}


def test_an_id_that_is_not_a_number_is_refused(client_as, programme, innovator):
    public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    for bad in ("abc", "-3", "²", "99999999999999999999", ""):
        _query, messages = refusal(client_as(None).get(BOOKLET, {"lesson": bad}))
        assert messages == ["The choice of lessons is not valid: choose again."], bad
    response = client_as(None).get("/api/lessons/booklet", {"ids": "99999999999999999999"})
    assert response.status_code == 422


# --- The pages ----------------------------------------------------------------------------------


def test_each_lesson_has_a_checkbox_named_by_its_title(client_as, programme, innovator):
    shown = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    page = client_as(None).get(LIBRARY).content.decode()
    assert f'action="{BOOKLET}"' in page
    # The checkbox's name: "Choose for the booklet" and the lesson's title (its heading)
    assert f'<h3 id="lesson-title-{shown.pk}">{shown.title}</h3>' in page
    assert (
        f'<input type="checkbox" name="lesson" value="{shown.pk}" id="choose-lesson-{shown.pk}"'
        f' aria-labelledby="choose-label-{shown.pk} lesson-title-{shown.pk}">'
        f' <label for="choose-lesson-{shown.pk}" id="choose-label-{shown.pk}">'
        "Choose for the booklet</label>"
    ) in page
    assert "Choose all lessons on this page" in page
    assert "Export as PDF booklet" in page
    log = client_as(innovator).get(f"/learning/programmes/{programme.pk}/").content.decode()
    assert f'action="/learning/programmes/{programme.pk}/booklet/"' in log
    assert f'id="choose-lesson-{shown.pk}"' in log


# --- Languages ----------------------------------------------------------------------------------


def test_the_headings_are_in_swedish_for_a_swedish_visitor(client_as, programme, innovator):
    chosen = public_lesson(programme, innovator, "Rekryteringen nådde inte de unga")
    text = "\n".join(pdf_pages(client_as(None, language="sv").get(BOOKLET, {"lesson": chosen.pk})))
    for heading in ("Vad som hände", "Vad vi lärde oss", "Vad vi skulle göra annorlunda"):
        assert heading in text
    assert f"Program: {programme.name}" in text and "Teman: Rekrytering, Unga" in text
    assert "What happened" not in text
    english = "\n".join(pdf_pages(client_as(None).get(BOOKLET, {"lesson": chosen.pk})))
    assert "What happened" in english and "Vad som hände" not in english
    # The API follows Accept-Language (without a language cookie)
    visitor = client_as(None)
    del visitor.cookies[settings.LANGUAGE_COOKIE_NAME]
    response = visitor.get(
        "/api/lessons/booklet", {"ids": chosen.pk}, headers={"accept-language": "sv"}
    )
    assert "Vad vi lärde oss" in "\n".join(pdf_pages(response))


# --- The API ------------------------------------------------------------------------------------


def test_the_api_booklet(client_as, programme, people):
    client = client_as(None)  # in English
    innovator = people[Role.INNOVATOR]
    shared = public_lesson(programme, innovator, "Delad i biblioteket")
    of_the_programme = lesson(programme, innovator, "Bara för programmet")
    ids = {"ids": [of_the_programme.pk, shared.pk], "title": "Till Göteborg"}
    # Without credentials: the public lessons
    response = client.get("/api/lessons/booklet", ids)
    assert response["Content-Disposition"] == 'attachment; filename="till-goteborg.pdf"'
    text = "\n".join(pdf_pages(response))
    assert shared.title in text and of_the_programme.title not in text
    # With a member's token: what they may see, in the order asked for
    _token, key = ApiToken.issue(people[Role.OBSERVER], "script")
    response = client.get("/api/lessons/booklet", ids, headers={"authorization": f"Bearer {key}"})
    body = lessons_part(pdf_pages(response))
    assert body.index(of_the_programme.title) < body.index(shared.title)
    # A token that does not work is refused, not taken for a visitor
    response = client.get("/api/lessons/booklet", ids, headers={"authorization": "Bearer nope"})
    assert response.status_code == 401
    # None chosen, none visible, a title too long: 422 with the reason
    assert client.get("/api/lessons/booklet").json()["errors"] == {
        "ids": ["Choose at least one lesson for the booklet."]
    }
    assert client.get("/api/lessons/booklet", {"ids": of_the_programme.pk}).status_code == 422
    response = client.get("/api/lessons/booklet", {"ids": shared.pk, "title": "x" * 201})
    assert response.status_code == 422 and "title" in response.json()["errors"]


# --- Queries ------------------------------------------------------------------------------------


def _lessons(programme, author, count):
    return [public_lesson(programme, author, f"Lärdom {n}") for n in range(count)]


@pytest.mark.parametrize("count", [3, 30])
def test_the_booklets_queries_do_not_grow_with_its_lessons(
    client_as, programme, people, count, django_assert_num_queries
):
    innovator, observer = people[Role.INNOVATOR], people[Role.OBSERVER]
    ids = [x.pk for x in _lessons(programme, innovator, count)]
    # Anonymous, the library: the lessons with their programmes, their themes
    visitor = client_as(None)
    with django_assert_num_queries(2):
        pdf_pages(visitor.get(BOOKLET, {"lesson": ids}))
    # A member, the learning log: the session, the user and their two kinds of permissions (is
    # an operator held to a second factor?), their memberships, the programme, the lessons, the
    # themes
    member = client_as(observer)
    url = f"/learning/programmes/{programme.pk}/booklet/"
    with django_assert_num_queries(8):
        pdf_pages(member.get(url, {"lesson": ids}))
