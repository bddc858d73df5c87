"""PDF exports with WeasyPrint: a Django template in, a PDF out.

Templates extend `reports/pdf_base.html` (page size, margins, page numbers, DejaVu fonts).
WeasyPrint may fetch nothing — no network, no files: images and styles must be inline (styles
in the template, images as data: URLs), so an exported text can never make the server read a
URL or a file.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.text import slugify


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML  # imported here: a second or two at start-up otherwise
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context, request=request)
    # Neither the network nor the server's files: a URL that reached a template by mistake can
    # then never make an export read a local file or call an internal service.
    only_inline = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=only_inline).write_pdf()


def pdf_response(pdf: bytes, title: str) -> HttpResponse:
    """The PDF as a download named after `title` (ASCII, so every browser keeps the name)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (slugify(title) or "export")[:80] + ".pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Minutes, canvases and booklets may be confidential: no shared or browser cache keeps them.
    patch_cache_control(response, private=True, no_store=True)
    return response
