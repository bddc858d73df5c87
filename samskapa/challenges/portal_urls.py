from django.urls import path

from samskapa.calls.feeds import OpenCallsFeed, deadlines_ics
from samskapa.challenges import portal_views
from samskapa.challenges.feeds import NewChallengesFeed

app_name = "portal"
urlpatterns = [
    path("", portal_views.index, name="index"),
    path("challenges/<int:pk>/", portal_views.challenge, name="challenge"),
    path("programmes/<int:pk>/", portal_views.programme, name="programme"),
    path("feed/", NewChallengesFeed(), name="feed"),
    path("calls/feed/", OpenCallsFeed(), name="calls_feed"),
    path("calls/deadlines.ics", deadlines_ics, name="deadlines_ics"),
]
