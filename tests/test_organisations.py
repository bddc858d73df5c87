import pytest
from django.utils import translation

from samskapa.audit.models import AuditEntry
from samskapa.organisations.models import Organisation, OrganisationKind
from tests import factories

pytestmark = pytest.mark.django_db


def _create(client, **fields):
    data = {"name": "Test", "kind": "innovator", "legal_form": "ab", "org_number": "", **fields}
    return client.post("/organisations/new/", data)


@pytest.fixture
def operator_client(client_as):
    return client_as(factories.person(operator_group=True))


def test_reference_data_has_every_municipality_and_county():
    from samskapa.organisations.models import County, Municipality

    assert Municipality.objects.count() == 290
    assert County.objects.count() == 21
    assert Municipality.objects.get(code="0180").name == "Stockholm"
    assert all(m.code[:2] == m.county_id for m in Municipality.objects.all())


def test_invalid_org_number_is_refused_with_a_clear_error_and_nothing_saved(operator_client):
    response = _create(operator_client, name="Felaktiga AB", org_number="556036-0794")
    assert response.status_code == 200
    assert "556036-0794 is not a valid Swedish organisation number" in response.content.decode()
    assert not Organisation.objects.filter(name="Felaktiga AB").exists()


def test_valid_org_number_is_stored_in_its_standard_form(operator_client):
    response = _create(operator_client, name="Rätta AB", org_number="5560360793")
    assert response.status_code == 302
    assert Organisation.objects.get(name="Rätta AB").org_number == "556036-0793"


def test_org_number_is_unique(operator_client):
    _create(operator_client, name="Första AB", org_number="556036-0793")
    response = _create(operator_client, name="Andra AB", org_number="556036-0793")
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Andra AB").exists()


def test_unknown_municipality_code_is_refused(operator_client):
    response = _create(
        operator_client,
        name="Påhittad kommun",
        kind="municipality",
        legal_form="public_body",
        municipality_code="9999",
    )
    assert "9999 is not an official Swedish municipality code" in response.content.decode()
    assert not Organisation.objects.filter(name="Påhittad kommun").exists()


def test_municipality_carries_its_official_code(operator_client):
    response = _create(
        operator_client,
        name="Uppsala kommun",
        kind="municipality",
        legal_form="public_body",
        municipality_code="0380",
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Uppsala kommun").municipality.name == "Uppsala"


def test_department_needs_a_municipality_or_region_as_parent(operator_client):
    innovator = Organisation.objects.create(name="Innovatör AB", kind="innovator", legal_form="ab")
    response = _create(
        operator_client,
        name="Socialförvaltningen",
        kind="department",
        legal_form="public_body",
        parent=innovator.pk,
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Socialförvaltningen").exists()
    city = factories.municipality("0380")
    response = _create(
        operator_client,
        name="Socialförvaltningen",
        kind="department",
        legal_form="public_body",
        parent=city.pk,
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Socialförvaltningen").parent == city


def test_innovator_organisation_needs_a_legal_form(operator_client):
    response = _create(operator_client, name="Formlös", legal_form="")
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Formlös").exists()


def test_every_change_is_in_the_record_history_for_operators(operator_client):
    _create(operator_client, name="Historik AB", org_number="556036-0793")
    organisation = Organisation.objects.get(name="Historik AB")
    data = {
        "name": "Historik AB",
        "kind": "innovator",
        "legal_form": "ab_svb",
        "org_number": "556036-0793",
    }
    operator_client.post(f"/organisations/{organisation.pk}/edit/", data)

    entries = list(AuditEntry.objects.filter(object_id=str(organisation.pk)).order_by("id"))
    assert [e.action for e in entries] == [
        "organisations.organisation.created",
        "organisations.organisation.updated",
    ]
    assert entries[1].changes == {
        "legal_form": [
            "Limited company (aktiebolag)",
            "Limited company with restricted dividends "
            "(AB med särskild vinstutdelningsbegränsning)",
        ]
    }
    page = operator_client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert "organisations.organisation.updated" in page


def test_people_outside_the_operators_group_do_not_see_record_history(client_as):
    organisation = Organisation.objects.create(
        name="Synlig AB", kind=OrganisationKind.INNOVATOR, legal_form="ab"
    )
    page = client_as(factories.person()).get(f"/organisations/{organisation.pk}/").content.decode()
    assert "Synlig AB" in page
    assert "History" not in page and "Historik" not in page


def test_organisation_list_filters_by_kind_and_name(client_as):
    factories.municipality("0380")
    Organisation.objects.create(name="Odlingsrum AB", kind="innovator", legal_form="ab")
    client = client_as(factories.person())
    page = client.get("/organisations/", {"kind": "innovator"}).content.decode()
    assert "Odlingsrum AB" in page and "Uppsala kommun" not in page
    page = client.get("/organisations/", {"q": "upps"}).content.decode()
    assert "Uppsala kommun" in page and "Odlingsrum AB" not in page
    # A NUL byte (which PostgreSQL refuses in text) is a form error, not a server error.
    assert client.get("/organisations/", {"q": "upps\x00ala"}).status_code == 200


def test_organisations_are_listed_in_swedish_alphabetical_order(client_as):
    from django.db import connection

    for name in ["Östra AB", "Zeta AB", "Ängen AB", "Åsen AB", "Alfa AB"]:
        Organisation.objects.create(name=name, kind="innovator", legal_form="ab")
    page = (
        client_as(factories.person()).get("/organisations/", {"kind": "innovator"}).content.decode()
    )
    order = sorted(["Östra AB", "Zeta AB", "Ängen AB", "Åsen AB", "Alfa AB"], key=page.index)
    if connection.vendor == "postgresql":
        assert order == ["Alfa AB", "Zeta AB", "Åsen AB", "Ängen AB", "Östra AB"]
    else:  # code-point order on SQLite: still A–Z first, the Swedish letters after
        assert order[:2] == ["Alfa AB", "Zeta AB"]


def test_an_organisation_cannot_belong_to_itself_or_its_own_unit():
    from django.core.exceptions import ValidationError

    from samskapa.organisations.services import update_organisation

    support = Organisation.objects.create(name="Stöd", kind="innovation_support")
    unit = Organisation.objects.create(name="Enhet", kind="innovation_support", parent=support)
    for parent in (support, unit):
        with (
            translation.override("en"),
            pytest.raises(ValidationError, match="cannot belong to itself"),
        ):
            update_organisation(support, by=None, parent=parent)
    support.refresh_from_db()
    assert support.parent is None


def test_codes_and_counties_must_fit_the_kind(operator_client):
    response = _create(
        operator_client,
        name="Göteborgs Stad",
        kind="municipality",
        legal_form="public_body",
        municipality_code="1480",
        county="01",
    )
    assert "This is not the county the municipality lies in." in response.content.decode()
    response = _create(operator_client, name="Kodad AB", municipality_code="1480")
    assert "Only a municipality has a municipality code." in response.content.decode()
    assert not Organisation.objects.filter(name__in=["Göteborgs Stad", "Kodad AB"]).exists()


def test_search_ignores_case_of_swedish_letters(client_as):
    Organisation.objects.create(name="Älvstads Ödmjuka Åkeri AB", kind="innovator", legal_form="ab")
    client = client_as(factories.person())
    for query in ("älvstads", "ÖDMJUKA", "åkeri"):
        page = client.get("/organisations/", {"q": query}).content.decode()
        assert "Älvstads Ödmjuka Åkeri AB" in page, query
