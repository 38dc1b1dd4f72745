from django.urls import path

from pacto.console import accounts, views

app_name = "console"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("live/", views.queue_live, name="queue_live"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("bulk/", views.bulk, name="bulk"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("macros/", views.macros, name="macros"),
    path("macros/<int:macro_id>/delete/", views.delete_macro, name="delete_macro"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/", accounts.accounts, name="accounts"),
    path("accounts/import/", accounts.import_file, name="import"),
    path("accounts/import/<str:kind>.csv", accounts.import_template, name="import_template"),
    path(
        "accounts/contacts/<int:contact_id>/invitation/",
        accounts.resend_invitation,
        name="resend_invitation",
    ),
    path("accounts/contracts/<int:contract_id>/renew/", accounts.renew_contract, name="renew"),
    path(
        "accounts/contracts/<int:contract_id>/terminate/",
        accounts.terminate_contract,
        name="terminate",
    ),
    path("new/", views.new_ticket, name="new_ticket"),
    path("new/due/", views.new_ticket_due, name="new_ticket_due"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    path("tickets/<int:pk>/status/", views.change_status, name="status"),
    path("tickets/<int:pk>/severity/", views.change_severity, name="severity"),
    path("tickets/<int:pk>/assign/", views.assign, name="assign"),
    path("tickets/<int:pk>/line/", views.change_line, name="line"),
    path("tickets/<int:pk>/escalate/", views.escalate, name="escalate"),
    path("tickets/<int:pk>/work/", views.log_work, name="work"),
    path("tickets/<int:pk>/cc/", views.cc, name="cc_add"),
    path("tickets/<int:pk>/cc/remove/", views.cc, {"remove": True}, name="cc_remove"),
    path("tickets/<int:pk>/approve/", views.approve_access, name="approve"),
    path("tickets/<int:pk>/severity/accept/", views.accept_severity, name="accept_severity"),
    path("tickets/<int:pk>/severity/decline/", views.decline_severity, name="decline_severity"),
]
