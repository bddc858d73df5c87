from django.urls import path

from samskapa.surveys import views

app_name = "surveys"
urlpatterns = [
    path("environments/<int:pk>/", views.index, name="index"),
    path("environments/<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/questions/new/", views.question, name="question_new"),
    path("<int:pk>/questions/<int:question_pk>/", views.question, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_pk>/remove/",
        views.remove_question,
        name="question_remove",
    ),
    path("<int:pk>/status/", views.set_status, name="status"),
    path("<int:pk>/codes/", views.codes, name="codes"),
    path("<int:pk>/indicators/", views.update_indicators, name="update_indicators"),
    path("<int:pk>/results/", views.results, name="results"),
]
