from django.urls import path

from samskapa.challenges import views as challenge_views
from samskapa.programmes import views

app_name = "programmes"
urlpatterns = [
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/phases/<int:kind>/edit/", views.edit_phase, name="edit_phase"),
    path("<int:pk>/members/", views.members, name="members"),
    path("<int:pk>/members/<int:membership_pk>/remove/", views.remove_member, name="remove_member"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/challenges/", challenge_views.index, name="challenges"),
    path("<int:pk>/challenges/new/", challenge_views.create, name="create_challenge"),
]
