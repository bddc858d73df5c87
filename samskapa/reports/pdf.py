"""PDF exports with WeasyPrint: a Django template in, a PDF out.

Templates extend `reports/pdf_base.html` (page size, margins, page numbers, DejaVu fonts).
WeasyPrint may fetch nothing over the network: images and styles must be inline (data: URLs)
or static files on disk, so an exported text can never make the server request a URL.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def _fetch_nothing_remote(url, *args, **kwargs):
    from weasyprint.urls import default_url_fetcher

    if url.startswith(("data:", "file:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"PDF exports do not fetch {url!r}")


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # imported here: a second or two at start-up otherwise

    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, url_fetcher=_fetch_nothing_remote).write_pdf()


def pdf_response(pdf: bytes, title: str) -> HttpResponse:
    """The PDF as a download named after `title` (ASCII, so every browser keeps the name)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (slugify(title) or "export")[:80] + ".pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
