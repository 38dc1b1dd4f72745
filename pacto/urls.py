from django.contrib import admin
from django.urls import include, path

from pacto import views

urlpatterns = [
    path("", include("pacto.portal.urls")),
    path("", include("pacto.catalog.urls")),
    path("", include("pacto.casework.urls")),
    path("console/", include("pacto.console.urls")),
    path("kb/", include("pacto.kb.urls")),
    path("accounts/", include("allauth.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name none (the admin, JSON, files).
    path("favicon.ico", views.favicon, name="favicon"),
    path("metrics", views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("pacto.api")),
    path("mail/", include("pacto.mail.urls")),
    path("", include("pacto.automation.urls")),
    path("", include("pacto.availability.urls")),
    path("", include("pacto.reports.urls")),
]

handler500 = "pacto.observability.server_error"
