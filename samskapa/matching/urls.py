from django.urls import path

from samskapa.matching import views

app_name = "matching"
urlpatterns = [
    path("calls/<int:pk>/", views.call_matching, name="call"),
    path("calls/<int:pk>/compare/", views.compare, name="compare"),
    path("runs/<int:pk>/", views.run_page, name="run"),
    path("runs/<int:pk>/rerun/", views.rerun, name="rerun"),
    path("runs/<int:pk>/confirm/", views.confirm, name="confirm"),
]
