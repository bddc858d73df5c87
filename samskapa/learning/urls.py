from django.urls import path

from samskapa.learning import views

app_name = "learning"
urlpatterns = [
    path("programmes/<int:pk>/", views.index, name="index"),
    path("programmes/<int:pk>/new/", views.create, name="create"),
    path("programmes/<int:pk>/approvals/", views.approvals, name="approvals"),
    path("programmes/<int:pk>/booklet/", views.booklet_pdf, name="booklet"),
    path("lessons/<int:pk>/edit/", views.edit, name="edit"),
    path("lessons/<int:pk>/decision/", views.decide, name="decide"),
]
