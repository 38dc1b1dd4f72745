from django.urls import include, path

from pacto.portal import activation, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("calculator/", views.calculator, name="calculator"),
    path("language/", views.set_language, name="set_language"),
    path(
        "preferences/",
        include(
            [
                path("", views.preferences, name="preferences"),
                path("browser-zone/", views.browser_zone, name="browser_zone"),
                path("notifications/", views.notifications, name="notifications"),
                path("tokens/", views.tokens, name="tokens"),
                path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
            ]
        ),
    ),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/search/", views.search, name="search"),
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("tickets/new/due/", views.new_ticket_due, name="new_ticket_due"),
    path("tickets/<int:pk>/", views.ticket, name="ticket"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/confirm/", views.ticket_confirm, name="ticket_confirm"),
    path("tickets/<int:pk>/reopen/", views.ticket_reopen, name="ticket_reopen"),
    path("tickets/<int:pk>/escalate/", views.ticket_escalate, name="ticket_escalate"),
    path("tickets/<int:pk>/severity/", views.ticket_severity, name="ticket_severity"),
    path("tickets/<int:pk>/cc/", views.ticket_cc, name="ticket_cc_add"),
    path("tickets/<int:pk>/cc/remove/", views.ticket_cc, {"remove": True}, name="ticket_cc_remove"),
    path("tickets/<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("contacts/", views.contacts, name="contacts"),
    path("activate/<str:secret>/", activation.activate, name="activate"),
    # Served before django-allauth's own page of the same address (this file is included
    # first): a contact's email address identifies an authorized contact, so it changes
    # through the vendor, not by self-service.
    path("accounts/email/", views.email_managed_by_vendor, name="email"),
]
