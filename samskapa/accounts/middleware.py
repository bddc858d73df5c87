from django.shortcuts import redirect

from samskapa.accounts import second_factor

# Pages a signed-in person can reach before passing the second factor.
_OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/accounts/logout/", "/accounts/two-factor/")


class OperatorSecondFactorMiddleware:
    """Holds a signed-in person on the two-factor pages until they pass the second factor.

    Whether someone must pass one is decided once, at login (see second_factor.py), and kept
    in the session, so this costs no query per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending = request.session.get(second_factor.SESSION_KEY)
        if (
            pending
            and request.user.is_authenticated
            and not request.user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect(
                "accounts:verify" if pending == second_factor.VERIFY else "accounts:setup"
            )
        return self.get_response(request)
