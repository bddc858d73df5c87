from django.urls import path

from samskapa.challenges import views

app_name = "challenges"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/steps/<slug:name>/", views.step, name="step"),
    path("<int:pk>/comments/", views.add_comment, name="comment"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
]
