"""How django-axes tells sign-in attempts apart."""


def username_from_request(request, credentials):
    """The e-mail address, lower-cased: 'Bo@X.se' and 'bo@x.se' are the same account, so they
    share one failure count (otherwise varying the case would dodge the lockout)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()
