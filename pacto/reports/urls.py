from django.urls import path

from pacto.reports import views

app_name = "reports"

urlpatterns = [
    path("console/reports/", views.console_reports, name="console"),
    path("console/reports/<str:table>.<str:form>", views.console_export, name="console_export"),
    path("reports/", views.portal_reports, name="portal"),
    path("reports/<str:month>.pdf", views.report_pdf, name="pdf"),
    path("reports/runs/<int:run_id>.pdf", views.run_pdf, name="run_pdf"),
    path("survey/<str:token>/", views.survey, name="survey"),
]
