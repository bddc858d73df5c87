"""The learning log and the lessons library: who sees which lesson, recording and editing one,
the operator's approval for the public library, Swedish full-text search with filters, the API,
the audit trail, the demo, and a constant number of queries on the list pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.core.demo_learning import add_lessons
from samskapa.learning import services
from samskapa.learning.models import Approval, Lesson, Visibility
from samskapa.programmes.models import PhaseKind
from tests import factories

CONTENT = {
    "title": "Rekryteringen nådde inte de unga",
    "what_happened": "Vi annonserade utlysningen bara på kommunens webbplats.",
    "what_we_learned": "Unga innovatörer hittar oss genom sina egna nätverk.",
    "what_we_would_do_differently": "Samarbeta med studentkårer och ungdomsorganisationer.",
    "phase": PhaseKind.IDENTIFY_AND_RECRUIT,
    "themes": ["Rekrytering", "Unga"],
    "concerns": "Processledare",
}


def lesson(programme, author, visibility=Visibility.PROGRAMME, **fields):
    return services.create_lesson(
        programme, by=author, **{**CONTENT, "visibility": visibility, **fields}
    )


def public_lesson(programme, author, operator, **fields):
    return services.decide(
        lesson(programme, author, Visibility.PUBLIC, **fields), by=operator, approve=True
    )


# --- Who sees which lesson -------------------------------------------------------------------


def test_a_private_lesson_is_seen_by_its_author_only(client_as, programme, people):
    innovator = people[Role.INNOVATOR]
    private = lesson(programme, innovator, Visibility.PRIVATE, title="Min egen reflektion")
    page = f"/learning/programmes/{programme.pk}/"
    assert private.title in client_as(innovator).get(page).content.decode()
    for role in (Role.OPERATOR, Role.STEERING_GROUP, Role.OBSERVER):
        assert private.title not in client_as(people[role]).get(page).content.decode(), role
    api = client_as(people[Role.OPERATOR]).get(f"/api/programmes/{programme.pk}/lessons")
    assert [item["id"] for item in api.json()["items"]] == []
    mine = client_as(innovator).get(f"/api/programmes/{programme.pk}/lessons").json()
    assert [item["id"] for item in mine["items"]] == [private.pk]


def test_a_programme_lesson_is_seen_by_members_not_outsiders_nor_the_library(
    client_as, programme, people
):
    shared = lesson(programme, people[Role.NEEDS_OWNER], title="Delad med programmet")
    for role in (Role.OBSERVER, Role.INNOVATOR, Role.OPERATOR):
        content = client_as(people[role]).get(f"/learning/programmes/{programme.pk}/")
        assert shared.title in content.content.decode()
    assert (
        client_as(people["outsider"]).get(f"/learning/programmes/{programme.pk}/").status_code
        == 404
    )
    assert shared.title not in client_as(None).get("/portal/lessons/").content.decode()


def test_a_lesson_asked_to_be_public_reaches_the_library_only_when_approved(
    client_as, programme, people
):
    # Given a lesson an innovator asks to be public
    asked = lesson(programme, people[Role.INNOVATOR], Visibility.PUBLIC)
    assert asked.approval == Approval.REQUESTED
    visitor = client_as(None)
    # Then members see it, the library does not yet
    assert CONTENT["title"] not in visitor.get("/portal/lessons/").content.decode()
    assert (
        client_as(people[Role.OBSERVER])
        .get(f"/learning/programmes/{programme.pk}/")
        .content.decode()
        .count(CONTENT["title"])
        == 1
    )
    # When the operator approves it in the queue
    operator = client_as(people[Role.OPERATOR])
    queue = operator.get(f"/learning/programmes/{programme.pk}/approvals/")
    assert CONTENT["title"] in queue.content.decode()
    response = operator.post(f"/learning/lessons/{asked.pk}/decision/", {"decision": "approve"})
    assert response.status_code == 302
    # Then anyone finds it in the library, and it has left the queue
    asked.refresh_from_db()
    assert asked.approval == Approval.APPROVED
    assert asked.approval_decided_by == people[Role.OPERATOR]
    assert asked.approval_decided_at is not None
    assert CONTENT["title"] in client_as(None).get("/portal/lessons/").content.decode()
    queue = client_as(people[Role.OPERATOR]).get(f"/learning/programmes/{programme.pk}/approvals/")
    assert CONTENT["title"] not in queue.content.decode()
    # And signed-in people of other programmes may see it as well
    assert Lesson.objects.visible_to(people["outsider"]).filter(pk=asked.pk).exists()


def test_a_rejection_needs_a_reason_the_author_then_reads(client_as, programme, people):
    asked = lesson(programme, people[Role.INNOVATOR], Visibility.PUBLIC)
    operator = client_as(people[Role.OPERATOR])
    operator.post(f"/learning/lessons/{asked.pk}/decision/", {"decision": "reject", "note": " "})
    asked.refresh_from_db()
    assert asked.approval == Approval.REQUESTED  # nothing stored
    with pytest.raises(ValidationError, match="Say why"):
        services.decide(asked, by=people[Role.OPERATOR], approve=False)
    operator.post(
        f"/learning/lessons/{asked.pk}/decision/",
        {"decision": "reject", "note": "Namnet på skolan pekar ut eleverna."},
    )
    asked.refresh_from_db()
    assert asked.approval == Approval.REJECTED
    page = client_as(people[Role.INNOVATOR]).get(f"/learning/programmes/{programme.pk}/")
    assert "Namnet på skolan pekar ut eleverna." in page.content.decode()
    assert CONTENT["title"] not in client_as(None).get("/portal/lessons/").content.decode()


def test_only_a_lesson_awaiting_approval_can_be_decided(programme, people):
    shared = lesson(programme, people[Role.INNOVATOR])
    with pytest.raises(ValidationError, match="not awaiting approval"):
        services.decide(shared, by=people[Role.OPERATOR], approve=True)
    approved = public_lesson(programme, people[Role.INNOVATOR], people[Role.OPERATOR])
    with pytest.raises(ValidationError, match="not awaiting approval"):
        services.decide(approved, by=people[Role.OPERATOR], approve=False, note="Nej")


def test_only_operators_approve(programme, people):
    asked = lesson(programme, people[Role.INNOVATOR], Visibility.PUBLIC)
    for role in (Role.STEERING_GROUP, Role.INNOVATOR, Role.NEEDS_OWNER):
        with pytest.raises(PermissionDenied):
            services.decide(asked, by=people[role], approve=True)
    asked.refresh_from_db()
    assert asked.approval == Approval.REQUESTED


# --- Recording and editing -------------------------------------------------------------------


def test_a_member_records_a_lesson_with_the_form(client_as, programme, people):
    client = client_as(people[Role.REVIEWER])
    response = client.post(
        f"/learning/programmes/{programme.pk}/new/",
        {**CONTENT, "themes": "Rekrytering, unga", "visibility": "public"},
    )
    assert response.status_code == 302
    saved = Lesson.objects.get()
    assert saved.author == people[Role.REVIEWER]
    assert saved.approval == Approval.REQUESTED
    assert sorted(tag.name for tag in saved.themes.all()) == ["Rekrytering", "unga"]
    assert saved.phase == PhaseKind.IDENTIFY_AND_RECRUIT


def test_observers_may_not_record_lessons(client_as, programme, people):
    client = client_as(people[Role.OBSERVER])
    response = client.post(f"/learning/programmes/{programme.pk}/new/", CONTENT)
    assert response.status_code == 403
    api = client.post(
        f"/api/programmes/{programme.pk}/lessons", CONTENT, content_type="application/json"
    )
    assert api.status_code == 403
    assert not Lesson.objects.exists()


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client_as, programme, people):
    client = client_as(people[Role.INNOVATOR])
    response = client.post(
        f"/learning/programmes/{programme.pk}/new/",
        {**CONTENT, "what_we_learned": "  ", "visibility": "everyone", "phase": "9"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "what_we_learned" in form.errors
    assert "visibility" in form.errors
    assert "phase" in form.errors
    api = client.post(
        f"/api/programmes/{programme.pk}/lessons",
        {**CONTENT, "title": "", "visibility": "everyone"},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert set(api.json()["errors"]) >= {"title", "visibility"}
    with pytest.raises(ValidationError):
        services.create_lesson(
            programme, by=people[Role.INNOVATOR], **{**CONTENT, "what_happened": ""}
        )
    too_long = client.post(
        f"/api/programmes/{programme.pk}/lessons",
        {**CONTENT, "themes": ["Rekrytering", "x" * 61]},
        content_type="application/json",
    )
    assert too_long.status_code == 422
    assert "at most 60 characters" in too_long.json()["errors"]["themes"][0]
    assert not Lesson.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="learning.").exists()


def test_only_the_author_edits_a_lesson(client_as, programme, people):
    shared = lesson(programme, people[Role.INNOVATOR])
    assert (
        client_as(people[Role.OPERATOR]).get(f"/learning/lessons/{shared.pk}/edit/").status_code
        == 403
    )
    assert (
        client_as(people["outsider"]).get(f"/learning/lessons/{shared.pk}/edit/").status_code == 404
    )
    response = client_as(people[Role.INNOVATOR]).post(
        f"/learning/lessons/{shared.pk}/edit/",
        {**CONTENT, "title": "Ny rubrik", "themes": "Rekrytering", "visibility": "programme"},
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.title == "Ny rubrik"
    assert [tag.name for tag in shared.themes.all()] == ["Rekrytering"]


def test_changing_an_approved_lesson_asks_for_approval_again(client_as, programme, people):
    approved = public_lesson(programme, people[Role.INNOVATOR], people[Role.OPERATOR])
    # A save without changes keeps it in the library
    services.update_lesson(approved, by=people[Role.INNOVATOR], themes=CONTENT["themes"])
    approved.refresh_from_db()
    assert approved.approval == Approval.APPROVED
    services.update_lesson(
        approved, by=people[Role.INNOVATOR], what_we_learned="Något helt annat, med ett namn."
    )
    approved.refresh_from_db()
    assert approved.approval == Approval.REQUESTED
    assert approved.approval_decided_by is None
    assert CONTENT["title"] not in client_as(None).get("/portal/lessons/").content.decode()
    # Made private, it leaves the queue altogether
    services.update_lesson(approved, by=people[Role.INNOVATOR], visibility=Visibility.PRIVATE)
    approved.refresh_from_db()
    assert approved.approval == Approval.NOT_REQUESTED


# --- Audit -----------------------------------------------------------------------------------


def test_lessons_are_audited_and_private_text_stays_out_of_the_trail(client_as, programme, people):
    shared = lesson(programme, people[Role.INNOVATOR], Visibility.PUBLIC)
    services.decide(shared, by=people[Role.OPERATOR], approve=True)
    private = lesson(programme, people[Role.INNOVATOR], Visibility.PRIVATE, title="Hemligt")
    services.update_lesson(private, by=people[Role.INNOVATOR], what_happened="Ännu hemligare")
    actions = list(
        AuditEntry.objects.filter(programme=programme, action__startswith="learning.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "learning.lesson.created",
        "learning.lesson.approved",
        "learning.lesson.created",
        "learning.lesson.updated",
    ]
    history = client_as(people[Role.OPERATOR]).get(f"/programmes/{programme.pk}/history/")
    text = history.content.decode()
    assert "Lesson approved for the lessons library" in text
    assert "Hemligt" not in text and "hemligare" not in text
    entries = AuditEntry.objects.filter(object_id=str(private.pk), action__startswith="learning.")
    assert all("Hemligt" not in str(entry.changes) for entry in entries)


# --- Search and filters ----------------------------------------------------------------------


def test_the_library_finds_lessons_by_swedish_inflections_and_filters(client_as, programme, people):
    operator, author = people[Role.OPERATOR], people[Role.INNOVATOR]
    recruiting = public_lesson(programme, author, operator)
    data = public_lesson(
        programme,
        author,
        operator,
        title="Avtalet om personuppgifter dröjde",
        what_happened="Testet väntade sju veckor.",
        what_we_learned="Börja med dataskyddet tidigt.",
        phase=PhaseKind.TEST_ENVIRONMENT,
        themes=["Dataskydd"],
    )
    visitor = client_as(None)

    def titles(query):
        page = visitor.get("/portal/lessons/", query)
        assert page.status_code == 200
        return [lesson.title for lesson in page.context["page"]]

    assert titles({"q": "rekrytering"}) == [recruiting.title]  # "Rekryteringen"
    assert titles({"q": "personuppgift dröjde"}) == [data.title]
    assert titles({"q": "och"}) == []  # only stop words
    assert set(titles({})) == {recruiting.title, data.title}
    assert titles({"phase": PhaseKind.TEST_ENVIRONMENT}) == [data.title]
    theme = data.themes.get()
    assert titles({"theme": theme.pk}) == [data.title]
    assert titles({"q": "rekrytering", "theme": theme.pk}) == []
    api = visitor.get("/api/lessons/library", {"q": "dataskyddet", "phase": 2})
    assert api.status_code == 200
    assert [item["title"] for item in api.json()["items"]] == [data.title]
    assert "author_id" not in api.json()["items"][0]
    by_theme = visitor.get("/api/lessons/library", {"theme": "rekrytering"}).json()
    assert [item["id"] for item in by_theme["items"]] == [recruiting.pk]


def test_bad_filter_values_are_shown_not_500(db, client_as):
    response = client_as(None).get("/portal/lessons/", {"phase": "x", "theme": "999999"})
    assert response.status_code == 200
    assert response.context["filters"].errors.keys() == {"phase", "theme"}


def test_the_library_offers_only_themes_of_public_lessons(client_as, programme, people):
    public_lesson(programme, people[Role.INNOVATOR], people[Role.OPERATOR], themes=["Synlig"])
    lesson(programme, people[Role.INNOVATOR], themes=["Osynlig"])
    page = client_as(None).get("/portal/lessons/").content.decode()
    assert "Synlig" in page
    assert "Osynlig" not in page


# --- API -------------------------------------------------------------------------------------


def test_the_api_records_and_approves_a_lesson(client_as, programme, people):
    innovator = client_as(people[Role.INNOVATOR])
    created = innovator.post(
        f"/api/programmes/{programme.pk}/lessons",
        {**CONTENT, "visibility": "public"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["approval"] == "requested"
    assert sorted(body["themes"]) == sorted(CONTENT["themes"])
    refused = client_as(people[Role.STEERING_GROUP]).post(
        f"/api/lessons/{body['id']}/decision", {"approve": True}, content_type="application/json"
    )
    assert refused.status_code == 403
    unexplained = client_as(people[Role.OPERATOR]).post(
        f"/api/lessons/{body['id']}/decision", {"approve": False}, content_type="application/json"
    )
    assert unexplained.status_code == 422
    assert "note" in unexplained.json()["errors"]
    approved = client_as(people[Role.OPERATOR]).post(
        f"/api/lessons/{body['id']}/decision", {"approve": True}, content_type="application/json"
    )
    assert approved.status_code == 200
    assert approved.json()["approval"] == "approved"
    library = client_as(None).get("/api/lessons/library").json()
    assert [item["id"] for item in library["items"]] == [body["id"]]


# --- Demo ------------------------------------------------------------------------------------


def test_the_demo_lessons_cover_each_visibility(programme, people):
    lessons = add_lessons(programme)
    assert {lesson.visibility for lesson in lessons} == set(Visibility)
    assert Lesson.objects.public().count() == 1
    private = next(lesson for lesson in lessons if lesson.visibility == Visibility.PRIVATE)
    assert private.author == people[Role.INNOVATOR]


# --- Queries ---------------------------------------------------------------------------------


def _count(client, url, query=None) -> int:
    client.get(url, query or {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query or {})
    assert response.status_code == 200, url
    return len(queries)


def _grow(n, programme, author, operator):
    for i in range(n):
        public_lesson(
            programme, author, operator, title=f"Lärdom {i}", themes=[f"Tema {i}", "Rekrytering"]
        )
        lesson(programme, author, title=f"Programmets lärdom {i}", themes=[f"Tema {i}"])


def test_the_lesson_pages_do_not_grow_with_the_data(client_as, programme, people):
    operator, author = people[Role.OPERATOR], people[Role.INNOVATOR]
    _grow(2, programme, author, operator)
    pages = {
        "library": ("/portal/lessons/", None, None),
        "search": ("/portal/lessons/", {"q": "rekryteringen", "phase": 1}, None),
        "log": (f"/learning/programmes/{programme.pk}/", None, author),
        "api library": ("/api/lessons/library", {"q": "lärdom"}, None),
    }
    counts = {}
    for name, (url, query, user) in pages.items():
        counts[name] = _count(client_as(user), url, query)
    _grow(6, programme, factories.member(programme, Role.INNOVATOR), operator)
    for name, (url, query, user) in pages.items():
        assert _count(client_as(user), url, query) == counts[name], name
