import base64

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from samskapa.accounts import second_factor
from samskapa.accounts.forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    RegistrationForm,
    TokenForm,
)
from samskapa.accounts.models import ApiToken
from samskapa.audit.services import record


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        requirement = second_factor.requirement(form.get_user())
        if requirement:
            self.request.session[second_factor.SESSION_KEY] = requirement
            return redirect(second_factor.page_for(requirement))
        return response


def _passed_second_factor(request, device):
    otp_login(request, device)
    request.session.pop(second_factor.SESSION_KEY, None)


def register(request):
    """Create an account (to apply to a call), sign in and go on to where the person was going."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            record(
                actor=person,
                action="accounts.person.registered",
                obj=person,
                changes={"email": [None, person.email], "full_name": [None, person.full_name]},
            )
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready."))
        return redirect(next_url or "calls:mine")
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


@login_required
def verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            _passed_second_factor(request, device)
            return redirect("dashboard")
        form.add_error("token", _("That code is not valid. Check your app's clock and try again."))
    return render(request, "accounts/verify.html", {"form": form})


@login_required
def setup(request):
    if not request.user.is_verified() and second_factor.has_authenticator(request.user):
        # Adding an authenticator needs the one already there: no way around the code.
        return redirect("accounts:verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record(
                    actor=request.user, action="accounts.second_factor.enabled", obj=request.user
                )
            _passed_second_factor(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return redirect("dashboard")
        form.add_error("token", _("That code is not valid. Check your app's clock and try again."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, omitsize=True, title=_("QR code")
    )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request, "accounts/setup.html", {"form": form, "qr_svg": qr_svg, "secret": secret}
    )


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = ApiToken.issue(request.user, form.cleaned_data["name"])
        record(actor=request.user, action="accounts.api_token.issued", obj=token)
        form = ApiTokenForm()
    tokens = request.user.api_tokens.order_by("-created_at")
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def revoke_api_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    record(actor=request.user, action="accounts.api_token.revoked", obj=token)
    token.delete()
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api_tokens")
