from django.urls import path

from samskapa.impact import views

app_name = "impact"
urlpatterns = [
    path("environments/<int:pk>/", views.theory, name="theory"),
    path("environments/<int:pk>/steps/", views.add_step, name="add_step"),
    path("environments/<int:pk>/dashboard/", views.environment_dashboard, name="dashboard"),
    path(
        "environments/<int:pk>/dashboard.xlsx",
        views.environment_dashboard_xlsx,
        name="dashboard_xlsx",
    ),
    path("steps/<int:pk>/edit/", views.edit_step, name="edit_step"),
    path("steps/<int:pk>/remove/", views.remove_step, name="remove_step"),
    path("steps/<int:pk>/move/", views.move_step, name="move_step"),
    path("outcomes/<int:pk>/indicators/new/", views.create_indicator, name="create_indicator"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("indicators/<int:pk>/edit/", views.edit_indicator, name="edit_indicator"),
    path("indicators/<int:pk>/measurements/", views.add_measurement, name="add_measurement"),
    path("challenges/<int:pk>/dashboard/", views.challenge_dashboard, name="challenge_dashboard"),
    path(
        "challenges/<int:pk>/dashboard.xlsx",
        views.challenge_dashboard_xlsx,
        name="challenge_dashboard_xlsx",
    ),
    path("programmes/<int:pk>/library/", views.library, name="library"),
    path("library/<int:pk>/edit/", views.edit_library_indicator, name="edit_library"),
]
