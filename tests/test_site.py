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
