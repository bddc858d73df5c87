from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from samskapa.accounts import permissions, second_factor
from samskapa.accounts.models import ApiToken


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued on the API tokens page."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.matching(token).first()
        if api_token is None:
            return None
        user = api_token.user
        if (
            settings.REQUIRE_OPERATOR_2FA
            and permissions.is_operator(user)
            and not second_factor.has_authenticator(user)
        ):
            # An operator's token is worth as much as their account: it works only once the
            # account is held to a second factor (e.g. a token issued before they became one).
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = user
        return user
