from django.shortcuts import redirect

from samskapa.accounts import second_factor

# Reachable whatever the person still has to pass.
_ALWAYS_OPEN = ("/static/", "/healthz", "/i18n/", "/accounts/logout/")


class OperatorSecondFactorMiddleware:
    """Holds a signed-in person on the one two-factor page they must pass before anything else.

    Only the page for their state is open: someone who must enter a code from their
    authenticator cannot set up a new one instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = second_factor.pending(request)
        if state:
            page = second_factor.page_for(state)
            if request.path != page and not request.path.startswith(_ALWAYS_OPEN):
                return redirect(page)
        return self.get_response(request)
