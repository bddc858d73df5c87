"""The social business model canvas: who sees it, saving versions, the conflict when two people
edit at once (pages, API and the database's own guard), comparing versions word by word,
comments on blocks, the PDF of a version, every refusal, the audit trail, the demo, and a
constant number of queries on the canvas, compare and list pages."""

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.canvas import services
from samskapa.canvas.blocks import BLOCK_KEYS, BLOCK_MAX_LENGTH
from samskapa.canvas.diff import ADDED, EQUAL, REMOVED, Piece, word_diff
from samskapa.canvas.models import CanvasComment, CanvasVersion
from samskapa.environments.services import journey_for
from tests import factories

FIRST = {
    "customer_segments": "Kommunernas hemtjänst.",
    "value_propositions": "Sällskap för äldre genom frivilliga i närområdet.",
    "beneficiaries": "Äldre som lever i ofrivillig ensamhet.",
    "impact": "Minskad ensamhet.",
}


@pytest.fixture
def journey(programme, operator, people):
    """The journey of the programme's innovator (one of `people`)."""
    return journey_for(programme, people[Role.INNOVATOR], by=operator)


@pytest.fixture
def version1(journey, people):
    return services.save_version(
        journey, by=people[Role.INNOVATOR], blocks=FIRST, base_version=0, note="Första"
    )


def form_data(blocks, base_version, note=""):
    return {"base_version": base_version, "note": note} | {
        key: blocks.get(key, "") for key in BLOCK_KEYS
    }


# --- Who sees a canvas --------------------------------------------------------------------


def test_only_the_innovator_and_the_operators_see_the_canvas(
    client_as, programme, people, journey, version1
):
    other_innovator = factories.member(programme, Role.INNOVATOR)
    page, api = f"/canvas/journeys/{journey.pk}/", f"/api/journeys/{journey.pk}/canvas"
    for who in (people[Role.INNOVATOR], people[Role.OPERATOR]):
        client = client_as(who)
        assert client.get(page).status_code == 200
        assert client.get(api).json()["latest_version"]["number"] == 1
    nobody_else = [
        other_innovator,
        people[Role.STEERING_GROUP],
        people[Role.NEEDS_OWNER],
        people[Role.REVIEWER],
        people[Role.OBSERVER],
        people["outsider"],
    ]
    for who in nobody_else:
        client = client_as(who)
        for url in (
            page,
            api,
            f"/canvas/journeys/{journey.pk}/compare/",
            f"/canvas/journeys/{journey.pk}/versions/1/pdf/",
            f"/api/journeys/{journey.pk}/canvas/versions/1/comments",
        ):
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(f"/canvas/journeys/{journey.pk}/edit/", {}).status_code == 404


def test_the_list_shows_the_canvases_one_may_see(client_as, programme, people, journey, version1):
    other = journey_for(
        programme, factories.member(programme, Role.INNOVATOR), by=people["operator"]
    )
    mine = client_as(people[Role.INNOVATOR]).get("/canvas/").content.decode()
    assert f"/canvas/journeys/{journey.pk}/" in mine
    assert f"/canvas/journeys/{other.pk}/" not in mine
    operators = client_as(people[Role.OPERATOR]).get("/canvas/").content.decode()
    assert f"/canvas/journeys/{journey.pk}/" in operators
    assert f"/canvas/journeys/{other.pk}/" in operators
    steering = client_as(people[Role.STEERING_GROUP]).get("/canvas/").content.decode()
    assert f"/canvas/journeys/{journey.pk}/" not in steering


def test_services_check_permission_too(programme, people, journey, version1):
    for role in (Role.STEERING_GROUP, Role.OBSERVER, Role.NEEDS_OWNER):
        with pytest.raises(PermissionDenied):
            services.save_version(journey, by=people[role], blocks=FIRST, base_version=1)
        with pytest.raises(PermissionDenied):
            services.add_comment(version1, by=people[role], block="impact", text="Hej")


# --- Saving versions ----------------------------------------------------------------------


