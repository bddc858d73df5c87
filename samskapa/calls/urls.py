from django.urls import path

from samskapa.calls import views

app_name = "calls"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("programmes/<int:pk>/", views.index, name="index"),
    path("programmes/<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/files/<int:file_pk>/", views.download, name="file"),
    path("<int:pk>/review-panel/", views.panel, name="panel"),
    path("<int:pk>/reviews/", views.reviews, name="reviews"),
    path("applications/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("applications/<int:pk>/decision/", views.decision, name="decision"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/declare/", views.declare, name="declare"),
    path("reviews/<int:pk>/score/", views.score, name="score"),
]
