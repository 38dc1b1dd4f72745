"""Include from the project's urls.py: ``path("", include("pacto.automation.urls"))``."""

from django.urls import path

from pacto.automation import views

app_name = "automation"

urlpatterns = [
    path("pages/ack/<str:token>/", views.acknowledge, name="acknowledge"),
    path("pages/<int:page_id>/acknowledge", views.acknowledge_api, name="acknowledge_api"),
]
