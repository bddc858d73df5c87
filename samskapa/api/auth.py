from django.utils import timezone
from ninja.security import HttpBearer

from samskapa.accounts.models import ApiToken


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued on the API tokens page."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.matching(token).first()
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user
