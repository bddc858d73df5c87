import pytest
from django.contrib.auth.hashers import identify_hasher
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "ett-långt-lösenord-2026"


def _sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_sign_in_with_email_and_land_on_their_dashboard(client_as, programme):
    person = factories.person("Ida.Berg@Example.se", password=PASSWORD)
    factories.member(programme, "innovator", user=person)
    client = client_as(None)
    response = _sign_in(client, "ida.berg@example.se")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert programme.name in client.get("/dashboard/").content.decode()


def test_passwords_are_hashed_with_argon2():
    person = factories.person(password=PASSWORD)
    assert identify_hasher(User.objects.get(pk=person.pk).password).algorithm == "argon2"


def test_wrong_password_gives_a_form_error(client_as):
    factories.person("bo@example.se", password=PASSWORD)
    response = _sign_in(client_as(None), "bo@example.se", "fel")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(client_as):
    factories.person("bo@example.se", password=PASSWORD)
    client = client_as(None)
    for _ in range(5):
        _sign_in(client, "bo@example.se", "fel")
    response = _sign_in(client, "bo@example.se")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302  # still not signed in


def test_operator_must_set_up_a_second_factor_before_anything_else(client_as, settings):
    settings.REQUIRE_OPERATOR_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code
    factories.person("olivia@example.se", password=PASSWORD, operator_group=True)
    client = client_as(None)
    response = _sign_in(client, "olivia@example.se")
    assert response["Location"] == "/accounts/two-factor/set-up/"
    assert client.get("/dashboard/")["Location"] == "/accounts/two-factor/set-up/"
    assert client.get("/api/programmes").status_code == 302

    page = client.get("/accounts/two-factor/set-up/")
    assert "<svg" in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user__email="olivia@example.se")
    assert client.post("/accounts/two-factor/set-up/", {"token": "000000"}).status_code == 200
    response = client.post("/accounts/two-factor/set-up/", {"token": _code(device)})
    assert response["Location"] == "/dashboard/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/dashboard/").status_code == 200


def test_a_confirmed_authenticator_is_asked_for_at_every_sign_in(client_as, settings):
    settings.REQUIRE_OPERATOR_2FA = False  # applies to anyone who turned it on
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    person = factories.person("sara@example.se", password=PASSWORD)
    device = TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    client = client_as(None)
    assert _sign_in(client, "sara@example.se")["Location"] == "/accounts/two-factor/verify/"
    assert client.get("/dashboard/")["Location"] == "/accounts/two-factor/verify/"
    response = client.post("/accounts/two-factor/verify/", {"token": "123456"})
    assert "That code is not valid" in response.content.decode()
    assert (
        client.post("/accounts/two-factor/verify/", {"token": _code(device)})["Location"]
        == "/dashboard/"
    )
    assert client.get("/dashboard/").status_code == 200


def test_demo_settings_do_not_require_a_second_factor_of_operators(client_as, settings):
    settings.REQUIRE_OPERATOR_2FA = False
    factories.person("olivia@example.se", password=PASSWORD, operator_group=True)
    assert _sign_in(client_as(None), "olivia@example.se")["Location"] == "/dashboard/"


def test_api_token_is_shown_once_and_stored_only_as_a_hash(client_as):
    person = factories.person()
    client = client_as(person)
    page = client.post("/accounts/api-tokens/", {"name": "Export"}).content.decode()
    token = person.api_tokens.get()
    key = page.split('<code class="secret">')[1].split("</code>")[0]
    assert len(key) > 30 and key not in token.key_hash
    assert key not in client.get("/accounts/api-tokens/").content.decode()
    client.post(f"/accounts/api-tokens/{token.pk}/revoke/")
    assert not person.api_tokens.exists()


