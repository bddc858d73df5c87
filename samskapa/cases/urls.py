from django.urls import path

from samskapa.cases import views

app_name = "cases"
urlpatterns = [
    path("programmes/<int:pk>/proxies/", views.proxies, name="proxies"),
    path("proxies/<int:pk>/edit/", views.proxy_edit, name="proxy_edit"),
    path("environments/<int:pk>/", views.environment_cases, name="environment"),
    path("environments/<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/evaluation/", views.evaluate, name="evaluate"),
    path("<int:pk>/budget/", views.budget, name="budget"),
]
