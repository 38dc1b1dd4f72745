from django.urls import path

from pacto.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("deflect/", views.deflect, name="deflect"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="new"),
    path("manage/<int:pk>/", views.edit, name="edit"),
    path("manage/<int:pk>/status/", views.change_status, name="status"),
    path("manage/<int:pk>/attach/", views.attach, name="attach"),
    path("manage/tasks/", views.tasks, name="tasks"),
    path("manage/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("manage/metrics/", views.metrics_page, name="metrics"),
    path("tickets/<int:pk>/send/", views.send, name="send"),
    path("<str:locale>/<slug:slug>/", views.article, name="article"),
    path("<str:locale>/<slug:slug>/vote/", views.vote, name="vote"),
    path("<str:locale>/<slug:slug>/files/<str:name>", views.attachment, name="attachment"),
]
