import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_swedish_is_the_default_language(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="sv">' in page
    assert "Logga in" in page


def test_the_language_switcher_changes_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in page and "Sign in" in page
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "Logga in" in client.get("/accounts/login/").content.decode()


def test_dates_are_formatted_per_locale(client_as, programme, operator):
    programme.starts_on = date(2026, 3, 1)
    programme.save()
    swedish = (
        client_as(operator, language="sv").get(f"/programmes/{programme.pk}/").content.decode()
    )
    english = (
        client_as(operator, language="en").get(f"/programmes/{programme.pk}/").content.decode()
    )
    assert "1 mars 2026" in swedish
    assert "1 March 2026" in english


def test_phase_names_and_errors_are_translated(client_as):
    operator = factories.person(operator_group=True)
    client = client_as(operator, language="sv")
    page = client.post(
        "/organisations/new/",
        {"name": "X", "kind": "innovator", "legal_form": "ab", "org_number": "556036-0794"},
    ).content.decode()
    assert "556036-0794" in page
    assert "is not a valid Swedish organisation number" not in page  # shown in Swedish instead


def test_every_source_string_has_a_swedish_translation(tmp_path):
    """Re-extracts the strings from a copy of the code: none may be new, untranslated or fuzzy."""
    copy = tmp_path / "samskapa"
    shutil.copytree(ROOT / "samskapa", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "sv",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DEBUG": "true"},
    )
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", os.devnull, "locale/sv/LC_MESSAGES/django.po"],
        cwd=copy,
        check=True,
        capture_output=True,
        text=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats


def test_numbers_are_formatted_per_locale(client_as):
    from samskapa.organisations.models import Organisation

    Organisation.objects.bulk_create(
        Organisation(name=f"Org {n}", kind="innovator", legal_form="ab") for n in range(1234)
    )
    person = factories.person()
    swedish = client_as(person, language="sv").get("/organisations/").content.decode()
    english = client_as(person, language="en").get("/organisations/").content.decode()
    assert "1\xa0234 organisationer" in swedish
    assert "1,234 organisations" in english
