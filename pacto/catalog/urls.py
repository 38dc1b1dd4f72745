from django.urls import path

from pacto.catalog import views

app_name = "catalog"

urlpatterns = [
    # Public.
    path("products/", views.products, name="products"),
    # The portal: contacts.
    path("inventory/", views.inventory, name="inventory"),
    path("known-issues/", views.known_issues, name="known_issues"),
    # The console: the vendor's staff.
    path("console/catalogue/", views.console_catalogue, name="console_catalogue"),
    path("console/known-issues/", views.console_known_issues, name="console_known_issues"),
    path(
        "console/known-issues/<slug:slug>/", views.console_known_issue, name="console_known_issue"
    ),
    path(
        "console/known-issues/<slug:slug>/change/",
        views.console_known_issue_change,
        name="console_known_issue_change",
    ),
    path(
        "console/known-issues/<slug:slug>/publish/",
        views.console_known_issue_publish,
        name="console_known_issue_publish",
    ),
    path("console/releases/", views.console_releases, name="console_releases"),
    path(
        "console/releases/<int:release_id>/publish/",
        views.console_release_publish,
        name="console_release_publish",
    ),
    path("console/engineering/", views.console_engineering, name="console_engineering"),
    path(
        "console/engineering/<str:key>/",
        views.console_engineering_update,
        name="console_engineering_update",
    ),
    path("console/tickets/<int:pk>/known-issue/", views.link_known_issue, name="link_known_issue"),
    path(
        "console/tickets/<int:pk>/known-issue/unlink/",
        views.unlink_known_issue,
        name="unlink_known_issue",
    ),
    path(
        "console/tickets/<int:pk>/engineering-item/",
        views.link_engineering_item,
        name="link_engineering_item",
    ),
    path(
        "console/tickets/<int:pk>/product-version/",
        views.set_product_version,
        name="set_product_version",
    ),
]
