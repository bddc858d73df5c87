from django.urls import path

from samskapa.workshops import views

app_name = "workshops"
urlpatterns = [
    path("programmes/<int:pk>/", views.index, name="index"),
    path("programmes/<int:pk>/new/", views.create, name="create"),
    path("programmes/<int:pk>/toolbox/", views.toolbox, name="toolbox"),
    path("programmes/<int:pk>/toolbox/new/", views.tool_create, name="tool_create"),
    path("programmes/<int:pk>/toolbox/<int:tool_pk>/", views.tool_detail, name="tool"),
    path(
        "programmes/<int:pk>/toolbox/<int:tool_pk>/template/",
        views.tool_template,
        name="tool_template",
    ),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/follow-ups/", views.add_follow_up, name="add_follow_up"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/calendar.ics", views.calendar, name="calendar"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
]
