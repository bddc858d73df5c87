"""File-upload questions: the type told from the content, files kept outside the web root and
served only to those who may see the application, nothing left behind by a refused change.

The files are real: a PDF with a cross-reference table, a PNG with its checksums, Office Open
XML and OpenDocument packages built with zipfile, a Windows program's MZ/PE header."""

import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from samskapa.accounts.models import ApiToken, Role
from samskapa.audit.models import AuditEntry
from samskapa.calls import services, uploads
from samskapa.calls.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    Call,
    QuestionKind,
)
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories

pytestmark = pytest.mark.django_db


# --- Real files ---


def pdf_bytes(text="Affärsplan") -> bytes:
    """A one-page PDF with a correct cross-reference table (opens in any reader)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'replace').decode()}) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream.encode()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def png_bytes() -> bytes:
    """A 1×1 RGB PNG with valid chunk checksums."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _zip(members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            stored = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=stored)
    return out.getvalue()


_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org'
    '/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
    '/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>'
)


def _content_types(part, main):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
        '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        f'ContentType="application/xml"/><Override PartName="/{part}" ContentType="application/'
        f'vnd.openxmlformats-officedocument.{main}"/></Types>'
    )


def docx_bytes() -> bytes:
    """A minimal Word document: the three parts Word needs to open it."""
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
        '.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Vår idé</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types("word/document.xml", "wordprocessingml.document.main+xml"),
            ),
            ("_rels/.rels", _RELS % "word/document.xml"),
            ("word/document.xml", document),
        ]
    )


def docm_bytes() -> bytes:
    """A macro-enabled Word document: another type than .docx, whatever its name."""
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types("word/document.xml", "wordprocessingml.document.main+xml").replace(
                    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    "vnd.ms-word.document.macroEnabled.main+xml",
                ),
            ),
            ("_rels/.rels", _RELS % "word/document.xml"),
            ("word/document.xml", "<w:document/>"),
            ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        ]
    )


def xlsx_bytes() -> bytes:
    workbook = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheets/></workbook>'
    )
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
            ),
            ("_rels/.rels", _RELS % "xl/workbook.xml"),
            ("xl/workbook.xml", workbook),
        ]
    )


def odt_bytes() -> bytes:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names'
        ':tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>'
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
        'names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:body><office:text/>'
        "</office:body></office:document-content>"
    )
    return _zip(
        [
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
        ]
    )


