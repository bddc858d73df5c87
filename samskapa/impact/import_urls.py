from django.urls import path

from samskapa.impact import import_views as views

app_name = "impact_import"
urlpatterns = [
    path("environments/<int:pk>/", views.start, name="start"),
    path(
        "environments/<int:pk>/template.csv", views.template, {"kind": "csv"}, name="template_csv"
    ),
    path(
        "environments/<int:pk>/template.xlsx",
        views.template,
        {"kind": "xlsx"},
        name="template_xlsx",
    ),
    path("environments/<int:pk>/preview/<str:token>/", views.preview, name="preview"),
    path("environments/<int:pk>/preview/<str:token>/discard/", views.discard, name="discard"),
    path("<int:pk>/", views.batch, name="batch"),
]
