import pytest
from django.conf import settings

from samskapa.accounts.models import Role
from tests import factories


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
        return client

    return sign_in
