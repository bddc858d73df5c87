from django.urls import path

from samskapa.environments import views

app_name = "environments"
urlpatterns = [
    path("programme/<int:pk>/", views.index, name="index"),
    path("programme/<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/tasks/", views.add_task, name="add_task"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/meetings/", views.add_meeting, name="add_meeting"),
    path("<int:pk>/files/", views.add_file, name="add_file"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="file"),
]
