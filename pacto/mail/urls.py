from django.urls import path

from pacto.mail import views

app_name = "mail"
urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
]
