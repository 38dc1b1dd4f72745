from django.urls import path

from pacto.reports import views

app_name = "reports"

urlpatterns = [
    path("console/reports/", views.console_reports, name="console"),
    path("console/reports/<str:table>.<str:form>", views.console_export, name="console_export"),
]
