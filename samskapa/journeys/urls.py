from django.urls import path

from samskapa.journeys import views

app_name = "journeys"
urlpatterns = [
    path("programme/<int:pk>/", views.index, name="index"),
    path("programme/<int:pk>/new/", views.create, name="create"),
    path("programme/<int:pk>/board/", views.board, name="board"),
    path("programme/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("programme/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/gates/", views.open_gate, name="open_gate"),
    path("gates/<int:pk>/", views.gate, name="gate"),
    path("gates/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("gates/<int:pk>/recommendation/", views.recommend, name="recommend"),
    path("gates/<int:pk>/decision/", views.decide, name="decide"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
]
