from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from samskapa.accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("E.g. 'Monthly export script'."),
    )


class ChoosePasswordForm(PasswordResetForm):
    """Password reset that also reaches people added by an operator who have no password yet.

    Django's form skips accounts with an unusable password; ours are invitations, not disabled
    accounts, so they may choose one. Inactive accounts are still skipped.
    """

    def get_users(self, email):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)


class RegistrationForm(UserCreationForm):
    """An account for applying to calls: anyone may make one (staff are added by operators)."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("email", "full_name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "There is already an account for this address. Sign in, or choose a new "
                    "password if you have forgotten it."
                )
            )
        return email
