from django.contrib import admin
from django.urls import include, path

from pacto import views

# The apps whose pages share the site's root, each with its own prefixes (see its urls.py).
AT_THE_ROOT = ("portal", "catalog", "casework", "automation", "availability", "services", "reports")

urlpatterns = [
    *(path("", include(f"pacto.{app}.urls")) for app in AT_THE_ROOT),
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
]

handler500 = "pacto.observability.server_error"
