"""Importing measurements from CSV and XLSX (impact/importing.py, its pages and its API): every
problem found with its row before anything is stored, all or nothing, no duplicates when a file
comes twice, Swedish spreadsheet habits, privacy, permissions, bounded queries."""

import csv
import io
import threading
import time
from datetime import date

import openpyxl
import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.impact import importing
from samskapa.impact.models import Frequency, ImportBatch, Measurement, MeasurementSource
from tests import factories
from tests.test_uploads import pdf_bytes

pytestmark = pytest.mark.django_db

# A valid personnummer (test number from Skatteverket's series).
IDENTITY_NUMBER = "19121212-1212"


@pytest.fixture
def innovator(people):
    return people[Role.INNOVATOR]


@pytest.fixture
def environment(programme, operator, innovator):
    return factories.environment(programme, by=operator, innovator=innovator)


@pytest.fixture
def lonely(environment):
    return factories.indicator(environment, name="Känner sig ensamma", frequency=Frequency.MONTHLY)


@pytest.fixture
def meetings(environment):
    return factories.indicator(environment, name="Träffar", frequency=Frequency.QUARTERLY)


def csv_file(text: str, name="matningar.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="matningar.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _day(i: int) -> str:
    """A day in the i-th quarter from 1950 (a period of its own for monthly and quarterly
    indicators alike)."""
    return date(1950 + i // 4, 3 * (i % 4) + 1, 1 + i % 28).isoformat()


def preview_of(upload, environment, by):
    pending = importing.receive(upload, environment=environment, by=by)
    return pending, importing.preview(pending, environment=environment)


def problems(preview):
    return [(p.row, p.column, p.code) for p in preview.problems]


# --- Preview: every problem with its row ---


def test_each_problem_is_found_with_its_row(environment, innovator, lonely, meetings):
    # Given a file with a good row and one of each problem
    text = (
        "indikator;period;värde;antal personer;kommentar\n"
        "Känner sig ensamma;2026-01;42,5;12;\n"  # 2: fine
        "Okänd indikator;2026-01;1;;\n"  # 3: unknown indicator
        "Träffar;januari 2026;3;;\n"  # 4: bad period
        "Träffar;2026-Q1;tre;;\n"  # 5: not a number
        "Känner sig ensamma;2026-02;40;;\n"  # 6: fine
        "känner sig ensamma;2026-02-01;41;;\n"  # 7: same indicator and period as row 6
        f"Träffar;2026-Q2;5;;Gäller {IDENTITY_NUMBER}\n"  # 8: identity number in a comment
        "Träffar;2026-Q3;5;-2;\n"  # 9: not a number of people
        ";2026-Q4;5;;\n"  # 10: no indicator
        "Träffar;;;;\n"  # 11: skipped (template row left unfilled)
    )
    # When it is previewed
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    # Then each problem is listed with its row and column, and nothing is stored
    assert problems(preview) == [
        (3, "indicator", "unknown_indicator"),
        (4, "period", "bad_period"),
        (5, "value", "bad_value"),
        (7, "period", "duplicate"),
        (8, "comment", "identity_number"),
        (9, "people", "bad_people"),
        (10, "indicator", "no_indicator"),
    ]
    assert preview.problem_count == 7 and not preview.ok
    assert preview.rows == 9 and preview.skipped == 1
    duplicate = preview.problems[3].message
    assert "row 6" in duplicate and "Känner sig ensamma" in duplicate
    assert IDENTITY_NUMBER not in " ".join(p.message for p in preview.problems)
    assert [row["row"] for row in preview.sample] == [2, 6]
    assert preview.sample[0]["value"] == 42.5 and preview.sample[0]["people"] == 12
    assert not Measurement.objects.exists() and not ImportBatch.objects.exists()


def test_a_missing_column_is_named(environment, innovator, lonely):
    _pending, preview = preview_of(
        csv_file("indicator,period\nKänner sig ensamma,2026-01\n"), environment, innovator
    )
    assert problems(preview) == [(1, "value", "missing_column")]
    assert "“value” is missing" in preview.problems[0].message


def test_an_empty_template_is_not_an_import(environment, innovator, lonely):
    _pending, preview = preview_of(
        csv_file("indicator;period;value\nKänner sig ensamma;;\n"), environment, innovator
    )
    assert problems(preview) == [(1, "", "no_rows")]


def test_only_the_first_200_problems_are_listed_and_all_counted(environment, innovator, lonely):
    rows = "".join(f"Känner sig ensamma;{_day(i)};x\n" for i in range(500))
    _pending, preview = preview_of(
        csv_file("indicator;period;value\n" + rows), environment, innovator
    )
    assert len(preview.problems) == 200 and preview.problem_count == 500
    assert preview.more_problems == 300


def test_periods_months_quarters_and_dates():
    assert importing.parse_period("2026-03") == date(2026, 3, 1)
    assert importing.parse_period("2026-Q2") == date(2026, 4, 1)
    assert importing.parse_period("2026 K4") == date(2026, 10, 1)
    assert importing.parse_period("2026-03-15") == date(2026, 3, 15)
    assert importing.parse_period("2026-03-15 00:00:00") == date(2026, 3, 15)
    for bad in ("2026-13", "2026-02-30", "2026-Q5", "15/3/2026", "1850-01"):
        assert importing.parse_period(bad) is None, bad


def test_numbers_with_decimal_comma_and_thousands_spaces():
    assert importing.parse_number("12,5") == 12.5
    assert importing.parse_number("1 234,5") == 1234.5
    assert importing.parse_number("1\u00a0234") == 1234.0
    assert importing.parse_number("-3.25") == -3.25
    for bad in ("tolv", "nan", "inf", "1_000", "1,2,3"):
        assert importing.parse_number(bad) is None, bad


# --- Swedish spreadsheet habits ---


def test_semicolons_decimal_comma_and_a_byte_order_mark(environment, innovator, lonely):
    text = "\ufeffIndikator;Period;Värde\r\nKänner sig ensamma;2026-01;12,5\r\n"
    pending, preview = preview_of(csv_file(text), environment, innovator)
    assert preview.ok and preview.delimiter == ";" and not preview.encoding_notice
    importing.commit(pending, environment=environment, by=innovator)
    stored = Measurement.objects.get()
    assert (stored.indicator, stored.period, stored.value) == (lonely, date(2026, 1, 1), 12.5)
    assert stored.source == MeasurementSource.IMPORT


def test_windows_1252_is_read_with_a_notice(environment, innovator):
    indicator = factories.indicator(environment, name="Åtgärder för äldre")
    text = "indikator;period;värde\nÅtgärder för äldre;2026-Q1;7\n"
    pending, preview = preview_of(csv_file(text, encoding="cp1252"), environment, innovator)
    assert preview.ok and preview.encoding_notice
    importing.commit(pending, environment=environment, by=innovator)
    assert Measurement.objects.get().indicator == indicator


def test_commas_and_an_indicator_by_id(environment, innovator, lonely):
    text = f'indicator,period,value,people\n{lonely.pk},2026-02,"3,5",8\n'
    pending, preview = preview_of(csv_file(text), environment, innovator)
    assert preview.ok and preview.delimiter == ","
    importing.commit(pending, environment=environment, by=innovator)
    assert Measurement.objects.get().value == 3.5


def test_xlsx_with_dates_numbers_and_a_bad_row(environment, innovator, lonely, meetings):
    rows = [
        ["indicator", "period", "value", "people"],
        ["Känner sig ensamma", date(2026, 1, 1), 40, 11],
        [meetings.pk, "2026-Q1", "2,5", None],
        ["Träffar", "2026-Q2", "många", None],
    ]
    pending, preview = preview_of(xlsx_file(rows), environment, innovator)
    assert problems(preview) == [(4, "value", "bad_value")]
    # Fixed, it imports
    rows[3][2] = 4
    pending, preview = preview_of(xlsx_file(rows), environment, innovator)
    assert preview.ok and preview.new == 3
    result = importing.commit(pending, environment=environment, by=innovator)
    assert result.new == 3 and result.batch.rows == 3
    assert sorted(Measurement.objects.values_list("value", "respondents")) == [
        (2.5, None),
        (4.0, None),
        (40.0, 11),
    ]


# --- Commit: all or nothing, never twice ---


def test_commit_is_all_or_nothing(environment, innovator, lonely):
    text = "indicator;period;value\nKänner sig ensamma;2026-01;1\nKänner sig ensamma;2026-02;x\n"
    pending, _preview = preview_of(csv_file(text), environment, innovator)
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(pending, environment=environment, by=innovator)
    assert refused.value.preview.problem_count == 1
    assert not Measurement.objects.exists() and not ImportBatch.objects.exists()
    assert not AuditEntry.objects.filter(action="impact.import.committed").exists()


def test_the_same_file_twice_does_not_duplicate(environment, innovator, operator, lonely):
    text = "indicator;period;value\nKänner sig ensamma;2026-01;1\nKänner sig ensamma;2026-02;2\n"
    pending, _preview = preview_of(csv_file(text), environment, innovator)
    first = importing.commit(pending, environment=environment, by=innovator)
    assert first.new == 2
    # The same file again: refused, with when and by whom
    pending, preview = preview_of(csv_file(text, name="igen.csv"), environment, operator)
    assert preview.already_imported == first.batch and not preview.ok
    assert innovator.full_name in preview.already_message
    with pytest.raises(importing.ImportRefused, match="already imported"):
        importing.commit(pending, environment=environment, by=operator)
    # Another file with the same values (and one more): only the new one is written
    other = text + "Känner sig ensamma;2026-03;3\n"
    pending, preview = preview_of(csv_file(other), environment, innovator)
    assert (preview.new, preview.changed, preview.unchanged) == (1, 0, 2)
    second = importing.commit(pending, environment=environment, by=innovator)
    assert (second.new, second.changed, second.unchanged) == (1, 0, 2)
    assert Measurement.objects.count() == 3
    assert set(Measurement.objects.values_list("import_batch", flat=True)) == {
        first.batch.pk,
        second.batch.pk,
    }
    assert AuditEntry.objects.filter(action="impact.import.committed").count() == 2


def test_a_different_value_replaces_the_stored_one(environment, innovator, lonely):
    Measurement.objects.create(indicator=lonely, period=date(2026, 1, 1), value=10)
    text = "indicator;period;value\nKänner sig ensamma;2026-01;12\n"
    pending, preview = preview_of(csv_file(text), environment, innovator)
    assert preview.ok and (preview.new, preview.changed) == (0, 1)
    assert preview.replacements[0]["old"] == 10 and preview.replacements[0]["new"] == 12
    result = importing.commit(pending, environment=environment, by=innovator)
    assert result.changed == 1
    stored = Measurement.objects.get()
    assert stored.value == 12 and stored.import_batch == result.batch


def test_new_replaced_and_unchanged_rows_are_counted_as_previewed(environment, innovator, lonely):
    # Given stored values for three months
    for month, value, people in ((1, 10, None), (2, 20, 8), (3, 30, 9)):
        Measurement.objects.create(
            indicator=lonely, period=date(2026, month, 1), value=value, respondents=people
        )
    # When a file keeps January, gives February another number of people, March another
    # value, and adds April
    text = (
        "indicator;period;value;people\n"
        "Känner sig ensamma;2026-01;10;\n"
        "Känner sig ensamma;2026-02;20;12\n"
        "Känner sig ensamma;2026-03;31,5;9\n"
        "Känner sig ensamma;2026-04;40;\n"
    )
    pending, preview = preview_of(csv_file(text), environment, innovator)
    assert (preview.new, preview.changed, preview.unchanged) == (1, 2, 1)
    result = importing.commit(pending, environment=environment, by=innovator)
    # Then the commit does what the preview said, and leaves January as it was
    assert (result.new, result.changed, result.unchanged) == (1, 2, 1)
    stored = {
        m.period.month: (m.value, m.respondents, m.import_batch_id)
        for m in Measurement.objects.all()
    }
    batch = result.batch.pk
    assert stored == {
        1: (10, None, None),
        2: (20, 12, batch),
        3: (31.5, 9, batch),
        4: (40, None, batch),
    }


def test_values_in_a_file_read_as_parse_number_reads_them(environment, innovator, lonely):
    cells = [
        "12,5",
        " 12,5 ",
        "1 234,5",
        "1\u00a0234",
        "-3.25",
        "1e3",
        "1,5e3",
        "7",
        "1_000",
        "1_000,5",
        "nan",
        "inf",
        "-infinity",
        "1,2,3",
        "1.234,5",
        "tolv",
        "'",
    ]
    lines = [f"Känner sig ensamma;{_day(i)};{cell}" for i, cell in enumerate(cells)]
    text = "indicator;period;value\n" + "\n".join(lines) + "\n"
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    expected_bad = [i + 2 for i, cell in enumerate(cells) if importing.parse_number(cell) is None]
    assert [row for row, _column, _code in problems(preview)] == expected_bad
    assert {code for _row, _column, code in problems(preview)} == {"bad_value"}
    good = [importing.parse_number(cell) for cell in cells]
    assert [s["value"] for s in preview.sample] == [v for v in good if v is not None][:10]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a concurrent insert needs PostgreSQL"
)
def test_a_value_entered_by_hand_during_the_commit_is_replaced(environment, innovator, lonely):
    # Given a preview of two new months
    text = "indicator;period;value\nKänner sig ensamma;2026-01;5\nKänner sig ensamma;2026-02;6\n"
    pending, _preview = preview_of(csv_file(text), environment, innovator)
    # And someone entering February by hand in another transaction, not yet committed
    other = psycopg.connect(**connection.get_connection_params())
    other.execute(
        "INSERT INTO impact_measurement (indicator_id, period, value, source, created_at) "
        "VALUES (%s, '2026-02-01', 99, 'manual', now())",
        [lonely.pk],
    )
    outcome = []

    def commit():
        try:
            outcome.append(importing.commit(pending, environment=environment, by=innovator))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcome.append(repr(error))
        finally:
            connection.close()

    thread = threading.Thread(target=commit)
    thread.start()
    # When the commit waits on that row (the plain INSERT) and the other transaction commits
    with psycopg.connect(**connection.get_connection_params()) as watcher:
        for _ in range(200):
            if watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                break
            time.sleep(0.05)
    other.commit()
    other.close()
    thread.join(30)
    # Then the import still succeeds: the hand-entered value is replaced, nothing is doubled
    (result,) = outcome
    assert (result.new, result.changed, result.unchanged) == (1, 1, 0), result
    stored = dict(Measurement.objects.values_list("period", "value"))
    assert stored == {date(2026, 1, 1): 5, date(2026, 2, 1): 6}


def test_a_file_changed_after_its_preview_is_refused(environment, innovator, lonely):
    pending, _preview = preview_of(
        csv_file("indicator;period;value\nKänner sig ensamma;2026-01;1\n"), environment, innovator
    )
    with open(pending.path, "a") as stored:
        stored.write("Känner sig ensamma;2026-02;999\n")
    with pytest.raises(Exception, match="changed since its preview"):
        importing.commit(pending, environment=environment, by=innovator)
    assert not Measurement.objects.exists()


def test_a_token_is_only_its_uploaders(environment, innovator, operator, lonely):
    pending, _preview = preview_of(
        csv_file("indicator;period;value\nKänner sig ensamma;2026-01;1\n"), environment, innovator
    )
    with pytest.raises(Exception, match="no longer waiting"):
        importing.pending_file(pending.token, environment=environment, by=operator)
    with pytest.raises(Exception, match="no longer waiting"):
        importing.pending_file("../../etc/passwd", environment=environment, by=innovator)


# --- Types and privacy ---


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.csv", pdf_bytes(), "its content is PDF"),
        ("bild.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "its content is PNG"),
        ("binar.csv", b"indicator;period;value\n\x00\x01\x02", "not a text file"),
        ("plan.pdf", pdf_bytes(), "not a CSV or XLSX file"),
        ("fake.xlsx", b"indicator;period;value\n", "not a type allowed here"),
        ("gammal.csv", b"\xd0\xcf\x11\xe0" + b"\x00" * 60, "Excel 97-2003"),
    ],
)
def test_a_file_of_another_type_is_refused(environment, innovator, name, content, message):
    with pytest.raises(Exception, match=message):
        importing.receive(SimpleUploadedFile(name, content), environment=environment, by=innovator)


