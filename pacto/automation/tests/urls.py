"""The project's URLs with the automation app's, until pacto/urls.py includes them."""

from django.urls import include, path

from pacto.urls import urlpatterns as project

mounted = any(getattr(p, "namespace", None) == "automation" for p in project)
urlpatterns = project if mounted else [*project, path("", include("pacto.automation.urls"))]
