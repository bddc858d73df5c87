"""Who must pass a second factor (TOTP) after the password.

Decided at login, and checked again on every request of a session that has not passed one, so
that a person who is made an operator while signed in is asked for it at their next request.
"""

from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts import permissions

SESSION_KEY = "second_factor"
VERIFY = "verify"  # the person has a confirmed authenticator: ask for a code
SET_UP = "set_up"  # an operator without one, where settings require it: set one up first


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requirement(user) -> str | None:
    if has_authenticator(user):
        return VERIFY
    if settings.REQUIRE_OPERATOR_2FA and permissions.is_operator(user):
        return SET_UP
    return None


def pending(request) -> str | None:
    """What the signed-in person must still pass before using anything else, if anything."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    state = request.session.get(SESSION_KEY)
    if state is None and settings.REQUIRE_OPERATOR_2FA and permissions.is_operator(user):
        state = requirement(user)  # rights gained since login
        request.session[SESSION_KEY] = state
    return state


def page_for(state: str) -> str:
    return reverse("accounts:verify" if state == VERIFY else "accounts:setup")
