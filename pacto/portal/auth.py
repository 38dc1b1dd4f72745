"""Sign-in rules: no self sign-up, each person lands on their own desk, lockouts per email.

senhasegura §7.4: "Adding users to the support platform will always be through a ticket opened
by the contractor requesting and authorizing access of a new responsible" — so nobody signs
up; an organization admin asks for access from the Contacts page and an agent approves it.
"""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_redirect_url(self, request) -> str:
        user = request.user
        if user.is_authenticated and user.is_staff_member:
            return reverse("console:queue")
        return reverse("portal:tickets")


def axes_username(request, credentials: dict | None = None) -> str:
    """The email address tried, as django-axes counts failures: allauth authenticates with
    ``email=``; its form posts ``login``. Lower-cased, like the addresses Pacto stores."""
    value = (credentials or {}).get("email") or (credentials or {}).get("username")
    if not value and request is not None:
        data = getattr(request, "POST", {}) or {}
        value = data.get("login") or data.get("email")
    return str(value or "").strip().lower()


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form with one "Forgot your password?" (the page has it, beside the
    button, not also under the password field) and a "Remember me" in sentence case."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me on this device")