def test_a_person_added_by_an_operator_chooses_a_password_and_signs_in(
    client_as, programme, operator
):
    from django.core import mail

    from samskapa.programmes.services import add_member

    add_member(programme, by=operator, email="ny@example.se", full_name="Ny", role="observer")
    client = client_as(None)
    assert _sign_in(client, "ny@example.se", "").status_code == 200  # no password yet

    client.post("/accounts/password-reset/", {"email": "NY@example.se"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password-reset/" in line)
    form_page = client.get(link.split("testserver")[1], follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response["Location"] == "/accounts/password-reset/done/"
    assert _sign_in(client, "ny@example.se")["Location"] == "/dashboard/"
    assert programme.name in client.get("/dashboard/").content.decode()


def test_password_reset_does_not_reveal_whether_an_account_exists(client_as):
    from django.core import mail

    response = client_as(None).post("/accounts/password-reset/", {"email": "nobody@example.se"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_pending_code_cannot_be_dodged_by_setting_up_a_new_authenticator(client_as, settings):
    settings.REQUIRE_OPERATOR_2FA = True
    person = factories.person("olivia@example.se", password=PASSWORD, operator_group=True)
    TOTPDevice.objects.create(user=person, name="app", confirmed=True)
    client = client_as(None)
    assert _sign_in(client, "olivia@example.se")["Location"] == "/accounts/two-factor/verify/"
    assert client.get("/accounts/two-factor/set-up/")["Location"] == "/accounts/two-factor/verify/"
    assert client.post("/accounts/two-factor/set-up/", {"token": "123456"}).status_code == 302
    assert client.get("/dashboard/")["Location"] == "/accounts/two-factor/verify/"
    assert TOTPDevice.objects.filter(user=person).count() == 1


def test_rights_gained_while_signed_in_bring_the_second_factor(client_as, settings, programme):
    settings.REQUIRE_OPERATOR_2FA = True
    person = factories.person("obs@example.se", password=PASSWORD)
    factories.member(programme, "observer", user=person)
    client = client_as(None)
    assert _sign_in(client, "obs@example.se")["Location"] == "/dashboard/"
    assert client.get(f"/programmes/{programme.pk}/").status_code == 200
    # An operator makes them an operator while they are signed in
    factories.member(programme, "operator", user=person)
    response = client.get(f"/programmes/{programme.pk}/members/")
    assert response["Location"] == "/accounts/two-factor/set-up/"


def test_forms_and_the_api_refuse_posts_without_the_csrf_token(client_as, operator):
    client = client_as(operator)
    client.handler.enforce_csrf_checks = True
    assert client.post("/organisations/new/", {"name": "X"}).status_code == 403
    response = client.post(
        "/api/organisations", {"name": "X", "kind": "innovator"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_mixed_case_email_signs_in(client_as):
    factories.person("ida.berg@example.se", password=PASSWORD)
    assert _sign_in(client_as(None), "Ida.Berg@Example.SE")["Location"] == "/dashboard/"


def test_varying_the_case_of_the_email_does_not_dodge_the_lockout(client_as):
    factories.person("bo@example.se", password=PASSWORD)
    client = client_as(None)
    for email in [
        "bo@example.se",
        "Bo@example.se",
        "BO@example.se",
        "bo@Example.se",
        "bO@example.se",
    ]:
        _sign_in(client, email, "fel")
    assert _sign_in(client, "Bo@Example.SE").status_code == 429


def test_granting_platform_rights_in_the_admin_is_audited(client_as):
    from django.contrib.auth.models import Group

    from samskapa.audit.models import AuditEntry

    admin_user = User.objects.create_superuser("admin@example.se", PASSWORD, full_name="Admin")
    person = factories.person("bo@example.se", full_name="Bo")
    client = client_as(admin_user)  # with a verified second factor, as the admin requires
    operators = Group.objects.get(name="Operators")
    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": "bo@example.se",
            "full_name": "Bo",
            "is_active": "on",
            "groups": [operators.pk],
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="accounts.person.updated", object_id=str(person.pk))
    assert entry.actor == admin_user
    assert entry.changes == {"groups": [[], ["Operators"]]}


def _register(client, **overrides):
    data = {
        "email": "ny.innovator@example.se",
        "full_name": "Ny Innovatör",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/accounts/register/", data)


def test_anyone_can_create_an_account_and_goes_on_where_they_were_going(client_as):
    from samskapa.audit.models import AuditEntry

    client = client_as(None)
    response = _register(client, next="/calls/mine/")
    assert response["Location"] == "/calls/mine/"
    person = User.objects.get(email="ny.innovator@example.se")
    assert client.get("/calls/mine/").status_code == 200  # signed in
    assert AuditEntry.objects.filter(action="accounts.person.registered", actor=person).exists()
    assert person.memberships.count() == 0  # an applicant, not a member of any programme


def test_account_creation_refuses_bad_input(client_as):
    factories.person("taken@example.se")
    client = client_as(None)
    page = _register(client, email="Taken@Example.se").content.decode()
    assert "There is already an account for this address." in page
    page = _register(client, password1="123", password2="123").content.decode()
    assert "This password is too short." in page
    assert not User.objects.filter(email="ny.innovator@example.se").exists()


def test_account_creation_never_redirects_off_site(client_as):
    response = _register(client_as(None), next="https://evil.example/")
    assert response["Location"] == "/calls/mine/"