def exe_bytes() -> bytes:
    """The start of a Windows program: the MZ header, the DOS stub and a PE signature."""
    header = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    header += b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35 + struct.pack("<I", 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    body = bytes(header) + b"\x00" * (0x40 - len(header)) + stub
    return body + b"\x00" * (0x80 - len(body)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 400


def upload(name, content, content_type="application/pdf"):
    # The browser's Content-Type is whatever the client says: always "application/pdf" here,
    # to show it is not what decides.
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Fixtures ---


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-uploads"
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture
def department(programme, people):
    return programme.memberships.get(
        user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER
    ).department


@pytest.fixture
def challenge(programme, department):
    programme.needs_owners.add(department)
    return Challenge.objects.create(
        programme=programme,
        department=department,
        title="Ensamhet bland äldre",
        need="n",
        target_group="t",
        desired_effects="d",
        status=ChallengeStatus.PUBLISHED,
    )


def _call(programme, operator, challenge, *, blind=False, file_required=True):
    now = timezone.now()
    call = services.create_call(
        programme,
        by=operator,
        title="Utlysning med bilagor",
        eligibility="Alla",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        challenges=[challenge],
        blind_review=blind,
    )
    services.set_questions(
        call,
        [
            {"kind": QuestionKind.SHORT_TEXT, "label": "Idéns namn", "max_length": 50},
            {
                "kind": QuestionKind.FILE,
                "label": "Affärsplan",
                "required": file_required,
                "allowed_types": ["pdf", "docx", "odt"],
                "max_size_mb": 2,
            },
            {
                "kind": QuestionKind.FILE,
                "label": "Bild på teamet",
                "allowed_types": ["png", "jpeg"],
            },
        ],
        by=operator,
    )
    return call


@pytest.fixture
def call(programme, operator, challenge):
    return _call(programme, operator, challenge)


def _plan(call):
    return call.questions.get(label="Affärsplan")


def _photo(call):
    return call.questions.get(label="Bild på teamet")


def _name(call):
    return call.questions.get(kind=QuestionKind.SHORT_TEXT)


def _draft(call, applicant, files=None, **answers):
    return services.save_draft(
        services.application_for(call, applicant),
        by=applicant,
        answers={str(_name(call).pk): answers.get("name", "Fikarummet")},
        files=files or {},
        innovator_type="student",
    )


def _submitted_with_plan(call, applicant, name="Ada_Andersson_affarsplan.pdf"):
    application = _draft(call, applicant, files={_plan(call).pk: upload(name, pdf_bytes())})
    return services.submit_application(application, by=applicant)


# --- Telling the type from the content ---


@pytest.mark.parametrize(
    ("name", "content", "allowed", "kind"),
    [
        ("plan.pdf", pdf_bytes(), ["pdf"], "pdf"),
        ("PLAN.PDF", pdf_bytes(), ["pdf"], "pdf"),
        ("team.png", png_bytes(), ["png"], "png"),
        ("plan.docx", docx_bytes(), ["docx"], "docx"),
        ("budget.xlsx", xlsx_bytes(), ["xlsx"], "xlsx"),
        ("plan.odt", odt_bytes(), ["odt"], "odt"),
    ],
)
def test_real_files_are_recognised_by_their_content(name, content, allowed, kind):
    checked = uploads.inspect(upload(name, content, "text/plain"), allowed=allowed, max_mb=2)
    try:
        assert checked.kind.code == kind
        assert checked.size == len(content)
        assert checked.sha256 == hashlib.sha256(content).hexdigest()
        assert checked.original_name == name
    finally:
        checked.close()


@pytest.mark.parametrize(
    ("name", "content", "allowed", "reason"),
    [
        # a Windows program renamed to look like a PDF
        ("faktura.pdf", exe_bytes(), ["pdf"], "is not a type allowed here"),
        # ... and one that carries a PDF's markers inside (readers might open it; we don't)
        (
            "faktura.pdf",
            exe_bytes() + b"%PDF-1.4\n" + b"\x00" * 2000 + b"startxref\n0\n%%EOF\n",
            ["pdf"],
            "not a well-formed PDF",
        ),
        # a plain ZIP archive renamed .docx is not a Word document
        ("plan.docx", _zip([("plan.txt", "hej")]), ["docx"], "is not a type allowed here"),
        # a macro-enabled Word document renamed .docx
        ("plan.docx", docm_bytes(), ["docx"], "is not a type allowed here"),
        # a Word document where only spreadsheets are allowed
        ("plan.docx", docx_bytes(), ["xlsx"], "is not a type allowed here"),
        # a PNG renamed .pdf: an allowed type, but not what its name says
        ("plan.pdf", png_bytes(), ["pdf", "png"], "does not end in .png"),
        # a PDF without an extension
        ("plan", pdf_bytes(), ["pdf"], "does not end in .pdf"),
        # something that starts like a ZIP but is not one
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 200, ["docx"], "damaged"),
        # plain text is never one of the types
        ("plan.pdf", "Min affärsplan".encode() * 20, ["pdf"], "is not a type allowed here"),
        ("tom.pdf", b"", ["pdf"], "is empty"),
        ("stor.pdf", pdf_bytes() + b"%" * (2 * uploads.MB), ["pdf"], "larger than 2 MB"),
    ],
)
def test_disguised_wrong_empty_or_oversize_files_are_refused_by_name(
    name, content, allowed, reason, tmp_path
):
    with pytest.raises(ValidationError) as refused:
        uploads.inspect(upload(name, content), allowed=allowed, max_mb=2)
    message = " ".join(refused.value.messages)
    assert f"“{name}”" in message
    assert reason in message


def test_the_disguised_program_is_told_for_what_it_is():
    with pytest.raises(ValidationError) as refused:
        uploads.inspect(upload("faktura.pdf", exe_bytes()), allowed=["pdf"], max_mb=2)
    assert "Windows" in " ".join(refused.value.messages)
    assert "Allowed: PDF" in " ".join(refused.value.messages)


def test_a_zip_whose_defining_part_is_huge_is_refused_without_inflating_it():
    # 5 MB of zeros compress to a few kB: the check refuses by the declared size.
    bomb = _zip([("[Content_Types].xml", b"\x00" * (5 * uploads.MB)), ("x", "y")])
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="unusually large"):
        uploads.inspect(upload("plan.docx", bomb), allowed=["docx"], max_mb=2)


