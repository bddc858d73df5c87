"""Applicants' uploaded files: what types may come in, how their content is told, where they
are kept, and how nothing is left behind when a change is refused or rolled back.

* The type is read from the content (`puremagic`, pure Python; see
  docs/adr/0006-uploaded-files.md), never from the name or the browser's Content-Type. It must
  be among the question's allowed types *and* agree with the file's extension.
* The three ZIP-based types (.docx, .xlsx, .odt) are confirmed from the part that defines the
  format ([Content_Types].xml's main part, or ODF's `mimetype`), so a plain ZIP or a damaged
  package never passes as a document.
* Files live in `settings.PRIVATE_MEDIA_ROOT`, outside the web root, under random names. No
  URL reaches them: the download views check permissions and stream them.
"""

import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.cache import patch_cache_control
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MB = 1024 * 1024
DEFAULT_MAX_MB = 10  # a new file question's size limit, unless the ceiling is lower


def ceiling_mb() -> int:
    """The largest file any question may accept (settings.UPLOAD_MAX_MB)."""
    return settings.UPLOAD_MAX_MB


def default_max_mb() -> int:
    return min(DEFAULT_MAX_MB, ceiling_mb())


# --- The types an operator can allow ---


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str
    mime: str
    extensions: tuple[str, ...]
    # How the file must begin. puremagic's deep scan finds a PDF marker anywhere near the start,
    # so a program that merely carries "%PDF-" would pass without this.
    signature: bytes
    # For ZIP-based formats: (member, bytes it must contain) defining the format.
    defining_part: tuple[str, bytes] | None = None

    @property
    def extension(self) -> str:
        return self.extensions[0]


