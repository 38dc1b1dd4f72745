from django.urls import path

from pacto.services import views

app_name = "services"

urlpatterns = [
    path("services/", views.portal, name="portal"),
    path("services/request/", views.portal_request, name="portal_request"),
    path("services/quotes/<int:quote_id>/decide/", views.portal_decide, name="portal_decide"),
    path("services/quotes/<int:quote_id>/schedule/", views.portal_schedule, name="portal_schedule"),
    path("services/sessions/<int:session_id>/answer/", views.session_answer, name="session_answer"),
    path("services/waivers/<int:waiver_id>/accept/", views.waiver_accept, name="waiver_accept"),
    path("services/quotes/decide/<str:token>/", views.decide_link, name="decide_link"),
    path("console/services/", views.console, name="console"),
    path("console/services/export/<str:form>/", views.console_export, name="console_export"),
    path("console/services/tickets/<int:pk>/quote/", views.console_quote, name="console_quote"),
    path("console/services/tickets/<int:pk>/log/", views.console_log, name="console_log"),
    path(
        "console/services/tickets/<int:pk>/session/", views.console_session, name="console_session"
    ),
    path("console/services/tickets/<int:pk>/waiver/", views.console_waiver, name="console_waiver"),
    path(
        "console/services/quotes/<int:quote_id>/schedule/",
        views.console_schedule,
        name="console_schedule",
    ),
    path(
        "console/services/sessions/<int:session_id>/<str:step>/",
        views.console_session_step,
        name="console_session_step",
    ),
    path(
        "console/services/contracts/<int:contract_id>/rate-card/",
        views.console_rate_card,
        name="console_rate_card",
    ),
]
