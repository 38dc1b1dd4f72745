"""The demo's catalogue (called by ``pacto demo`` once its tickets exist), through the actions.

A catalogue for each preset's vendor: senhasegura PAM (Core, DevOps Secret Manager),
SecPod SanerNow (Patch Management, Vulnerability Management), the Allure SaaS platform,
Xecuritas Scanner, and &money's Salesforce app, each with supported, unsupported,
discontinued and beta versions. Then: the demo contracts' free-text products and tickets are
linked to it, the installed versions recorded, a known issue with its workaround published
(Banco Azul is told; two of its tickets are linked, one waiting for the fix), release notices
published (senhasegura 3.32.0, a SanerNow platform update and a platform maintenance,
Xecuritas 10.4.1), a Xisto ticket
follows an engineering item with public updates, and one reports a discontinued version.
"""

from __future__ import annotations

import datetime as dt

from pacto.catalog.actions import (
    do_add_version,
    do_create_engineering_item,
    do_create_known_issue,
    do_create_product,
    do_create_release,
    do_update_known_issue,
)
from pacto.catalog.linking import link_free_text
from pacto.catalog.models import Product
from pacto.catalog.notices import (
    do_publish_known_issue,
    do_publish_release,
    do_update_engineering_item,
)
from pacto.contracts.actions import do_set_installed_version
from pacto.tickets.actions import do_link_engineering_item, do_link_known_issue, do_open_ticket
from pacto.tickets.models import Ticket

# product, vendor, description, modules, versions: (number, released days ago, status,
# end of support in days from now or None, beta policy)
CATALOGUE = [
    ("senhasegura PAM", "senhasegura", "Privileged access management appliance.",
     ["Core", "DevOps Secret Manager"],
     [("3.29", 900, "discontinued", -300, ""), ("3.30", 600, "unsupported", -30, ""),
      ("3.31.2", 200, "supported", 340, ""), ("3.32.0", 20, "supported", None, ""),
      ("4.0-beta", 5, "beta", None, "")]),
    ("SanerNow", "SecPod", "Patch and vulnerability management platform (SaaS).",
     ["Patch Management", "Vulnerability Management"],
     [("2024.3", 500, "unsupported", -60, ""), ("2025.1", 200, "supported", 300, ""),
      ("2025.2", 10, "supported", None, "")]),
    ("Allure Detect", "Allure Security", "Brand-impersonation detection (SaaS).", [],
     [("2024.11", 400, "unsupported", -10, ""), ("2025.06", 150, "supported", None, ""),
      ("2025.12-ft", 3, "beta", None, "")]),
    ("Xecuritas Scanner", "Xecuritas", "Network vulnerability scanner.", [],
     [("9.8", 1200, "discontinued", -400, ""), ("10.3", 500, "unsupported", -20, ""),
      ("10.4", 250, "supported", 200, ""), ("10.4.1", 15, "supported", None, ""),
      ("11.0-ft", 7, "beta", None, "")]),
    ("&money for Salesforce", "&money", "Salesforce app for Entra user data mapping.", [],
     [("2.1", 300, "supported", 60, ""), ("2.2", 30, "supported", None, "")]),
]  # fmt: skip

INSTALLED = {  # contract -> {module: version}
    "DEMO-AZUL-PREMIER": {"Core": "3.31.2", "DevOps Secret Manager": "3.31.2"},
    "DEMO-VERDE-SANERNOW": {"Patch Management": "2025.2"},
    "DEMO-XISTO-STANDARD": {"Xecuritas Scanner": "10.4"},
}


def _build_catalogue(staff, today: dt.date, now: dt.datetime) -> dict:
    versions = {}
    for name, vendor, description, modules, numbers in CATALOGUE:
        product = do_create_product(
            staff, name=name, vendor=vendor, description=description, modules=modules, now=now
        )
        for module in product.modules.all():
            if modules and module.main:
                continue  # versioned per module
            for number, released, status, eos, beta_policy in numbers:
                versions[(str(module), number)] = do_add_version(
                    staff, module, number=number, status=status,
                    released_on=today - dt.timedelta(days=released),
                    end_of_support_on=today + dt.timedelta(days=eos) if eos is not None else None,
                    beta_policy=beta_policy, now=now,
                )  # fmt: skip
    return versions


