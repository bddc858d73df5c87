import pytest

pytestmark = pytest.mark.django_db


def test_the_stylesheet_and_htmx_are_served(client):
    page = client.get("/accounts/login/").content.decode()
    for path in ("/static/css/samskapa.css", "/static/django_htmx/htmx-2.min.js"):
        assert path in page
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_audit_values_read_as_people_expect():
    from samskapa.core.templatetags.samskapa import audit_value

    assert [audit_value(v) for v in (None, "", [], ["A", "B"], 0, False, "x")] == [
        "–",
        "–",
        "–",
        "A, B",
        0,
        False,
        "x",
    ]


def test_every_audited_action_reads_as_words_in_the_history():
    """The history pages show ACTION_LABELS; a code without one would show as a code."""
    import re
    from pathlib import Path

    from samskapa.audit.models import ACTION_LABELS
    from samskapa.challenges.services import TRANSITIONS

    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (Path(__file__).parent.parent / "samskapa").rglob("*.py")
        if "migrations" not in path.parts
    )
    literal = re.compile(
        r'"((?:accounts|organisations|programmes|challenges|calls|recruitment|'
        r'matching)\.[a-z_]+\.[a-z_]+)"'
    )
    codes = set(literal.findall(source))
    codes |= {f"challenges.challenge.{name}" for name in TRANSITIONS}
    codes |= {"recruitment.invitation.accepted", "recruitment.invitation.declined"}
    assert len(codes) > 40
    assert sorted(codes - set(ACTION_LABELS)) == []