def test_every_save_is_a_new_immutable_version(client_as, people, journey, version1):
    client = client_as(people[Role.INNOVATOR])
    edit = client.get(f"/canvas/journeys/{journey.pk}/edit/")
    assert 'name="base_version" value="1"' in edit.content.decode()
    changed = FIRST | {"impact": "Minskad ensamhet, mätt med UCLA-skalan."}
    response = client.post(
        f"/canvas/journeys/{journey.pk}/edit/", form_data(changed, 1, "Efter workshopen")
    )
    assert response.status_code == 302
    versions = list(CanvasVersion.objects.filter(canvas__journey=journey).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].blocks["impact"] == "Minskad ensamhet."
    assert versions[1].blocks["impact"] == "Minskad ensamhet, mätt med UCLA-skalan."
    assert versions[1].author == people[Role.INNOVATOR]
    assert versions[1].note == "Efter workshopen"
    page = client.get(f"/canvas/journeys/{journey.pk}/").content.decode()
    assert "UCLA-skalan" in page
    old = client.get(f"/canvas/journeys/{journey.pk}/versions/1/").content.decode()
    assert "UCLA-skalan" not in old and "Not the latest version" in old
    assert client.get(f"/canvas/journeys/{journey.pk}/versions/9/").status_code == 404


def test_the_operator_starts_a_canvas_with_the_form(client_as, people, journey):
    client = client_as(people[Role.OPERATOR])
    assert "Start the canvas" in client.get(f"/canvas/journeys/{journey.pk}/").content.decode()
    response = client.post(f"/canvas/journeys/{journey.pk}/edit/", form_data(FIRST, 0))
    assert response.status_code == 302
    assert CanvasVersion.objects.get().author == people[Role.OPERATOR]


def test_saves_are_audited(people, journey, version1):
    services.save_version(
        journey,
        by=people[Role.OPERATOR],
        blocks=FIRST | {"impact": "Mer gemenskap."},
        base_version=1,
    )
    entries = AuditEntry.objects.filter(action="canvas.version.saved").order_by("pk")
    assert entries.count() == 2
    last = entries.last()
    assert last.changes["Impact / intended effect"] == ["Minskad ensamhet.", "Mer gemenskap."]
    assert last.changes["version"] == [1, 2]
    assert last.programme_id == journey.programme_id


# --- Two people editing at once ---------------------------------------------------------


def test_a_stale_save_is_refused_as_a_conflict_and_nothing_is_lost(
    client_as, people, journey, version1
):
    # Given the innovator and the operator both open version 1 for editing
    url = f"/canvas/journeys/{journey.pk}/edit/"
    # When the operator saves first
    operator_text = FIRST | {"impact": "Minskad ensamhet hos 200 äldre."}
    client_as(people[Role.OPERATOR]).post(url, form_data(operator_text, 1))
    # And the innovator saves based on version 1
    innovator = client_as(people[Role.INNOVATOR])
    typed = FIRST | {"impact": "Fler möten i vardagen.", "channels": "Biblioteken."}
    response = innovator.post(url, form_data(typed, 1, "Min ändring"))
    # Then it is refused as a conflict: nothing saved, both texts shown, theirs and yours
    assert response.status_code == 409
    assert CanvasVersion.objects.filter(canvas__journey=journey).count() == 2
    page = response.content.decode()
    assert "Someone saved a newer version of the canvas (version 2" in page
    assert "Minskad ensamhet hos 200 äldre." in page  # theirs
    conflict = response.context["conflict"]
    assert [row["block"].key for row in conflict["rows"]] == ["channels", "impact"]
    assert conflict["rows"][1]["theirs"] == "Minskad ensamhet hos 200 äldre."
    assert conflict["rows"][1]["yours"] == "Fler möten i vardagen."
    # What they typed is kept in the form, now based on the newest version
    form = response.context["form"]
    assert form["impact"].value() == "Fler möten i vardagen."
    assert form["note"].value() == "Min ändring"
    assert form["base_version"].value() == "2"
    # Saving again (based on version 2) goes through
    again = innovator.post(url, form_data(typed, 2, "Min ändring"))
    assert again.status_code == 302
    latest = services.latest_version(journey)
    assert latest.number == 3 and latest.blocks["impact"] == "Fler möten i vardagen."


