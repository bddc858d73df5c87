from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from samskapa.api.views import api
from samskapa.core import views as core_views

# The admin site asks for a verified second factor when operators are held to one.
if settings.REQUIRE_OPERATOR_2FA:
    admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", core_views.home, name="home"),
    path("dashboard/", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("samskapa.accounts.urls")),
    path("programmes/", include("samskapa.programmes.urls")),
    path("organisations/", include("samskapa.organisations.urls")),
    path("challenges/", include("samskapa.challenges.urls")),
    path("calls/", include("samskapa.calls.urls")),
    path("recruitment/", include("samskapa.recruitment.urls")),
    path("matching/", include("samskapa.matching.urls")),
    path("learning/", include("samskapa.learning.urls")),
    path("canvas/", include("samskapa.canvas.urls")),
    path("workshops/", include("samskapa.workshops.urls")),
    path("environments/", include("samskapa.environments.urls")),
    path("journeys/", include("samskapa.journeys.urls")),
    path("cases/", include("samskapa.cases.urls")),
    path("impact/", include("samskapa.impact.urls")),
    path("impact/imports/", include("samskapa.impact.import_urls")),
    path("surveys/", include("samskapa.surveys.urls")),
    path("s/", include("samskapa.surveys.public_urls")),
    path("portal/lessons/", include("samskapa.learning.portal_urls")),
    path("portal/", include("samskapa.challenges.portal_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
