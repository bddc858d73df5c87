import pytest
from django.conf import settings
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts import permissions
from samskapa.accounts.models import Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _english_for_direct_calls():
    """Messages from services called directly come in English (as the assertions are written),
    whatever language an earlier test's request left active in this thread. Requests still
    choose their own language (Swedish by default)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_uploads_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder, never to var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-uploads"


@pytest.fixture
def programme(db):
    return factories.programme()


@pytest.fixture
def operator(programme):
    """The operator who created `programme`."""
    return programme.memberships.get(role=Role.OPERATOR).user


@pytest.fixture
def people(programme, operator):
    """One person per role in `programme`, plus an outsider who belongs to another programme."""
    by_role = {role: factories.member(programme, role) for role in Role if role != Role.OPERATOR}
    by_role[Role.OPERATOR] = operator
    other = factories.programme()
    by_role["outsider"] = factories.member(other, Role.OPERATOR)
    return by_role


@pytest.fixture
def client_as(client):
    """`client_as(user)` gives a test client signed in as `user` (or anonymous for None).

    Pages come in English so that assertions read like the source strings; Swedish, the
    default, is tested in test_i18n.py and the browser tests.
    """

    def sign_in(user, language="en"):
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            client.force_login(user)
            _pass_second_factor_if_required(client, user)
        return client

    return sign_in


def _pass_second_factor_if_required(client, user):
    """Operators are held to a second factor (as in production): sign them in with one."""
    fresh = User.objects.get(pk=user.pk)  # no permission caches on the test's own object
    if not (settings.REQUIRE_OPERATOR_2FA and permissions.is_operator(fresh)):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