def test_the_api_answers_a_stale_save_with_409_and_the_latest_number(
    client_as, people, journey, version1
):
    url = f"/api/journeys/{journey.pk}/canvas/versions"
    operator = client_as(people[Role.OPERATOR])
    ok = operator.post(
        url,
        {"base_version": 1, "blocks": FIRST | {"channels": "Vårdcentraler."}},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["number"] == 2
    stale = client_as(people[Role.INNOVATOR]).post(
        url,
        {"base_version": 1, "blocks": FIRST | {"impact": "Annat."}},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["latest_version"] == 2
    assert stale.json()["base_version"] == 1
    assert "newer version" in stale.json()["detail"]
    assert CanvasVersion.objects.count() == 2


def test_the_database_refuses_a_second_version_with_the_same_number(journey, version1):
    with pytest.raises(IntegrityError), transaction.atomic():
        CanvasVersion.objects.create(canvas=version1.canvas, number=1, blocks=FIRST)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize("row_lock", [True, False], ids=["row lock", "constraint only"])
def test_two_concurrent_saves_give_one_version_and_one_conflict(monkeypatch, row_lock):
    # Two people save based on version 1 at the same moment. With the row lock they take
    # turns and the second sees version 2; without it (the lock taken away) both pass the
    # check and the unique (canvas, number) constraint stops the second: a conflict either way.
    barrier = threading.Barrier(2, timeout=20)
    programme = factories.programme()
    operator = programme.memberships.get(role=Role.OPERATOR).user
    innovator = factories.person()
    journey = journey_for(programme, innovator, by=operator)
    services.save_version(journey, by=innovator, blocks=FIRST, base_version=0)
    if not row_lock:
        monkeypatch.setattr(services, "_lock", lambda journey: barrier.wait())
    outcomes = []

    def save(who, text):
        try:
            if row_lock:
                barrier.wait()
            services.save_version(journey, by=who, blocks=FIRST | {"impact": text}, base_version=1)
            outcomes.append("saved")
        except services.CanvasConflict:
            outcomes.append("conflict")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(innovator, "A")),
        threading.Thread(target=save, args=(operator, "B")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert list(
        CanvasVersion.objects.filter(canvas__journey=journey).values_list("number", flat=True)
    ) == [2, 1]


# --- Refusals ---------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    client_as, people, journey, version1
):
    client = client_as(people[Role.INNOVATOR])
    url = f"/canvas/journeys/{journey.pk}/edit/"
    too_long = FIRST | {"channels": "x" * (BLOCK_MAX_LENGTH + 1)}
    response = client.post(url, form_data(too_long, 1))
    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    unchanged = client.post(url, form_data(FIRST, 1))
    assert "Nothing has changed since version 1." in unchanged.content.decode()
    empty = client.post(url, form_data({}, 1))
    assert "Write something in at least one block." in empty.content.decode()
    future = client.post(url, form_data(FIRST | {"impact": "Ny"}, 7))
    assert "Version 7 of this canvas does not exist." in future.content.decode()
    assert CanvasVersion.objects.count() == 1


def test_the_api_refuses_bad_input_with_422(client_as, people, journey, version1):
    client = client_as(people[Role.INNOVATOR])
    url = f"/api/journeys/{journey.pk}/canvas/versions"

    def post(payload):
        return client.post(url, payload, content_type="application/json")

    unknown = post({"base_version": 1, "blocks": FIRST | {"mission": "Vi"}})
    assert unknown.status_code == 422
    assert "Not a block of the canvas: mission" in unknown.json()["errors"]["blocks"][0]
    long_note = post({"base_version": 1, "blocks": FIRST | {"impact": "Ny"}, "note": "n" * 301})
    assert long_note.status_code == 422 and "note" in long_note.json()["errors"]
    assert post({"base_version": 1, "blocks": FIRST}).status_code == 422
    assert post({"base_version": 1}).status_code == 422
    assert CanvasVersion.objects.count() == 1


def test_who_may_not_edit_gets_404_not_a_form(client_as, people, journey, version1):
    for role in (Role.STEERING_GROUP, Role.NEEDS_OWNER, Role.OBSERVER):
        client = client_as(people[role])
        assert client.get(f"/canvas/journeys/{journey.pk}/edit/").status_code == 404
        api = client.post(
            f"/api/journeys/{journey.pk}/canvas/versions",
            {"base_version": 1, "blocks": FIRST},
            content_type="application/json",
        )
        assert api.status_code == 404


# --- Comparing versions -----------------------------------------------------------------------


def test_word_diff_marks_removed_and_added_words():
    pieces = word_diff("Sällskap för äldre i staden.", "Sällskap för alla äldre i hela staden.")
    assert "".join(p.text for p in pieces if p.op != ADDED) == "Sällskap för äldre i staden."
    assert "".join(p.text for p in pieces if p.op != REMOVED) == (
        "Sällskap för alla äldre i hela staden."
    )
    assert [p.text.strip() for p in pieces if p.op == ADDED] == ["alla", "hela"]
    assert word_diff("", "Ny") == [Piece(ADDED, "Ny")]
    assert word_diff("Samma", "Samma") == [Piece(EQUAL, "Samma")]
    replaced = word_diff("Licens per kommun", "Abonnemang per kommun")
    assert replaced[:2] == [Piece(REMOVED, "Licens"), Piece(ADDED, "Abonnemang")]


def test_the_compare_page_highlights_what_changed(client_as, people, journey, version1):
    services.save_version(
        journey,
        by=people[Role.INNOVATOR],
        blocks=FIRST | {"value_propositions": "Sällskap för ensamma äldre genom frivilliga."},
        base_version=1,
    )
    client = client_as(people[Role.OPERATOR])
    response = client.get(f"/canvas/journeys/{journey.pk}/compare/")  # the last two by default
    page = response.content.decode()
    assert response.context["changed_count"] == 1
    assert '<ins><span class="visually-hidden">[added: </span> ensamma<span' in page
    assert '<del><span class="visually-hidden">[removed: </span>frivilliga i närområdet.' in page
    assert "1 block changed from version 1 to version 2." in page
    assert "Unchanged" in page and "Changed" in page
    reverse = client.get(f"/canvas/journeys/{journey.pk}/compare/?first=2&second=1")
    assert '<del><span class="visually-hidden">[removed: </span> ensamma<span' in (
        reverse.content.decode()
    )
    bad = client.get(f"/canvas/journeys/{journey.pk}/compare/?first=1&second=9")
    assert bad.status_code == 200 and bad.context["differences"] is None
    assert "Select a valid choice" in bad.content.decode()


def test_the_api_compares_two_versions(client_as, people, journey, version1):
    services.save_version(
        journey,
        by=people[Role.INNOVATOR],
        blocks=FIRST | {"impact": "Minskad ensamhet och bättre hälsa."},
        base_version=1,
    )
    client = client_as(people[Role.INNOVATOR])
    data = client.get(f"/api/journeys/{journey.pk}/canvas/compare?first=1&second=2").json()
    assert data["changed_blocks"] == ["impact"]
    impact = next(block for block in data["blocks"] if block["key"] == "impact")
    assert {"op": "added", "text": "och bättre hälsa."} in [
        {"op": p["op"], "text": p["text"].strip()} for p in impact["pieces"]
    ] or any(p["op"] == "added" and "hälsa" in p["text"] for p in impact["pieces"])
    assert impact["first"] == "Minskad ensamhet." and impact["changed"] is True
    missing = client.get(f"/api/journeys/{journey.pk}/canvas/compare?first=1&second=5")
    assert missing.status_code == 404
    versions = client.get(f"/api/journeys/{journey.pk}/canvas/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    one = client.get(f"/api/journeys/{journey.pk}/canvas/versions/1").json()
    assert one["blocks"]["impact"] == "Minskad ensamhet." and one["note"] == "Första"


# --- Comments ---------------------------------------------------------------------------------


def test_comments_are_listed_beside_their_block(client_as, people, journey, version1):
    operator = client_as(people[Role.OPERATOR])
    response = operator.post(
        f"/canvas/journeys/{journey.pk}/versions/1/comments/",
        {"block": "revenue_streams", "text": "Vem betalar under piloten?"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/versions/1/#block-revenue_streams")
    page = client_as(people[Role.INNOVATOR]).get(f"/canvas/journeys/{journey.pk}/").context
    rows = {row["block"].key: row for row in page["rows"]}
    [comment] = rows["revenue_streams"]["comments"]
    assert comment.text == "Vem betalar under piloten?"
    assert comment.author == people[Role.OPERATOR]
    assert AuditEntry.objects.filter(action="canvas.comment.added").count() == 1


def test_bad_comments_are_refused(client_as, people, journey, version1):
    client = client_as(people[Role.INNOVATOR])
    url = f"/canvas/journeys/{journey.pk}/versions/1/comments/"
    empty = client.post(url, {"block": "impact", "text": "  "})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    wrong = client.post(url, {"block": "mission", "text": "Hej"})
    assert "Select a valid choice" in wrong.content.decode()
    assert client.post(f"/canvas/journeys/{journey.pk}/versions/4/comments/", {}).status_code == 404
    api = f"/api/journeys/{journey.pk}/canvas/versions/1/comments"
    bad = client.post(api, {"block": "mission", "text": "Hej"}, content_type="application/json")
    assert bad.status_code == 422 and "Choose a block" in bad.json()["errors"]["block"][0]
    blank = client.post(api, {"block": "impact", "text": ""}, content_type="application/json")
    assert blank.status_code == 422 and "Write a comment." in blank.json()["errors"]["text"]
    with pytest.raises(ValidationError):
        services.add_comment(version1, by=people[Role.INNOVATOR], block="impact", text="x" * 2001)
    assert CanvasComment.objects.count() == 0


def test_the_api_lists_and_adds_comments(client_as, people, journey, version1):
    client = client_as(people[Role.INNOVATOR])
    url = f"/api/journeys/{journey.pk}/canvas/versions/1/comments"
    created = client.post(
        url, {"block": "impact", "text": "Hur mäter vi?"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["version"] == 1 and created.json()["author_id"] == people["innovator"].pk
    assert [c["text"] for c in client.get(url).json()] == ["Hur mäter vi?"]


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_a_version_exports_to_a_landscape_pdf(client_as, people, journey, version1):
    services.add_comment(
        version1, by=people[Role.OPERATOR], block="impact", text="Mät med UCLA-skalan."
    )
    for url in (
        f"/canvas/journeys/{journey.pk}/versions/1/pdf/",
        f"/api/journeys/{journey.pk}/canvas/versions/1/pdf",
    ):
        response = client_as(people[Role.INNOVATOR]).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text, reader = _pdf_text(response.content)
        assert "Kommunernas hemtjänst." in text
        assert "Customer segments" in text and "Use of surplus" in text
        assert "Mät med UCLA-skalan." in text
        box = reader.pages[0].mediabox
        assert box.width > box.height  # landscape A4
    assert (
        client_as(people[Role.INNOVATOR])
        .get(f"/canvas/journeys/{journey.pk}/versions/3/pdf/")
        .status_code
        == 404
    )


# --- Demo ----------------------------------------------------------------------------------------


def test_the_demo_canvas_has_three_versions_and_a_comment(programme, operator):
    from samskapa.core.demo_canvas import add_canvases

    add_canvases(programme)  # no demo innovator's journey: nothing happens
    assert CanvasVersion.objects.count() == 0
    ida = factories.person("innovator@demo.samskapa.se", full_name="Innovatör Ida Berg")
    journey = journey_for(programme, ida, by=operator)
    add_canvases(programme)
    versions = CanvasVersion.objects.filter(canvas__journey=journey).order_by("number")
    assert [v.number for v in versions] == [1, 2, 3]
    assert CanvasComment.objects.get().author == operator


# --- Queries -------------------------------------------------------------------------------------


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_history(journey, people, start, count):
    for number in range(start, start + count):
        version = services.save_version(
            journey,
            by=people[Role.INNOVATOR],
            blocks=FIRST | {"impact": f"Effekt {number}"},
            base_version=number - 1,
        )
        for block in ("impact", "channels"):
            services.add_comment(version, by=people[Role.OPERATOR], block=block, text="Bra")


def test_the_canvas_pages_do_not_grow_with_the_data(client_as, programme, people, journey):
    _more_history(journey, people, 1, 2)
    client = client_as(people[Role.OPERATOR])
    urls = [
        f"/canvas/journeys/{journey.pk}/",
        f"/canvas/journeys/{journey.pk}/compare/",
        f"/canvas/journeys/{journey.pk}/versions/1/",
        "/canvas/",
    ]
    before = [_count(client, url) for url in urls]
    _more_history(journey, people, 3, 6)
    for _ in range(5):
        other = journey_for(
            programme, factories.member(programme, Role.INNOVATOR), by=people["operator"]
        )
        services.save_version(other, by=other.innovator, blocks=FIRST, base_version=0)
    after = [_count(client, url) for url in urls]
    assert after == before


def test_the_full_demo_gives_the_demo_innovator_three_versions(db):
    from samskapa.core.demo import load_demo

    load_demo()
    versions = CanvasVersion.objects.filter(
        canvas__journey__innovator__email__startswith="innovator@"
    )
    assert sorted(versions.values_list("number", flat=True)) == [1, 2, 3]
    assert CanvasComment.objects.filter(version__in=versions).count() == 1


def test_the_canvas_is_linked_for_those_who_work_on_it(client_as, journey, people):
    canvas_url = f"/canvas/journeys/{journey.pk}/"
    for role in (Role.INNOVATOR, Role.OPERATOR):
        client = client_as(people[role])
        assert 'href="/canvas/"' in client.get("/dashboard/").content.decode(), role
        assert canvas_url in client.get(f"/journeys/{journey.pk}/").content.decode(), role
    steering = client_as(people[Role.STEERING_GROUP])
    assert 'href="/canvas/"' not in steering.get("/dashboard/").content.decode()
    journey_page = steering.get(f"/journeys/{journey.pk}/")
    assert journey_page.status_code == 200 and canvas_url not in journey_page.content.decode()
