"""The activation page of a new contact's invitation (senhasegura §7.2: "the user will receive
an email to activate their account"). No sign-in: the link's secret is the credential, and
it works once, until it expires."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from pacto.accounts.actions import do_accept_invitation, invitation_for
from pacto.errors import ActionError, NotFound


class ActivationForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"), widget=forms.PasswordInput, max_length=128
    )
    confirm = forms.CharField(
        label=gettext_lazy("Password again"), widget=forms.PasswordInput, max_length=128
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            self.add_error("confirm", gettext_lazy("The two passwords differ."))
        return data


@never_cache
def activate(request, secret: str):
    now = timezone.now()
    try:
        invitation = invitation_for(secret)
    except NotFound:
        invitation = None
    state = invitation.state_on(now) if invitation else "unknown"
    form = ActivationForm(request.POST or None)
    status = 200
    if request.method == "POST" and state == "pending" and form.is_valid():
        try:
            do_accept_invitation(secret, password=form.cleaned_data["password"], now=now)
        except ActionError as error:
            form.add_error("password" if error.field == "password" else None, error.message)
            status = 422
        else:
            messages.success(request, _("Your account is active. Sign in with your new password."))
            return redirect("account_login")
    elif state != "pending":
        status = 404 if state == "unknown" else 410  # gone: used or expired
    elif request.method == "POST":
        status = 422
    context = {"form": form, "state": state, "invitation": invitation}
    return render(request, "portal/activate.html", context, status=status)