_OOXML = "[Content_Types].xml"
FILE_KINDS = {
    kind.code: kind
    for kind in [
        FileKind("pdf", _("PDF"), "application/pdf", (".pdf",), b"%PDF-"),
        FileKind(
            "docx",
            _("Word document (.docx)"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            b"PK\x03\x04",
            (_OOXML, b"wordprocessingml.document.main+xml"),
        ),
        FileKind(
            "odt",
            _("OpenDocument text (.odt)"),
            "application/vnd.oasis.opendocument.text",
            (".odt",),
            b"PK\x03\x04",
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ),
        FileKind(
            "xlsx",
            _("Excel workbook (.xlsx)"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            b"PK\x03\x04",
            (_OOXML, b"spreadsheetml.sheet.main+xml"),
        ),
        FileKind("png", _("PNG image"), "image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
        FileKind("jpeg", _("JPEG image"), "image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    ]
}
FILE_KIND_CHOICES = [(kind.code, kind.label) for kind in FILE_KINDS.values()]

ZIP_SIGNATURE = b"PK\x03\x04"
# The parts read to tell a ZIP-based format; a package declaring them bigger is refused, so a
# crafted archive cannot make the check inflate gigabytes.
_ZIP_PARTS_READ = (_OOXML, "mimetype", "docProps/app.xml")
_ZIP_PART_LIMIT = MB


def kinds_label(codes) -> str:
    return ", ".join(str(FILE_KINDS[code].label) for code in codes if code in FILE_KINDS)


def accept_attribute(codes) -> str:
    """For the browser's file chooser (a hint only: the server decides)."""
    kinds = [FILE_KINDS[code] for code in codes if code in FILE_KINDS]
    return ",".join([*(ext for kind in kinds for ext in kind.extensions), *(k.mime for k in kinds)])


# --- Where files are kept ---


@deconstructible(path="samskapa.calls.uploads.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use, so tests can point it at a
    temporary folder), with no URL: `url()` raises, so no template can link to a file
    directly; they are served only by the permission-checked download views."""

    def __init__(self):
        super().__init__()

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


private_storage = PrivateStorage()


def stored_name(kind: FileKind) -> str:
    """A random name (never the applicant's): two levels of folders, then 32 hex digits and
    the extension of the type the content was found to be."""
    token = secrets.token_hex(16)
    return f"applications/{token[:2]}/{token}{kind.extension}"


# --- Refusing oversize uploads while they stream in ---


class OversizeUpload(SimpleUploadedFile):
    """Stands in for a file that passed the ceiling while it was being received: its content
    was not kept. `received` is how many bytes had arrived when reception stopped."""

    oversize = True

    def __init__(self, name, received):
        super().__init__(name, b"", content_type="application/octet-stream")
        self.received = received


class CeilingUploadHandler(FileUploadHandler):
    """First in settings.FILE_UPLOAD_HANDLERS: stops keeping a file once it passes
    settings.UPLOAD_MAX_MB, so a huge upload neither fills the disk nor the memory; the
    service then refuses it by name. (The reverse proxy caps the whole request.)"""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > ceiling_mb() * MB:
            self.over = True
        return None if self.over else raw_data

    def file_complete(self, file_size):
        if self.over:
            return OversizeUpload(self.file_name, self.received)
        return None  # the next handler (memory or temporary file) holds it


# --- Telling what a file is ---


@dataclass
class Inspected:
    """An upload that passed every check, as a neutral-named temporary copy that is what gets
    stored (the bytes that were checked are the bytes that are kept)."""

    original_name: str
    kind: FileKind
    size: int
    sha256: str
    copy: tempfile._TemporaryFileWrapper

    def close(self):
        self.copy.close()


def original_name(upload) -> str:
    """The name as the applicant's computer had it: the last path part, printable only."""
    name = PurePath(str(upload.name or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "file"


def inspect(upload, *, allowed, max_mb: int) -> Inspected:
    """Check an upload against a question's allowed types and size limit, or raise a
    ValidationError naming the file and the reason. The caller closes what it gets back."""
    name = original_name(upload)
    limit = min(max_mb or default_max_mb(), ceiling_mb()) * MB
    if getattr(upload, "oversize", False):
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB, the most this question accepts.")
            % {"name": name, "max": limit // MB}
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s: larger than %(max)s MB, the most this question accepts.")
            % {"name": name, "size": filesizeformat(upload.size), "max": limit // MB}
        )
    copy, size, digest = _neutral_copy(upload)
    try:
        kind, found = _sniff(copy.name)
        allowed_kinds = [FILE_KINDS[code] for code in allowed if code in FILE_KINDS]
        if kind is None or kind not in allowed_kinds:
            raise ValidationError(
                _(
                    "“%(name)s” is not a type allowed here: its content is %(found)s. "
                    "Allowed: %(allowed)s."
                )
                % {"name": name, "found": found, "allowed": kinds_label(allowed)}
            )
        extension = PurePath(name).suffix.lower()
        if extension not in kind.extensions:
            raise ValidationError(
                _(
                    "“%(name)s” is a %(kind)s, but its name does not end in %(expected)s. "
                    "Check that you chose the right file, or rename it."
                )
                % {"name": name, "kind": kind.label, "expected": " / ".join(kind.extensions)}
            )
    except BaseException:
        copy.close()
        raise
    return Inspected(original_name=name, kind=kind, size=size, sha256=digest, copy=copy)


def _neutral_copy(upload):
    """A temporary copy named without the applicant's name or extension (so that nothing of the
    name can sway the sniffing), with its size and SHA-256."""
    copy = tempfile.NamedTemporaryFile(  # noqa: SIM115 — Inspected.close() closes it
        prefix="samskapa-", suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
        copy.write(chunk)
    copy.flush()
    copy.seek(0)
    return copy, size, digest.hexdigest()


def _sniff(path) -> tuple[FileKind | None, str]:
    """(the kind the content is, or None; a description of what it was found to be)."""
    with open(path, "rb") as stream:
        head = stream.read(16)
    is_zip = head.startswith(ZIP_SIGNATURE)
    if is_zip:
        problem = _zip_problem(path)
        if problem:
            return None, problem
    try:
        matches = puremagic.magic_file(path)
    except (puremagic.PureError, ValueError, OSError):
        matches = []
    if not matches:
        return None, str(_("of an unknown type"))
    best = [m for m in matches if m.confidence == matches[0].confidence]
    mimes = {(m.mime_type or "").lower() for m in best}
    candidates = [kind for kind in FILE_KINDS.values() if kind.mime.lower() in mimes]
    kind = candidates[0] if len(candidates) == 1 else None
    if kind is not None:
        if not head.startswith(kind.signature) or (
            kind.defining_part is not None and not _zip_defines(path, kind)
        ):
            return None, str(_("not a well-formed %(type)s") % {"type": kind.label})
        return kind, str(kind.label)
    named = next((m for m in matches if m.mime_type), matches[0])
    return None, str(_("of another type (%(type)s)") % {"type": named.name or named.extension})


def _zip_problem(path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename in _ZIP_PARTS_READ and info.file_size > _ZIP_PART_LIMIT:
                    return str(_("an archive with unusually large parts"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return str(_("a damaged archive"))
    return None


def _zip_defines(path, kind: FileKind) -> bool:
    member, marker = kind.defining_part
    try:
        with zipfile.ZipFile(path) as archive:
            content = archive.read(member)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return False
    if member == "mimetype":
        return content.strip() == marker
    return marker in content


def save_inspected(inspected: Inspected) -> str:
    """Store a checked upload under a random name; removed again if the enclosing
    `removed_on_error` block fails."""
    inspected.copy.seek(0)
    name = private_storage.save(stored_name(inspected.kind), File(inspected.copy))
    for pending in _pending.get():
        pending.append(name)
    return name


# --- Nothing left behind ---

_pending: ContextVar[tuple[list, ...]] = ContextVar("samskapa_pending_uploads", default=())


@contextlib.contextmanager
def removed_on_error():
    """Files stored inside the block are deleted again when it ends in an exception, which
    rolls back the transaction that would have recorded them. Put it around the outermost
    `transaction.atomic()` of a change (services do, and views that combine services)."""
    stored: list[str] = []
    token = _pending.set((*_pending.get(), stored))
    try:
        yield
    except BaseException:
        for name in stored:
            private_storage.delete(name)
        raise
    finally:
        _pending.reset(token)


# --- Serving a file (after the caller has checked who may see it) ---


def file_response(stored, filename: str) -> FileResponse:
    """A stored file (an ApplicationFile) as a download: always an attachment under `filename`,
    with its checked type, never sniffed or rendered by the browser, sandboxed if it were
    opened, and kept out of shared caches."""
    try:
        handle = private_storage.open(stored.file.name, "rb")
    except FileNotFoundError:
        logger.error("Stored file %s of ApplicationFile %s is missing", stored.file.name, stored.pk)
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True, no_store=True)
    return response
