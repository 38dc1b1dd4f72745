"""Pager acknowledgements: the signed link in a page and the staff API endpoint."""

from django.urls import path

from pacto.automation import views

app_name = "automation"

urlpatterns = [
    path("pages/ack/<str:token>/", views.acknowledge, name="acknowledge"),
    path("pages/<int:page_id>/acknowledge", views.acknowledge_api, name="acknowledge_api"),
    path("pages/pagerduty", views.pagerduty_webhook, name="pagerduty_webhook"),
]