def load(demo) -> None:
    p, ago, today = demo.people, demo.ago, demo.now.date()
    felipe, sara, marina = p["felipe"], p["sara"], p["marina"]
    versions = _build_catalogue(marina, today, ago(days=30))

    # The contracts' free-text products and the open tickets' versions, now catalogue rows.
    link_free_text(marina, now=demo.now)
    for organization in demo.orgs.values():
        for contract in organization.contracts.all():
            for line in contract.products.exclude(catalog_module=None):
                number = INSTALLED.get(contract.service_contract_id, {}).get(
                    line.module or line.product
                )
                if number:
                    version = versions[(str(line.catalog_module), number)]
                    do_set_installed_version(felipe, line, version, now=ago(days=1))

    # senhasegura §9: a software issue, its palliative solution, then (later) its correction.
    pam = Product.objects.get(name="senhasegura PAM")
    core = pam.modules.get(name="Core")
    issue = do_create_known_issue(
        sara, product=pam, status="fix_scheduled",
        title="Rotating SSH keys with a passphrase answers 500",
        symptoms="POST /api/pam/ssh-keys/rotate and the web console's Rotate now fail with "
        "Unexpected error (500) for keys protected by a passphrase.",
        cause="The key service's passphrase parser rejects passphrases longer than 64 bytes.",
        ranges=[{"module": core, "introduced": "3.31", "fixed": "3.32.0"}],
        now=ago(days=1, hours=3),
    )  # fmt: skip
    do_publish_known_issue(sara, issue, "issue", now=ago(days=1, hours=2))
    issue = do_update_known_issue(
        sara, issue, now=ago(hours=20),
        workaround="Shorten the passphrase to 64 bytes or less, or rotate the key without a "
        "passphrase and add it back after the rotation.",
    )  # fmt: skip
    do_publish_known_issue(sara, issue, "workaround", now=ago(hours=19))
    azul = demo.orgs["azul"]
    rotation = Ticket.objects.get(
        organization=azul, subject="API returns 500 when rotating SSH keys"
    )
    do_link_known_issue(sara, rotation, issue, wait_for_fix=True, now=ago(hours=18))
    second = do_open_ticket(
        p["beatriz"], subject="Service account key rotation fails", severity="medium",
        body="Rotating the deploy user's SSH key fails with error 500.",
        product_version=versions[("senhasegura PAM Core", "3.31.2")],
        details={"steps": "Credentials > deploy > Rotate now", "expected_result": "Rotated",
                 "obtained_result": "Unexpected error (500)", "circumstances": "Every time"},
        now=ago(hours=6),
    )  # fmt: skip
    do_link_known_issue(felipe, second, issue, now=ago(hours=5))

    # senhasegura §11 and SecPod: releases and platform updates "notified via ticket".
    do_publish_release(
        marina,
        do_create_release(
            marina,
            product=pam,
            title="senhasegura PAM 3.32.0",
            version=versions[("senhasegura PAM Core", "3.32.0")],
            notes="Faster vault search, the SSH key rotation fix, new RDP recording codec.",
            now=ago(days=2),
        ),
        now=ago(days=2),
    )
    saner = Product.objects.get(name="SanerNow")
    do_publish_release(
        marina,
        do_create_release(
            marina,
            product=saner,
            kind="update",
            title="SanerNow platform update 2025.2",
            version=versions[("SanerNow Patch Management", "2025.2")],
            notes="Critical patches and security fixes for the agent and the console.",
            now=ago(days=3),
        ),
        now=ago(days=3),
    )
    # SecPod: platform maintenance announced to the customers on the platform, by ticket.
    do_publish_release(
        marina,
        do_create_release(
            marina,
            product=saner,
            kind="maintenance",
            title="SanerNow platform maintenance",
            notes="The cloud console and the agents' check-in are paused while the database "
            "cluster is upgraded; scans and patch jobs resume on their own afterwards.",
            scheduled_for=(demo.now + dt.timedelta(days=6)).replace(hour=20, minute=30),
            now=ago(hours=8),
        ),
        now=ago(hours=8),
    )
    scanner = Product.objects.get(name="Xecuritas Scanner")
    do_publish_release(
        marina,
        do_create_release(
            marina,
            product=scanner,
            title="Xecuritas Scanner 10.4.1",
            version=versions[("Xecuritas Scanner", "10.4.1")],
            notes="Engine timeout raised for large ranges; PDF reports carry the logo again.",
            now=ago(days=1),
        ),
        now=ago(days=1),
    )

    # Allure: engineering work the customer follows from the ticket.
    xisto = demo.orgs["xisto"]
    nightly = Ticket.objects.get(organization=xisto, subject="Nightly scans stop at 40%")
    item = do_create_engineering_item(
        sara, key="ENG-2207", title="Scan engine times out on ranges over /20",
        tracker_url="https://tracker.vendor.example/browse/ENG-2207", now=ago(hours=1, minutes=40),
    )  # fmt: skip
    do_link_engineering_item(sara, nightly, item, now=ago(hours=1, minutes=35))
    do_update_engineering_item(
        sara, item, status="in_progress", now=ago(minutes=50),
        body="Reproduced on a /19 range; the engine's watchdog fires at 600 s.",
    )  # fmt: skip

    # Xecuritas: a ticket on a discontinued version is accepted without targets (xecuritas).
    do_open_ticket(
        p["james"], subject="Old scanner appliance fails to update signatures",
        body="The lab appliance still runs 9.8.", severity="sev3",
        product_version=versions[("Xecuritas Scanner", "9.8")],
        details={"hardware_os": "Appliance X200", "obtained_result": "Signature update fails",
                 "circumstances": "Since last week", "workaround": "None",
                 "initial_recommendation": "Update to 10.4.1"},
        now=ago(hours=4),
    )  # fmt: skip
