from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django_tenants.utils import get_public_schema_name

from tenants.models import Organizer, User
from tenants.permissions import member_actor


class LoginForm(AuthenticationForm):
    """Email and password. On an organizer's site only its members may sign in; everyone else
    gets the same answer as a wrong password, so the form reveals no memberships."""

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        organizer = getattr(self.request, "tenant", None)
        on_platform = organizer is None or organizer.schema_name == get_public_schema_name()
        if not on_platform and member_actor(user, organizer) is None:
            raise self.get_invalid_login_error()


class SignupForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=200)
    slug = forms.CharField(
        label="Site address",
        max_length=40,
        help_text="Lowercase letters, digits and hyphens: your site is <slug>.<domain>.",
    )
    full_name = forms.CharField(label="Your name", max_length=200, required=False)
    email = forms.EmailField(label="Your email")
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    currency = forms.CharField(label="Currency", max_length=3, initial="EUR")
    timezone = forms.CharField(label="Time zone", max_length=64, initial="UTC")


class MemberPasswordResetForm(PasswordResetForm):
    """Reset links for members of `organizer` only. Invited members have no password yet, so an
    unusable password does not stop the mail (it is how they set their first one)."""

    def __init__(self, *args: object, organizer: Organizer, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organizer = organizer

    def get_users(self, email: str):  # type: ignore[override]
        return User.objects.filter(
            email=email.strip().lower(),
            is_active=True,
            memberships__organizer=self.organizer,
        )
