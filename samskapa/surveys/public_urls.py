"""The respondents' side, mounted at /s/: reached by the survey's random token only."""

from django.urls import path

from samskapa.surveys import views

app_name = "survey_public"
urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
]
