"""Every page of running the process and measuring effects, on the demo, as the operator sees
it (the one role that reaches all of them): each answers and axe finds nothing. The journeys
through these pages are tested in their own browser tests; this one makes sure no page —
lists, forms, the toolbox, the library, the proxies — escapes the accessibility check."""

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from samskapa.accounts.models import User
from samskapa.cases.models import ImpactCase, Proxy
from samskapa.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from samskapa.core.notifications import suppressed
from samskapa.environments.models import TestEnvironment
from samskapa.impact.models import Indicator, LibraryIndicator
from samskapa.journeys.models import Gate, GroupMeeting
from samskapa.programmes.models import Programme
from samskapa.surveys.models import Survey
from samskapa.workshops.models import Tool, Workshop
from tests.e2e.browser import BROWSER_TEST, assert_accessible, sign_in, verify_second_factor

pytestmark = BROWSER_TEST


def _pages() -> list[str]:
    programme = Programme.objects.get(name="Den inkluderande staden")
    p = programme.pk
    environment = TestEnvironment.objects.get(journey__innovator__email=f"innovator@{DEMO_DOMAIN}")
    journey = environment.journey
    indicator = Indicator.objects.filter(environment=environment).first()
    outcome = indicator.outcome
    case = ImpactCase.objects.filter(environment=environment).first()
    workshop = Workshop.objects.filter(programme=programme).first()
    tool = Tool.objects.filter(programme=programme).first()
    meeting = GroupMeeting.objects.filter(programme=programme).first()
    gate = Gate.objects.filter(journey__programme=programme).first()
    survey = Survey.objects.filter(environment=environment).first()
    return [
        f"/environments/programme/{p}/",
        f"/environments/programme/{p}/new/",
        f"/environments/{environment.pk}/edit/",
        f"/journeys/programme/{p}/",
        f"/journeys/programme/{p}/new/",
        f"/journeys/programme/{p}/meetings/new/",
        f"/journeys/meetings/{meeting.pk}/edit/",
        f"/journeys/gates/{gate.pk}/",
        f"/canvas/journeys/{journey.pk}/edit/",
        f"/canvas/journeys/{journey.pk}/compare/",
        f"/workshops/programmes/{p}/new/",
        f"/workshops/programmes/{p}/toolbox/",
        f"/workshops/programmes/{p}/toolbox/new/",
        f"/workshops/programmes/{p}/toolbox/{tool.pk}/",
        f"/workshops/{workshop.pk}/",
        f"/workshops/{workshop.pk}/edit/",
        f"/impact/environments/{environment.pk}/",
        f"/impact/outcomes/{outcome.pk}/indicators/new/",
        f"/impact/indicators/{indicator.pk}/",
        f"/impact/indicators/{indicator.pk}/edit/",
        f"/impact/challenges/{environment.challenge_id}/dashboard/",
        f"/impact/programmes/{p}/library/",
        f"/impact/library/{LibraryIndicator.objects.filter(programme=programme).first().pk}/edit/",
        f"/cases/programmes/{p}/proxies/",
        f"/cases/proxies/{Proxy.objects.filter(programme=programme).first().pk}/edit/",
        f"/cases/environments/{environment.pk}/new/",
        f"/cases/{case.pk}/edit/",
        f"/cases/{case.pk}/budget/",
        f"/surveys/environments/{environment.pk}/new/",
        f"/surveys/{survey.pk}/questions/new/",
        f"/surveys/{survey.pk}/codes/",
    ]


def test_every_process_page_of_the_demo_passes_axe_for_the_operator(page: Page):
    with suppressed():
        load_demo()
    operator = User.objects.get(email=f"operator@{DEMO_DOMAIN}")
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)

    page.goto("/accounts/login/")
    sign_in(page, operator.email, password=DEMO_PASSWORD)
    verify_second_factor(page, device)

    for path in _pages():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
