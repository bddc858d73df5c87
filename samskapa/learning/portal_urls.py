from django.urls import path

from samskapa.learning import portal_views

app_name = "lessons"
urlpatterns = [
    path("", portal_views.library, name="library"),
    path("booklet/", portal_views.booklet_pdf, name="booklet"),
]
