"""The recruitment lab and the funnel in the browser: the operator adds a lab time and invites
a shortlisted applicant, who accepts on their application's page; the steering group reads the
funnel with small groups hidden. Axe on every page."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from django.utils.text import capfirst
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.calls import services
from samskapa.calls.models import Application, ApplicationStatus, Call
from samskapa.recruitment.models import InvitationStatus, LabInvitation, LabSlot
from tests import factories
from tests.e2e.browser import (
    BROWSER_TEST,
    PASSWORD,
    assert_accessible,
    at_path,
    exact,
    main_button,
    sign_in,
    t,
    verify_second_factor,
)
from tests.test_portal import LONELINESS, published_challenge

pytestmark = BROWSER_TEST


def _sign_out(page: Page):
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()


def test_the_operator_invites_to_the_lab_and_the_applicant_accepts(page: Page):
    # Given a closed call with two shortlisted applications
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    steering = factories.person("styr@example.se", password=PASSWORD, full_name="Sara Styr")
    factories.member(programme, Role.STEERING_GROUP, user=steering)
    challenge = published_challenge(title=LONELINESS, programme=programme)
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        title="Höstens utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    call.challenges.add(challenge)
    ada = factories.person("ada@example.se", full_name="Ada Ansökare", password=PASSWORD)
    for person, gender in ((ada, "woman"), (factories.person(full_name="Bo Byggare"), "man")):
        application = Application.objects.create(
            call=call,
            applicant=person,
            innovator_type="student",
            gender=gender,
            status=ApplicationStatus.SUBMITTED,
            submitted_at=now - timedelta(days=3),
        )
        services.set_shortlisted(application, by=operator, shortlisted=True)

    # The operator adds a lab time and invites Ada to it
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/calls/{call.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("Recruitment lab"))).click()
    expect(page).to_have_url(at_path(f"/recruitment/calls/{call.pk}/lab/"))
    assert_accessible(page)
    day = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.get_by_label(t("Starts (Stockholm time)")).fill(f"{day}T09:00")
    page.get_by_label(t("Ends (Stockholm time)")).fill(f"{day}T12:00")
    page.get_by_label(exact(capfirst(t("place")))).fill("Stadshuset, sal 3")
    main_button(page, "Add the time").click()
    expect(page.get_by_role("heading", level=3)).to_have_count(1)
    # The time's own page changes it (here: one more place) and leads back to the lab
    page.locator("section.lab-slot").get_by_role("link", name=re.compile(t("Change"))).click()
    assert_accessible(page)
    page.get_by_label(exact(capfirst(t("capacity")))).fill("4")
    main_button(page, "Save").click()
    expect(page).to_have_url(at_path(f"/recruitment/calls/{call.pk}/lab/"))
    assert LabSlot.objects.get(call=call).capacity == 4
    row = page.get_by_role("row").filter(has_text="Ada Ansökare")
    row.get_by_role("button", name=exact(t("Invite"))).click()
    invitation = LabInvitation.objects.get(application__applicant=ada)
    assert invitation.status == InvitationStatus.INVITED
    [message] = [m for m in mail.outbox if m.to == ["ada@example.se"]]
    assert b"text/calendar" in message.message().as_bytes()
    assert_accessible(page)
    _sign_out(page)

    # Ada sees the invitation on her application and accepts it
    page.goto("/accounts/login/")
    sign_in(page, "ada@example.se")
    page.goto(invitation.application.get_absolute_url())
    section = page.get_by_role("region", name=t("Recruitment lab"))
    expect(section).to_contain_text("Stadshuset, sal 3")
    assert_accessible(page)
    section.get_by_role("button", name=exact(t("Accept the invitation"))).click()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    expect(page.get_by_role("region", name=t("Recruitment lab"))).to_contain_text(t("Accepted"))
    assert_accessible(page)
    _sign_out(page)

    # The steering group reads the funnel: with two applicants, the groups are too small to show
    page.goto("/accounts/login/")
    sign_in(page, "styr@example.se")
    page.goto(f"/calls/{call.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("Funnel and gender balance"))).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(t("fewer than %(n)s") % {"n": 5})
    expect(page.locator("main")).not_to_contain_text("Ada")
    assert_accessible(page)
