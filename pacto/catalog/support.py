"""What a ticket on a catalogue version gets under a policy: the support verdict.

Xecuritas: "This process applies to released, supported Xecuritas products as opposed to
unsupported/discontinued products; beta and field test technology is covered by a separate
policy." The policy's ``product_support`` section says, per support status, whether such a
ticket is refused, accepted without SLA targets, handled under the version's beta policy, or
handled as if supported. The verdict is shown before the ticket is sent (portal, console and
API preview) and applied when it is opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pacto.catalog.models import SupportStatus, Version
from pacto.sla.policy import Policy


@dataclass(frozen=True)
class SupportVerdict:
    status: str  # the version's support status on the day
    handling: str  # refuse | without_targets | beta_policy | as_supported
    beta_policy: str  # the policy id covering a beta version ("" when none)
    message: str  # what it means, for the customer, in the active language
    cite: str | None = None

    @property
    def flagged(self) -> bool:
        """Outside normal support: agents and the customer see a flag."""
        return self.status != SupportStatus.SUPPORTED

    @property
    def refused(self) -> bool:
        return self.handling == "refuse"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "handling": self.handling,
            "beta_policy": self.beta_policy,
            "flagged": self.flagged,
            "message": self.message,
            "cite": self.cite,
        }


def verdict(version: Version, policy: Policy, day: dt.date) -> SupportVerdict:
    status = version.status_on(day)
    rules = policy.product_support
    handling = rules.handling(status)
    beta_policy = ""
    if handling == "beta_policy":
        beta_policy = version.beta_policy
        if not beta_policy:
            handling = "without_targets"  # no separate policy named: no targets either
    return SupportVerdict(
        status=status,
        handling=handling,
        beta_policy=beta_policy,
        message=_explain(version, status, handling, beta_policy, day),
        cite=rules.cite if status != SupportStatus.SUPPORTED else None,
    )


def _explain(version: Version, status: str, handling: str, beta_policy: str, day) -> str:
    name = str(version)
    if status == SupportStatus.SUPPORTED:
        if version.end_of_support_on:
            return _("%(version)s is supported until %(date)s.") % {
                "version": name,
                "date": version.end_of_support_on.isoformat(),
            }
        return _("%(version)s is supported.") % {"version": name}
    what = {
        SupportStatus.UNSUPPORTED: _("%(version)s is no longer supported"),
        SupportStatus.DISCONTINUED: _("%(version)s is discontinued"),
        SupportStatus.BETA: _("%(version)s is a beta / field test version"),
    }[status] % {"version": name}
    if status == SupportStatus.UNSUPPORTED and version.end_of_support_on:
        what += _(" (end of support %(date)s)") % {"date": version.end_of_support_on.isoformat()}
    consequence = {
        "refuse": _(
            "Your support policy does not cover it: the ticket cannot be opened. Update to a "
            "supported version, or contact your account manager."
        ),
        "without_targets": _(
            "Your support policy does not cover it: the ticket is accepted, but no response "
            "or resolution target applies."
        ),
        "beta_policy": _(
            "It is covered by a separate policy (%(policy)s), not by your contract's targets."
        )
        % {"policy": beta_policy},
        "as_supported": _("Your support policy handles it like a supported version."),
    }[handling]
    return f"{what}. {consequence}"
