import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts.models import ApiToken, Role
from samskapa.organisations.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def _bearer(user, *, authenticator=True):
    """A token for `user`; operators have set up their authenticator unless told otherwise."""
    if authenticator:
        TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "app"})
    _token, key = ApiToken.issue(user, "script")
    return {"Authorization": f"Bearer {key}"}


def test_openapi_document_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/programmes",
        "/api/programmes/{pk}/phases",
        "/api/organisations",
        "/api/programmes/{pk}/memberships",
    } <= set(schema["paths"])
    assert "422" in schema["paths"]["/api/organisations"]["post"]["responses"]


def test_token_authenticates_a_script(client, programme, people):
    headers = _bearer(people[Role.OBSERVER])
    response = client.get("/api/programmes", headers=headers)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["items"]] == [programme.name]
    assert ApiToken.objects.get().last_used_at is not None


def test_wrong_or_revoked_token_is_refused(client, people):
    headers = _bearer(people[Role.OBSERVER])
    ApiToken.objects.all().delete()
    assert client.get("/api/programmes", headers=headers).status_code == 401
    assert (
        client.get("/api/programmes", headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )


def test_token_of_a_deactivated_person_is_refused(client, people):
    person = people[Role.OBSERVER]
    headers = _bearer(person)
    person.is_active = False
    person.save()
    assert client.get("/api/programmes", headers=headers).status_code == 401


def test_phases_come_in_order_with_their_gate_criteria(client, programme, people):
    phases = client.get(
        f"/api/programmes/{programme.pk}/phases", headers=_bearer(people[Role.INNOVATOR])
    ).json()
    assert [p["kind"] for p in phases] == [1, 2, 3, 4]
    assert all(p["criteria"] for p in phases)


def test_members_see_the_groups_but_only_operators_see_everyone(client, programme, people):
    url = f"/api/programmes/{programme.pk}/memberships"
    as_observer = client.get(url, headers=_bearer(people[Role.OBSERVER])).json()["items"]
    as_operator = client.get(url, headers=_bearer(people[Role.OPERATOR])).json()["items"]
    observer_sees = {m["role"] for m in as_observer}
    assert observer_sees == {
        "operator",
        "steering_group",
        "needs_owner",
        "observer",
    }  # observer: self
    assert {m["role"] for m in as_operator} == {r.value for r in Role}


def test_lists_are_paginated(client, people):
    for n in range(60):
        Organisation.objects.create(name=f"Org {n:02d}", kind="innovator", legal_form="ab")
    headers = _bearer(people[Role.OBSERVER])
    first = client.get("/api/organisations", headers=headers).json()
    assert len(first["items"]) == 50 and first["count"] >= 60
    second = client.get("/api/organisations", {"page": 2}, headers=headers).json()
    assert {o["id"] for o in first["items"]}.isdisjoint(o["id"] for o in second["items"])


def test_creating_an_organisation_validates_org_number_and_municipality_code(client):
    headers = _bearer(factories.person(operator_group=True))
    bad = client.post(
        "/api/organisations",
        {"name": "X", "kind": "innovator", "legal_form": "ab", "org_number": "556036-0794"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422 and "org_number" in bad.json()["errors"]
    unknown = client.post(
        "/api/organisations",
        {"name": "Y", "kind": "municipality", "municipality_code": "9999"},
        content_type="application/json",
        headers=headers,
    )
    assert unknown.status_code == 422 and "municipality" in unknown.json()["errors"]
    assert not Organisation.objects.filter(name__in=["X", "Y"]).exists()
    good = client.post(
        "/api/organisations",
        {
            "name": "Z",
            "kind": "municipality",
            "municipality_code": "0380",
            "legal_form": "public_body",
        },
        content_type="application/json",
        headers=headers,
    )
    assert good.status_code == 201 and good.json()["municipality_code"] == "0380"


def test_api_docs_load_their_assets_from_this_site_only(client_as, people):
    import re

    page = client_as(people[Role.OBSERVER]).get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page
    # The Content-Security-Policy forbids inline scripts: every script is a file or JSON data.
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes or "application/json" in attributes


def test_an_operator_token_works_only_once_the_account_has_a_second_factor(client, people):
    operator = people[Role.OPERATOR]
    TOTPDevice.objects.filter(user=operator).delete()
    headers = _bearer(operator, authenticator=False)
    assert client.get("/api/programmes", headers=headers).status_code == 401
    TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    assert client.get("/api/programmes", headers=headers).status_code == 200