def test_an_identity_number_in_an_unknown_indicator_is_not_echoed(environment, innovator, lonely):
    text = f"indicator;period;value\n{IDENTITY_NUMBER};2026-01;1\n"
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    assert problems(preview) == [(2, "indicator", "identity_number")]
    assert IDENTITY_NUMBER not in preview.problems[0].message


# --- Pages ---


def test_the_innovator_imports_through_the_pages(client_as, environment, innovator, lonely):
    client = client_as(innovator)
    page = client.get(f"/impact/imports/environments/{environment.pk}/")
    assert page.status_code == 200 and "Känner sig ensamma" in page.content.decode()
    upload = csv_file("indicator;period;value\nKänner sig ensamma;2026-01;12,5\n")
    response = client.post(f"/impact/imports/environments/{environment.pk}/", {"file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200 and "What the import will do" in page.content.decode()
    assert not Measurement.objects.exists()
    response = client.post(preview_url)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/impact/imports/{batch.pk}/"
    result = client.get(response["Location"]).content.decode()
    assert "Imported 1 rows" in result and "12.5" in result
    # The token is used up
    assert client.get(preview_url).status_code == 302


def test_the_preview_page_lists_problems_and_offers_no_import(
    client_as, environment, innovator, lonely
):
    client = client_as(innovator)
    upload = csv_file("indicator;period;value\nKänner sig ensamma;2026-01;tolv\n")
    response = client.post(f"/impact/imports/environments/{environment.pk}/", {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "“tolv” is not a number." in page and "nothing can be imported yet" in page
    # A commit posted anyway is refused and shows the preview again
    refused = client.post(response["Location"])
    assert refused.status_code == 422 and not Measurement.objects.exists()


def test_a_refused_upload_says_why(client_as, environment, innovator, lonely):
    client = client_as(innovator)
    upload = SimpleUploadedFile("plan.csv", pdf_bytes())
    response = client.post(f"/impact/imports/environments/{environment.pk}/", {"file": upload})
    assert response.status_code == 422 and "its content is PDF" in response.content.decode()


def test_templates_carry_the_indicators_and_import_once_filled(
    client_as, environment, innovator, lonely, meetings
):
    client = client_as(innovator)
    response = client.get(f"/impact/imports/environments/{environment.pk}/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "indicator;period;value;people;comment"
    filled = text.replace(";;;", ";7;;")
    pending, preview = preview_of(csv_file(filled), environment, innovator)
    assert preview.ok and preview.new == 2
    workbook = client.get(f"/impact/imports/environments/{environment.pk}/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "indicator",
        "Känner sig ensamma",
        "Träffar",
    ]
    swedish = client_as(innovator, language="sv").get(
        f"/impact/imports/environments/{environment.pk}/template.csv"
    )
    assert swedish.content.decode("utf-8-sig").startswith("indikator;period;värde")


def test_another_innovators_environment_answers_404(client_as, programme, operator, innovator):
    other = factories.environment(programme, by=operator)
    factories.indicator(other, name="Deras indikator")
    client = client_as(innovator)
    for url in (
        f"/impact/imports/environments/{other.pk}/",
        f"/impact/imports/environments/{other.pk}/template.csv",
        f"/api/environments/{other.pk}/impact-imports",
    ):
        assert client.get(url).status_code == 404, url
    upload = csv_file("indicator;period;value\nDeras indikator;2026-01;1\n")
    response = client.post(f"/impact/imports/environments/{other.pk}/", {"file": upload})
    assert response.status_code == 404 and not Measurement.objects.exists()


def test_the_host_needs_owner_sees_the_environment_but_may_not_import(
    client_as, programme, operator, people, innovator
):
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER]).department
    environment = factories.environment(
        programme, by=operator, innovator=innovator, challenge_=factories.challenge(programme, host)
    )
    client = client_as(people[Role.NEEDS_OWNER])
    assert client.get(f"/impact/imports/environments/{environment.pk}/").status_code == 403


def test_preview_queries_do_not_grow_with_rows(client_as, environment, innovator, lonely, meetings):
    client = client_as(innovator)

    def count(rows):
        names = ("Känner sig ensamma", "Träffar")
        body = "".join(f"{names[i % 2]};{_day(i)};{i}\n" for i in range(rows))
        upload = csv_file("indicator;period;value\n" + body)
        location = client.post(f"/impact/imports/environments/{environment.pk}/", {"file": upload})[
            "Location"
        ]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(location).status_code == 200
        return len(queries)

    small = count(3)
    Measurement.objects.bulk_create(
        Measurement(indicator=lonely, period=date(2000, 1, 1).fromordinal(730000 + i), value=i)
        for i in range(300)
    )
    large = count(3000)
    # Session, user, permissions (two: the second-factor check), roles, departments, the test
    # environment, the same-file check, the stored measurements, the indicators.
    assert small == large <= 10


# --- API ---


def test_the_api_previews_and_commits(client_as, environment, innovator, lonely):
    client = client_as(innovator)
    url = f"/api/environments/{environment.pk}/impact-imports"
    text = "indicator;period;value\nKänner sig ensamma;2026-01;1\nKänner sig ensamma;2026-02;x\n"
    data = client.post(url, {"file": csv_file(text)}).json()
    assert data["problem_count"] == 1 and data["problems"][0]["row"] == 3
    refused = client.post(f"{url}/{data['token']}/commit")
    assert refused.status_code == 409 and refused.json()["preview"]["problem_count"] == 1
    fixed = text.replace(";x", ";2")
    data = client.post(url, {"file": csv_file(fixed)}).json()
    assert data["ok"] and data["new"] == 2
    committed = client.post(f"{url}/{data['token']}/commit")
    assert committed.status_code == 201 and committed.json()["new"] == 2
    assert client.post(f"{url}/{data['token']}/commit").status_code == 422
    again = client.post(url, {"file": csv_file(fixed)}).json()
    assert again["already_imported"]["batch_id"] == committed.json()["id"]
    assert client.post(f"{url}/{again['token']}/commit").status_code == 409
    assert [batch["rows"] for batch in client.get(url).json()] == [2]
    assert Measurement.objects.count() == 2


def test_the_api_refuses_another_type(client_as, environment, innovator):
    client = client_as(innovator)
    url = f"/api/environments/{environment.pk}/impact-imports"
    response = client.post(url, {"file": SimpleUploadedFile("plan.csv", pdf_bytes())})
    assert response.status_code == 422 and "PDF" in response.json()["errors"]["file"][0]


# --- Review of issue 6: identity numbers, extra columns, periods, formulas, refused files ---

# Skatteverket's test number 811218-9876, as people type it into a number column.
AS_NUMBERS = ("198112189876", "8112189876", "19811218 9876")


def test_an_identity_number_in_the_file_name_is_refused_unechoed(environment, innovator, lonely):
    # Given a file named after a person
    upload = csv_file(
        "indicator;period;value\nKänner sig ensamma;2026-01;1\n", name=f"{IDENTITY_NUMBER}.csv"
    )
    # When it is uploaded, Then it is refused without repeating the number, and nothing is kept
    with pytest.raises(importing.ValidationError) as refused:
        importing.receive(upload, environment=environment, by=innovator)
    assert "file name" in refused.value.messages[0]
    assert IDENTITY_NUMBER not in refused.value.messages[0]
    with pytest.raises(importing.ValidationError):
        importing.import_file(
            __file__,
            kind="csv",
            filename=f"x {IDENTITY_NUMBER}.csv",
            sha256="0" * 64,
            environment=environment,
            by=innovator,
        )
    assert (
        not ImportBatch.objects.exists()
        and not AuditEntry.objects.filter(action="impact.import.committed").exists()
    )


def test_identity_numbers_typed_as_numbers_are_refused_with_their_row(
    environment, innovator, lonely, meetings
):
    # Given identity numbers as values, as people and as a period, and a large ordinary value
    text = "indicator;period;value;people\n"
    for i, number in enumerate(AS_NUMBERS):
        text += f"Känner sig ensamma;2026-0{i + 1};{number};\n"  # rows 2-4: value
    text += "Träffar;2026-Q1;3;8112189876\n"  # row 5: people
    text += "Träffar;198112189876;3;\n"  # row 6: period
    text += "Träffar;2026-Q2;1234567890;\n"  # row 7: an ordinary number (no valid date)
    # When it is previewed
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    # Then each is reported as an identity number, by row, never echoed
    assert problems(preview) == [
        (2, "value", "identity_number"),
        (3, "value", "identity_number"),
        (4, "value", "identity_number"),
        (5, "people", "identity_number"),
        (6, "period", "identity_number"),
    ]
    shown = " ".join(p.message for p in preview.problems)
    assert not any(number in shown for number in AS_NUMBERS)
    # And from a workbook, where they are numbers
    rows = [
        ["indicator", "period", "value", "people"],
        ["Känner sig ensamma", "2026-01", 198112189876, None],
        ["Träffar", "2026-Q1", 3, 8112189876],
        ["Träffar", "2026-Q2", 1234567890, None],
    ]
    _pending, preview = preview_of(xlsx_file(rows), environment, innovator)
    assert problems(preview) == [(2, "value", "identity_number"), (3, "people", "identity_number")]


@pytest.mark.parametrize(
    ("header", "extra"),
    [("indicator;period;value;year", "2026"), ("indicator;period;value;källa", "SCB")],
)
def test_an_unknown_column_is_ignored_and_never_read_as_people(
    environment, innovator, lonely, header, extra
):
    # Given a file with a column the import does not read, and a row longer than the header
    name = header.rsplit(";", 1)[1]
    text = (
        f"{header}\nKänner sig ensamma;2026-01;4;{extra}\nKänner sig ensamma;2026-02;5;{extra};9\n"
    )
    # When it is previewed
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    # Then the rows are fine, nobody's count is taken from it, and the preview says so
    assert preview.ok, problems(preview)
    assert [row["people"] for row in preview.sample] == [None, None]
    assert preview.ignored_columns == [name]
    assert preview.as_data()["ignored_columns"] == [name]


def test_an_unknown_column_is_named_on_the_preview_page(client_as, environment, innovator, lonely):
    client = client_as(innovator)
    text = "indicator;period;value;year\nKänner sig ensamma;2026-01;4;2026\n"
    page = client.post(
        f"/impact/imports/environments/{environment.pk}/", {"file": csv_file(text)}, follow=True
    )
    assert "“year” is not one the import reads" in page.content.decode()


def test_periods_are_counted_as_the_indicator_counts_them(environment, innovator, lonely, meetings):
    # Given a quarterly indicator given a quarter and a day in it, and a monthly one a day
    text = (
        "indicator;period;value\n"
        "Träffar;2032-Q2;5\n"
        "Träffar;2032-05-15;6\n"  # the same quarter: a duplicate
        "Känner sig ensamma;2032-03-15;7\n"
    )
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    assert problems(preview) == [(3, "period", "duplicate")]
    assert "2032-04-01" in preview.problems[0].message
    # When the day alone is imported, Then it is stored as its period's first day
    text = "indicator;period;value\nTräffar;2032-05-15;6\nKänner sig ensamma;2032-03-15;7\n"
    pending, preview = preview_of(csv_file(text), environment, innovator)
    assert preview.ok and [row["period"] for row in preview.sample] == [
        date(2032, 4, 1),
        date(2032, 3, 1),
    ]
    importing.commit(pending, environment=environment, by=innovator)
    assert sorted(Measurement.objects.values_list("period", flat=True)) == [
        date(2032, 3, 1),
        date(2032, 4, 1),
    ]
    # And the quarter written as such is then unchanged, not a second value
    text = "indicator;period;value\nTräffar;2032-Q2;6\n"
    _pending, preview = preview_of(csv_file(text), environment, innovator)
    assert preview.ok and preview.unchanged == 1 and preview.new == 0


def test_the_templates_keep_a_formula_like_name_as_text(client_as, environment, innovator):
    # Given an indicator whose name a spreadsheet would run as a formula
    name = '=HYPERLINK("https://example.com","x")'
    factories.indicator(environment, name=name, frequency=Frequency.MONTHLY)
    client = client_as(innovator)
    # When the templates are downloaded
    text = client.get(f"/impact/imports/environments/{environment.pk}/template.csv").content.decode(
        "utf-8-sig"
    )
    workbook = client.get(f"/impact/imports/environments/{environment.pk}/template.xlsx")
    # Then the CSV keeps it as text with an apostrophe, the workbook as a text cell
    assert next(csv.reader(text.splitlines()[1:], delimiter=";"))[0] == "'" + name
    cell = openpyxl.load_workbook(io.BytesIO(workbook.content)).active["A2"]
    assert cell.value == name and cell.data_type == "s"
    # And the CSV template, filled, imports into that indicator
    filled = text.replace(";;;", ";7;;")
    _pending, preview = preview_of(csv_file(filled), environment, innovator)
    assert preview.ok, problems(preview)


def test_a_file_with_an_identity_number_is_removed_at_once(environment, innovator, lonely):
    # Given an upload whose comment identifies someone
    text = f"indicator;period;value;comment\nKänner sig ensamma;2026-01;1;{IDENTITY_NUMBER}\n"
    pending, preview = preview_of(csv_file(text), environment, innovator)
    # Then its preview removed it from storage, note and all
    assert preview.discarded and preview.as_data()["discarded"]
    assert not importing.uploads.private_storage.exists(pending.stored_name)
    assert not importing.uploads.private_storage.exists(pending.note_name)
    with pytest.raises(importing.ValidationError):
        importing.pending_file(pending.token, environment=environment, by=innovator)


def test_every_preview_sweeps_stale_uploads(environment, innovator, lonely):
    import os

    # Given an upload left for two days
    text = "indicator;period;value\nKänner sig ensamma;2026-01;1\n"
    fresh = importing.receive(csv_file(text + "\n"), environment=environment, by=innovator)
    old = importing.receive(csv_file(text), environment=environment, by=innovator)
    two_days_ago = time.time() - 48 * 3600
    # When another upload is previewed (nothing uploaded anew)
    for name in (old.stored_name, old.note_name):
        os.utime(importing.uploads.private_storage.path(name), (two_days_ago, two_days_ago))
    importing.preview(fresh, environment=environment)
    # Then the old one is gone, the previewed one kept
    assert not importing.uploads.private_storage.exists(old.stored_name)
    assert importing.uploads.private_storage.exists(fresh.stored_name)


def test_measurements_have_one_index_by_indicator_not_two():
    # The unique (indicator, period) index serves look-ups by indicator: no second one to
    # keep up to date on every imported row.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Measurement._meta.db_table)
    by_indicator = [
        c["columns"]
        for c in constraints.values()
        if (c["index"] or c["unique"]) and c["columns"][:1] == ["indicator_id"]
    ]
    assert by_indicator == [["indicator_id", "period"]]
