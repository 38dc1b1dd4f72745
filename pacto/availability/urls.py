from django.urls import path

from pacto.availability import views

app_name = "availability"

urlpatterns = [
    path("availability/", views.portal_month, name="portal"),
    path("availability/<slug:name>/<str:month>.csv", views.month_csv, name="csv"),
    path(
        "availability/extensions/<int:extension_id>/answer/",
        views.answer_extension,
        name="answer_extension",
    ),
    path("availability/contracts/<int:contract_id>/sign-off/", views.sign_off, name="sign_off"),
    path("console/availability/", views.console_month, name="console"),
    path(
        "console/availability/contracts/<int:contract_id>/windows/",
        views.console_window,
        name="console_window",
    ),
    path(
        "console/availability/contracts/<int:contract_id>/extensions/",
        views.console_extension,
        name="console_extension",
    ),
    path(
        "console/availability/contracts/<int:contract_id>/conclusion/",
        views.console_conclude,
        name="console_conclude",
    ),
    path(
        "console/availability/contracts/<int:contract_id>/reports/",
        views.console_report,
        name="console_report",
    ),
]
