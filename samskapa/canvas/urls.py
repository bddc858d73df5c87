from django.urls import path

from samskapa.canvas import views

app_name = "canvas"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("journeys/<int:pk>/", views.detail, name="detail"),
    path("journeys/<int:pk>/edit/", views.edit, name="edit"),
    path("journeys/<int:pk>/compare/", views.compare, name="compare"),
    path("journeys/<int:pk>/versions/<int:number>/", views.detail, name="version"),
    path("journeys/<int:pk>/versions/<int:number>/comments/", views.comment, name="comment"),
    path("journeys/<int:pk>/versions/<int:number>/pdf/", views.pdf, name="pdf"),
]
