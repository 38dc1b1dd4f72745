"""Demo data for the console workbench (``pacto demo``): the team's shared macros in English
and Brazilian Portuguese, personal ones, and saved views as tabs. Macros set a status by its
category, so each fits the five presets' own statuses (senhasegura's "Waiting on customer",
secpod's "Pending | Action required from customer"…)."""

from __future__ import annotations

from pacto.console.actions import do_save_macro, do_save_view

MACROS = [
    # owner, name, language, shared, public, status category, body
    ("marina", "Ask for logs", "en", True, True, "waiting_on_customer",
     "Hello {customer_name},\n\nto go on with ticket {ticket_number} we need the server logs "
     "of the last hour. Please attach them to a reply; our next answer is due {due_time}."),
    ("marina", "Pedir logs", "pt-br", True, True, "waiting_on_customer",
     "Olá {customer_name},\n\npara seguir com o chamado {ticket_number} precisamos dos logs do "
     "servidor da última hora. Anexe-os numa resposta; nossa próxima resposta vence em "
     "{due_time}."),
    ("marina", "Solved — please confirm", "en", True, True, "solved",
     "Hello {customer_name}, the fix is applied. Please confirm that ticket {ticket_number} "
     "can be closed."),
    ("marina", "Resolvido — confirme, por favor", "pt-br", True, True, "solved",
     "Olá {customer_name}, a correção foi aplicada. Confirme, por favor, que o chamado "
     "{ticket_number} pode ser fechado."),
    ("felipe", "Escalate to second line (note)", "", False, False, "",
     "Reproduced on our lab; needs second line. Customer: {customer_name}."),
]  # fmt: skip
VIEWS = [
    # owner, name, shared, query
    ("marina", "Breached, open or closed", True, "queue=breached&state=all"),
    ("marina", "Waiting on customers", True, "queue=all&status=waiting_on_customer&sort=updated"),
    ("marina", "Closed, latest first", True, "queue=all&state=closed&sort=-updated"),
    ("felipe", "Mine by severity", False, "queue=mine&sort=severity"),
]


def load(demo) -> None:
    people = demo.people
    for owner, name, language, shared, public, status, body in MACROS:
        do_save_macro(
            people[owner], name=name, language=language, shared=shared, public=public,
            status_category=status, body=body, severity="",
            line="second" if owner == "felipe" else "",
            assignee=people["sara"] if owner == "felipe" else None,
        )  # fmt: skip
    for owner, name, shared, query in VIEWS:
        do_save_view(people[owner], name=name, query=query, shared=shared)
