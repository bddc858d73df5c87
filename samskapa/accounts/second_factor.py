"""Who must pass a second factor (TOTP) after the password, decided once at login."""

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts import permissions

SESSION_KEY = "second_factor"
VERIFY = "verify"  # the person has a confirmed authenticator: ask for a code
SET_UP = "set_up"  # an operator without one, where settings require it: set one up first


def requirement_at_login(user) -> str | None:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return VERIFY
    if settings.REQUIRE_OPERATOR_2FA and permissions.is_operator(user):
        return SET_UP
    return None
