from django.urls import path

from pacto.casework import views

app_name = "casework"

urlpatterns = [
    # The console: the vendor's staff.
    path("console/tickets/<int:pk>/correct/", views.correct, name="correct"),
    path("console/tickets/<int:pk>/checklist/", views.tick, name="tick"),
    path("console/tickets/<int:pk>/resolution-plan/", views.resolution_plan, name="plan"),
    path("console/tickets/<int:pk>/third-party/", views.third_party, name="third_party"),
    path("console/tickets/<int:pk>/arrangement/", views.close_by_arrangement, name="arrangement"),
    path("console/tickets/<int:pk>/out-of-scope/", views.out_of_scope, name="out_of_scope"),
    path("console/tickets/<int:pk>/exempt/", views.exempt, name="exempt"),
    # The portal: the customer's own open tickets.
    path("tickets/<int:pk>/correct/", views.customer_correct, name="customer_correct"),
]