# --- Through the applicant's pages ---


def test_the_applicant_uploads_a_pdf_kept_privately_under_a_random_name(
    client_as, call, private_media
):
    applicant = factories.person()
    client = client_as(applicant)
    page = client.get(f"/calls/{call.pk}/apply/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Allowed: PDF, Word document (.docx), OpenDocument text (.odt); at most 2 MB." in page
    content = pdf_bytes()
    response = client.post(
        f"/calls/{call.pk}/apply/",
        {
            "innovator_type": "student",
            _name(call).field_name: "Fikarummet",
            _plan(call).field_name: upload("Ada Andersson affärsplan.pdf", content),
            "save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = ApplicationFile.objects.get()
    assert stored.original_name == "Ada Andersson affärsplan.pdf"
    assert stored.content_type == "application/pdf"
    assert (stored.size, stored.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    # On disk: under PRIVATE_MEDIA_ROOT, a random name, nothing of the applicant's
    [path] = stored_files(private_media)
    assert path.read_bytes() == content
    assert "Ada" not in str(path) and "aff" not in str(path)
    assert path.name.endswith(".pdf") and len(path.stem) == 32
    # The draft shows it on the next visit, with a way to replace or remove it
    page = client.get(f"/calls/{call.pk}/apply/").content.decode()
    assert "Ada Andersson affärsplan.pdf" in page
    assert "Choose a new file to replace it." in page
    assert f"{_plan(call).field_name}_remove" in page
    # Audited without the content
    entry = AuditEntry.objects.get(action="calls.application.created")
    assert "Ada Andersson affärsplan.pdf" in entry.changes["files"][1][str(_plan(call).pk)]


def test_a_disguised_program_is_refused_on_the_page_and_nothing_is_saved(
    client_as, call, private_media
):
    applicant = factories.person()
    client = client_as(applicant)
    # A draft saved earlier, with its answer
    client.post(
        f"/calls/{call.pk}/apply/",
        {"innovator_type": "student", _name(call).field_name: "Fikarummet", "save": "1"},
    )
    response = client.post(
        f"/calls/{call.pk}/apply/",
        {
            "innovator_type": "student",
            _name(call).field_name: "Nytt namn",
            _plan(call).field_name: upload("faktura.pdf", exe_bytes()),
            _photo(call).field_name: upload("team.png", png_bytes(), "image/png"),
            "save": "1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "“faktura.pdf” is not a type allowed here" in page
    assert "Nothing has been saved." in page
    assert "Files you chose this time were not kept: choose them again." in page
    assert "Nytt namn" in page  # what they typed is still in the form
    # Nothing of this request stored: no row, no file (not even the valid PNG), the draft as it was
    assert not ApplicationFile.objects.exists()
    assert stored_files(private_media) == []
    application = Application.objects.get()
    assert application.answers == {str(_name(call).pk): "Fikarummet"}


def test_a_file_over_the_ceiling_is_not_received_and_is_refused_by_name(
    client_as, call, private_media, settings
):
    settings.UPLOAD_MAX_MB = 1
    applicant = factories.person()
    response = client_as(applicant).post(
        f"/calls/{call.pk}/apply/",
        {
            "innovator_type": "student",
            _plan(call).field_name: upload("stor.pdf", pdf_bytes() + b"%" * (3 * uploads.MB)),
            "save": "1",
        },
    )
    assert response.status_code == 200
    assert "“stor.pdf” is larger than 1 MB, the most this question accepts." in (
        response.content.decode()
    )
    assert not ApplicationFile.objects.exists() and stored_files(private_media) == []


def test_the_ceiling_handler_stops_keeping_a_file_past_the_limit(settings):
    settings.UPLOAD_MAX_MB = 1
    handler = uploads.CeilingUploadHandler()
    handler.new_file("q_1", "stor.pdf", "application/pdf", None)
    chunk = b"x" * (256 * 1024)
    passed = [handler.receive_data_chunk(chunk, i * len(chunk)) for i in range(6)]
    assert passed[:4] == [chunk] * 4 and passed[4:] == [None, None]
    oversize = handler.file_complete(6 * len(chunk))
    assert oversize.oversize and oversize.name == "stor.pdf" and oversize.size == 0
    # Within the limit the next handler keeps the file
    handler.new_file("q_1", "liten.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(chunk, 0) == chunk
    assert handler.file_complete(len(chunk)) is None


def test_a_required_file_missing_blocks_submission_with_a_clear_message(client_as, call):
    applicant = factories.person()
    client = client_as(applicant)
    response = client.post(
        f"/calls/{call.pk}/apply/",
        {"innovator_type": "student", _name(call).field_name: "Fikarummet", "submit": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[_plan(call).field_name] == [
        "Upload a file for this question."
    ]
    assert not Application.objects.filter(status=ApplicationStatus.SUBMITTED).exists()
    # The service says the same when asked directly
    application = _draft(call, applicant)
    with pytest.raises(ValidationError) as refused:
        services.submit_application(application, by=applicant)
    assert refused.value.message_dict[_plan(call).field_name] == [
        "Upload a file for this question."
    ]
    # With the file stored in the draft, submitting needs no new upload
    _draft(call, applicant, files={_plan(call).pk: upload("plan.pdf", pdf_bytes())})
    response = client.post(
        f"/calls/{call.pk}/apply/",
        {"innovator_type": "student", _name(call).field_name: "Fikarummet", "submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_replacing_a_draft_file_removes_the_old_one(
    call, private_media, django_capture_on_commit_callbacks
):
    applicant = factories.person()
    with django_capture_on_commit_callbacks(execute=True):
        _draft(call, applicant, files={_plan(call).pk: upload("v1.pdf", pdf_bytes("v1"))})
    [first] = stored_files(private_media)
    with django_capture_on_commit_callbacks(execute=True):
        _draft(call, applicant, files={_plan(call).pk: upload("v2.docx", docx_bytes())})
    [second] = stored_files(private_media)
    assert second != first and not first.exists()
    assert ApplicationFile.objects.get().original_name == "v2.docx"
    entry = AuditEntry.objects.filter(action="calls.application.updated").latest("pk")
    before, after = entry.changes["files"]
    assert "v1.pdf" in before[str(_plan(call).pk)] and "v2.docx" in after[str(_plan(call).pk)]


def test_the_applicant_removes_a_file_from_the_draft(
    client_as, call, private_media, django_capture_on_commit_callbacks
):
    applicant = factories.person()
    _draft(call, applicant, files={_photo(call).pk: upload("team.png", png_bytes())})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(applicant).post(
            f"/calls/{call.pk}/apply/",
            {
                "innovator_type": "student",
                _name(call).field_name: "Fikarummet",
                f"{_photo(call).field_name}_remove": "on",
                "save": "1",
            },
        )
    assert response.status_code == 302
    assert not ApplicationFile.objects.exists() and stored_files(private_media) == []


def test_a_file_stored_in_a_transaction_that_rolls_back_is_removed(call, private_media):
    # As the apply page does it: save the draft with its file, then submit, in one
    # transaction. Submission fails (the second required file is missing), so the draft's
    # rows roll back, and so must the file already written to disk.
    _photo(call).__class__.objects.filter(pk=_photo(call).pk).update(required=True)
    applicant = factories.person()
    with pytest.raises(ValidationError), uploads.removed_on_error(), transaction.atomic():
        application = _draft(call, applicant, files={_plan(call).pk: upload("p.pdf", pdf_bytes())})
        assert len(stored_files(private_media)) == 1  # it was written
        services.submit_application(application, by=applicant)
    assert not Application.objects.exists() and not ApplicationFile.objects.exists()
    assert stored_files(private_media) == []


def test_a_refused_draft_stores_none_of_its_files(call, private_media):
    applicant = factories.person()
    with pytest.raises(ValidationError) as refused:
        _draft(
            call,
            applicant,
            files={
                _plan(call).pk: upload("plan.pdf", pdf_bytes()),
                _photo(call).pk: upload("team.png", docx_bytes()),
            },
        )
    assert set(refused.value.message_dict) == {_photo(call).field_name}
    assert not Application.objects.exists() and stored_files(private_media) == []


def test_files_go_only_to_the_calls_file_questions(call, private_media):
    applicant = factories.person()
    with pytest.raises(ValidationError, match="only for the file questions"):
        _draft(call, applicant, files={_name(call).pk: upload("plan.pdf", pdf_bytes())})
    assert stored_files(private_media) == []


# --- Served only to those who may see the application ---


def test_download_headers_and_content(client_as, call, operator):
    applicant = factories.person()
    application = _submitted_with_plan(call, applicant, name="Affärsplan 2026.pdf")
    stored = application.files.get()
    response = client_as(applicant).get(f"/calls/applications/{application.pk}/files/{stored.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Aff%C3%A4rsplan%202026.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The application's page links to it
    page = client_as(operator).get(f"/calls/applications/{application.pk}/").content.decode()
    assert f'href="/calls/applications/{application.pk}/files/{stored.pk}/"' in page


def test_download_follows_who_may_see_the_application(client_as, programme, call, people):
    applicant = factories.person()
    application = _submitted_with_plan(call, applicant)
    url = f"/calls/applications/{application.pk}/files/{application.files.get().pk}/"
    assert client_as(None).get(url).status_code == 302
    assert client_as(applicant).get(url).status_code == 200
    assert client_as(people[Role.OPERATOR]).get(url).status_code == 200
    for role in ("outsider", Role.STEERING_GROUP, Role.INNOVATOR, Role.OBSERVER):
        assert client_as(people[role]).get(url).status_code == 404, role
    assert client_as(factories.person()).get(url).status_code == 404
    # Needs owners of the call's department: only once the call has closed
    owner = people[Role.NEEDS_OWNER]
    assert client_as(owner).get(url).status_code == 404
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert client_as(owner).get(url).status_code == 200
    # Reviewers: only after declaring no conflict of interest
    reviewer = people[Role.REVIEWER]
    services.assign_reviewer(call, reviewer, by=people[Role.OPERATOR])
    assert client_as(reviewer).get(url).status_code == 404
    services.declare_conflict(application, by=reviewer, conflicted=False)
    assert client_as(reviewer).get(url).status_code == 200


def test_a_conflicted_reviewer_cannot_download(client_as, call, people):
    application = _submitted_with_plan(call, factories.person())
    reviewer = people[Role.REVIEWER]
    services.assign_reviewer(call, reviewer, by=people[Role.OPERATOR])
    services.declare_conflict(application, by=reviewer, conflicted=True)
    url = f"/calls/applications/{application.pk}/files/{application.files.get().pk}/"
    assert client_as(reviewer).get(url).status_code == 404


def test_a_file_is_reached_only_through_its_own_application(client_as, call, operator):
    mine = _submitted_with_plan(call, factories.person())
    theirs = _submitted_with_plan(call, factories.person())
    other_file = theirs.files.get()
    url = f"/calls/applications/{mine.pk}/files/{other_file.pk}/"
    assert client_as(mine.applicant).get(url).status_code == 404
    assert client_as(operator).get(url).status_code == 404


def test_drafts_files_are_the_applicants_own(client_as, call, operator):
    applicant = factories.person()
    draft = _draft(call, applicant, files={_plan(call).pk: upload("plan.pdf", pdf_bytes())})
    url = f"/calls/applications/{draft.pk}/files/{draft.files.get().pk}/"
    assert client_as(applicant).get(url).status_code == 200
    assert client_as(operator).get(url).status_code == 404


def test_blind_review_gives_files_neutral_names_and_warns_applicants(
    client_as, programme, operator, challenge, people
):
    blind = _call(programme, operator, challenge, blind=True)
    applicant = factories.person(full_name="Ada Andersson")
    page = client_as(applicant).get(f"/calls/{blind.pk}/apply/").content.decode()
    assert "reviewers do not see your name, but they do see your files" in page
    application = _submitted_with_plan(blind, applicant, name="Ada_Andersson_CV.pdf")
    stored = application.files.get()
    url = f"/calls/applications/{application.pk}/files/{stored.pk}/"
    reviewer = people[Role.REVIEWER]
    services.assign_reviewer(blind, reviewer, by=operator)
    services.declare_conflict(application, by=reviewer, conflicted=False)
    shown = client_as(reviewer).get(url)
    assert "Ada" not in shown["Content-Disposition"]
    assert f"application-{application.pk}-file-{stored.pk}.pdf" in shown["Content-Disposition"]
    page = client_as(reviewer).get(f"/calls/applications/{application.pk}/").content.decode()
    assert "Ada_Andersson_CV.pdf" not in page and f"application-{application.pk}-file" in page
    score_page = client_as(reviewer).get(f"/calls/reviews/{application.pk}/score/")
    assert "Ada_Andersson_CV.pdf" not in score_page.content.decode()
    # The operators and the applicant see the real name
    assert "Ada_Andersson_CV.pdf" in client_as(operator).get(url)["Content-Disposition"]
    assert "Ada_Andersson_CV.pdf" in client_as(applicant).get(url)["Content-Disposition"]


def test_stored_files_are_outside_the_static_files_and_under_no_url(call, private_media):
    application = _draft(
        call, factories.person(), files={_plan(call).pk: upload("p.pdf", pdf_bytes())}
    )
    stored = application.files.get()
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(Path(private_media).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for static in settings.STATICFILES_DIRS:
        assert not path.is_relative_to(Path(static).resolve())
    with pytest.raises(ValueError, match="not accessible via a URL"):
        stored.file.url  # noqa: B018 — the storage has no URL at all
    for prefix in ("/", "/media/", "/static/", "/private-uploads/", "/var/private-uploads/"):
        with pytest.raises(Resolver404):
            resolve(prefix + stored.file.name)


def test_the_default_private_folder_is_under_var_and_a_public_one_is_refused(tmp_path):
    base = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "t",
        "DJANGO_SETTINGS_MODULE": "samskapa.settings",
    }
    env.pop("PRIVATE_MEDIA_ROOT", None)
    show = "from django.conf import settings; print(settings.PRIVATE_MEDIA_ROOT)"
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {show}"],
        env=env,
        cwd=base,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str((base / "var" / "private-uploads").resolve())
    env["PRIVATE_MEDIA_ROOT"] = str(base / "var" / "staticfiles" / "uploads")
    refused = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=base,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "lies inside the static files" in refused.stderr


# --- The question editor ---


def _edit_data(call, challenge, **question):
    data = {
        "title": call.title,
        "eligibility": call.eligibility,
        "challenges": [challenge.pk],
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2036-04-01T12:00",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-0-ORDER": "1",
    }
    data.update({f"questions-0-{k}": v for k, v in question.items()})
    return data


def test_operator_adds_a_file_question_in_the_editor(client_as, programme, operator, challenge):
    call = _call(programme, operator, challenge)
    client = client_as(operator)
    page = client.get(f"/calls/{call.pk}/edit/").content.decode()
    assert "Allowed file types" in page and "Word document (.docx)" in page
    response = client.post(
        f"/calls/{call.pk}/edit/",
        _edit_data(
            call,
            challenge,
            label="Budget",
            kind="file",
            allowed_types=["xlsx", "pdf"],
            max_size_mb="5",
            required="on",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question = call.questions.get()
    assert (question.kind, question.allowed_types, question.max_size_mb) == (
        "file",
        ["xlsx", "pdf"],
        5,
    )
    entry = AuditEntry.objects.filter(action="calls.call.questions_changed").latest("pk")
    assert "File upload: Excel workbook (.xlsx), PDF, ≤ 5 MB" in str(entry.changes)


def test_a_file_question_needs_types_and_a_size_within_the_ceiling(
    client_as, programme, operator, challenge
):
    call = _call(programme, operator, challenge)
    response = client_as(operator).post(
        f"/calls/{call.pk}/edit/",
        _edit_data(call, challenge, label="Budget", kind="file", max_size_mb="500"),
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert errors["allowed_types"] == ["Choose at least one allowed file type."]
    assert errors["max_size_mb"] == [f"Give a size limit from 1 to {settings.UPLOAD_MAX_MB} MB."]
    # Empty size: the default
    services.set_questions(
        call, [{"kind": QuestionKind.FILE, "label": "CV", "allowed_types": ["pdf"]}], by=operator
    )
    assert call.questions.get().max_size_mb == uploads.DEFAULT_MAX_MB


def test_a_question_with_uploads_stays_a_file_question_and_deleting_it_removes_them(
    call, operator, private_media, django_capture_on_commit_callbacks
):
    _draft(call, factories.person(), files={_plan(call).pk: upload("p.pdf", pdf_bytes())})
    keep = [
        {"id": q.pk, **{f: getattr(q, f) for f in services.QUESTION_FIELDS}}
        for q in call.questions.all()
    ]
    keep[1]["kind"] = QuestionKind.LONG_TEXT
    with pytest.raises(ValidationError, match="must stay a file question"):
        services.set_questions(call, keep, by=operator)
    assert len(stored_files(private_media)) == 1
    # Removing the question removes its files (once the change commits)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_questions(call, [keep[0]], by=operator)
    assert not ApplicationFile.objects.exists() and stored_files(private_media) == []


# --- The API ---


def test_the_api_lists_file_metadata_and_downloads_with_a_token(client, call, operator):
    applicant = factories.person()
    application = _submitted_with_plan(call, applicant, name="plan.pdf")
    stored = application.files.get()
    _token, key = ApiToken.issue(applicant, "script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    items = client.get(f"/api/calls/{call.pk}/applications", **auth).json()["items"]
    [listed] = items[0]["files"]
    assert listed == {
        "id": stored.pk,
        "question_id": _plan(call).pk,
        "name": "plan.pdf",
        "content_type": "application/pdf",
        "size": len(pdf_bytes()),
        "sha256": hashlib.sha256(pdf_bytes()).hexdigest(),
        "uploaded_at": listed["uploaded_at"],
        "download_url": f"/api/applications/{application.pk}/files/{stored.pk}",
    }
    response = client.get(listed["download_url"], **auth)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    # Someone who may not see the application
    _token, other = ApiToken.issue(factories.person(), "script")
    denied = client.get(listed["download_url"], HTTP_AUTHORIZATION=f"Bearer {other}")
    assert denied.status_code == 404
    assert client.get(listed["download_url"]).status_code == 401
    assert client.get(f"/api/applications/{application.pk}/files/999999", **auth).status_code == 404


def test_the_api_withholds_file_names_under_blind_review(
    client_as, programme, operator, challenge, people
):
    blind = _call(programme, operator, challenge, blind=True)
    application = _submitted_with_plan(blind, factories.person(), name="Ada_CV.pdf")
    Call.objects.filter(pk=blind.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    owner = client_as(people[Role.NEEDS_OWNER])
    [item] = owner.get(f"/api/calls/{blind.pk}/applications").json()["items"]
    assert item["files"][0]["name"].startswith(f"application-{application.pk}-file-")
    response = owner.get(item["files"][0]["download_url"])
    assert response.status_code == 200 and "Ada" not in response["Content-Disposition"]
    [item] = client_as(operator).get(f"/api/calls/{blind.pk}/applications").json()["items"]
    assert item["files"][0]["name"] == "Ada_CV.pdf"


def test_the_api_list_of_applications_does_not_grow_in_queries_with_files(
    client_as, call, operator, django_assert_max_num_queries
):
    client = client_as(operator)
    _submitted_with_plan(call, factories.person())
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(f"/api/calls/{call.pk}/applications").json()["items"]) == 1
    for _ in range(4):
        _submitted_with_plan(call, factories.person())
    with django_assert_max_num_queries(len(one)):
        items = client.get(f"/api/calls/{call.pk}/applications").json()["items"]
    assert len(items) == 5 and all(len(item["files"]) == 1 for item in items)


def test_a_file_question_of_submitted_applications_cannot_be_removed(call, operator, private_media):
    _submitted_with_plan(call, factories.person())
    keep = [
        {"id": q.pk, **{f: getattr(q, f) for f in services.QUESTION_FIELDS}}
        for q in call.questions.all()
    ]
    without_plan = [keep[0], keep[2]]
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.set_questions(call, without_plan, by=operator)
    assert call.questions.count() == 3
    assert ApplicationFile.objects.count() == 1 and len(stored_files(private_media)) == 1


def test_a_reviewer_opens_the_file_from_the_score_page(client_as, call, operator, programme):
    application = _submitted_with_plan(call, factories.person())
    stored = application.files.get()
    reviewer = factories.member(programme, Role.REVIEWER)
    services.assign_reviewer(call, reviewer, by=operator)
    services.declare_conflict(application, by=reviewer, conflicted=False)
    client = client_as(reviewer)
    page = client.get(f"/calls/reviews/{application.pk}/score/").content.decode()
    link = f"/calls/applications/{application.pk}/files/{stored.pk}/"
    assert f'href="{link}"' in page
    assert client.get(link).status_code == 200
