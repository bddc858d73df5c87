from django.urls import path

from samskapa.recruitment import views

app_name = "recruitment"
urlpatterns = [
    path("calls/<int:pk>/lab/", views.lab, name="lab"),
    path("calls/<int:pk>/funnel/", views.funnel_page, name="funnel"),
    path("slots/<int:pk>/edit/", views.edit_slot, name="edit_slot"),
    path("slots/<int:pk>/remove/", views.remove_slot, name="remove_slot"),
    path("applications/<int:pk>/invite/", views.invite, name="invite"),
    path("invitations/<int:pk>/move/", views.move, name="move"),
    path("invitations/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("invitations/<int:pk>/respond/", views.respond, name="respond"),
    path("invitations/<int:pk>/invitation.ics", views.invitation_ics, name="invitation_ics"),
]
