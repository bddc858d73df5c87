from django.urls import path

from samskapa.challenges import portal_views
from samskapa.challenges.feeds import NewChallengesFeed

app_name = "portal"
urlpatterns = [
    path("", portal_views.index, name="index"),
    path("challenges/<int:pk>/", portal_views.challenge, name="challenge"),
    path("programmes/<int:pk>/", portal_views.programme, name="programme"),
    path("feed/", NewChallengesFeed(), name="feed"),
]
