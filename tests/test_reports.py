"""The shared PDF rendering: footers print text as written, nothing is fetched, no caching."""

import io

import pytest
from django.template import engines
from pypdf import PdfReader

from samskapa.reports import pdf


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def template(tmp_path, settings):
    """A template extending the PDF base, written to a temporary template folder."""
    folder = tmp_path / "templates"
    folder.mkdir()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [folder, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    engines._engines = {}  # the setting changed: let Django rebuild its template engines

    def write(body: str) -> str:
        (folder / "probe_pdf.html").write_text('{% extends "reports/pdf_base.html" %}' + body)
        return "probe_pdf.html"

    yield write
    engines._engines = {}


def test_the_footer_prints_an_ampersand_and_quotes_as_written(template):
    name = template(
        "{% block footer %}{{ who }}{% endblock %}{% block content %}<p>Body</p>{% endblock %}"
    )
    text = _text(pdf.render_pdf(name, {"who": 'Vård & omsorg "Norr"'}))
    assert 'Vård & omsorg "Norr"' in text
    assert "&amp;" not in text and "&quot;" not in text
    assert "1 / 1" in text


def test_a_file_or_network_url_in_a_template_is_not_fetched(template, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("p::after { content: 'LEAKED'; }")
    name = template(
        '{% block content %}<link rel="stylesheet" href="file://' + str(secret) + '">'
        '<img src="http://127.0.0.1:9/x.png" alt="x"><p>Body</p>{% endblock %}'
    )
    text = _text(pdf.render_pdf(name, {}))
    assert "Body" in text and "LEAKED" not in text


def test_a_pdf_download_is_neither_cached_nor_sniffed():
    response = pdf.pdf_response(b"%PDF-1.7", "Protokoll: styrgruppen 3/12")
    assert response["Content-Disposition"] == 'attachment; filename="protokoll-styrgruppen-312.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
