"""A gate in the browser: the facilitator (an operator, signed in with TOTP) opens the gate of
a journey in phase 3, ticks the checklist with evidence and recommends "iterate"; a member of
the steering group finds it on the programme board as awaiting a decision, is refused without
a rationale, then records "iterate" with one; the journey page and the board show the journey
back in phase 2, with both gates in its history. Axe on every page."""

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.journeys import services
from samskapa.journeys.models import Journey
from samskapa.programmes.models import PhaseKind
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

pytestmark = BROWSER_TEST


def _sign_out(page: Page):
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()


def test_facilitator_runs_a_gate_and_the_steering_group_iterates(page: Page):
    # Given a journey that passed the gate of phase 2 (a "go" in its history), now in phase 3
    operator = factories.person(
        "op@example.se", password=PASSWORD, operator_group=True, full_name="Olle Operatör"
    )
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    steering = factories.member(
        programme,
        Role.STEERING_GROUP,
        user=factories.person("sg@example.se", password=PASSWORD, full_name="Stina Styrgrupp"),
    )
    innovator = factories.member(
        programme, Role.INNOVATOR, user=factories.person(full_name="Ina Innovatör")
    )
    journey = Journey.objects.create(programme=programme, innovator=innovator)
    first = services.open_gate(journey, by=operator)
    services.recommend(first, by=operator, recommendation="go", text="Testmiljön fungerar")
    services.decide(
        first,
        by=steering,
        decision="go",
        rationale="Kriterierna är uppfyllda",
        decided_on=timezone.localdate(),
        members_present=[steering],
    )
    journey.refresh_from_db()
    assert journey.phase == PhaseKind.CONCEPT_DEVELOPMENT
    criterion = programme.phases.get(kind=3).criteria.order_by("position").first().text

    # The facilitator opens the gate of phase 3
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/journeys/{journey.pk}/")
    assert_accessible(page)
    opening = t("Open the gate of %(phase)s") % {"phase": t(str(PhaseKind(3).label))}
    page.locator("main").get_by_role("button", name=exact(opening)).click()
    gate = journey.gates.get(decision="")
    expect(page).to_have_url(at_path(f"/journeys/gates/{gate.pk}/"))
    assert_accessible(page)

    # ticks the checklist with evidence
    check = page.get_by_role("group", name=criterion, exact=True)
    check.get_by_label(t("Met"), exact=True).check()
    check.get_by_label(exact(t("Evidence link"))).fill("https://example.se/pilotrapport")
    check.get_by_label(exact(t("Note"))).fill("Piloten med tio brukare")
    main_button(page, "Save the checklist").click()
    expect(page.locator(".messages")).to_contain_text(t("The checklist is saved."))
    first_check = gate.checks.order_by("position").first()
    assert (first_check.met, first_check.evidence_url) == (True, "https://example.se/pilotrapport")

    # and recommends "iterate"
    page.locator("#recommendation-form").get_by_label(t("Iterate"), exact=True).check()
    page.locator("#recommendation-form").get_by_label(exact(t("Reasons"))).fill(
        "Effekterna är inte mätta mot utgångsläget"
    )
    main_button(page, "Recommend").click()
    expect(page.locator("#recommendation")).to_contain_text(
        "Effekterna är inte mätta mot utgångsläget"
    )
    assert_accessible(page)
    _sign_out(page)

    # A steering-group member finds it on the board, awaiting a decision
    page.goto("/accounts/login/")
    sign_in(page, "sg@example.se")
    page.goto(f"/journeys/programme/{programme.pk}/board/")
    board = page.locator("#board")
    expect(board).to_contain_text(t("Awaits a decision"))
    assert_accessible(page)
    board.get_by_role("link", name=t("Awaits a decision"), exact=False).click()
    expect(page).to_have_url(at_path(f"/journeys/gates/{gate.pk}/"))
    assert_accessible(page)

    # is refused without a rationale
    form = page.locator("#decision-form")
    form.get_by_label(t("Iterate"), exact=True).check()
    form.get_by_label(exact(t("Date of the decision"))).fill(timezone.localdate().isoformat())
    form.get_by_label("Stina Styrgrupp").check()
    main_button(page, "Record the decision").click()
    expect(page.locator("main")).to_contain_text(
        t("Give the rationale for the decision: it is kept in the history.")
    )
    assert_accessible(page)
    gate.refresh_from_db()
    assert not gate.is_decided

    # and records "iterate" with one
    form = page.locator("#decision-form")
    form.get_by_label(t("Iterate"), exact=True).check()
    form.get_by_label(exact(t("Date of the decision"))).fill(timezone.localdate().isoformat())
    form.get_by_label("Stina Styrgrupp").check()
    form.get_by_label(exact(t("Rationale"))).fill("Mät effekterna i testmiljön först")
    main_button(page, "Record the decision").click()

    # The journey is back in phase 2, with both gates in its history
    expect(page).to_have_url(at_path(f"/journeys/{journey.pk}/"))
    expect(page.locator("#current-phase")).to_have_text(t(str(PhaseKind(2).label)))
    history = page.locator("#gate-history")
    expect(history).to_contain_text("Mät effekterna i testmiljön först")
    expect(history).to_contain_text("Kriterierna är uppfyllda")
    expect(history.locator('a[href="https://example.se/pilotrapport"]')).to_have_count(1)
    assert_accessible(page)
    journey.refresh_from_db()
    assert journey.phase == PhaseKind.TEST_ENVIRONMENT

    page.goto(f"/journeys/programme/{programme.pk}/board/")
    row = page.locator("#board tbody tr", has_text="Ina Innovatör")
    cells = row.locator("td")
    expect(cells.nth(1)).to_contain_text(t("Here"))  # phase 2 (after phase 1's column)
    expect(row).not_to_contain_text(t("Awaits a decision"))
    assert_accessible(page)


def test_operator_holds_a_steering_group_meeting_with_a_declared_conflict(page: Page):
    from django.utils.text import capfirst

    # Given a programme with a steering group of two and an innovator's journey
    operator = factories.person("op@example.se", password=PASSWORD, operator_group=True)
    device = TOTPDevice.objects.create(user=operator, name="app", confirmed=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    factories.member(
        programme,
        Role.STEERING_GROUP,
        user=factories.person("sg@example.se", password=PASSWORD, full_name="Stina Styrgrupp"),
    )
    factories.member(
        programme, Role.STEERING_GROUP, user=factories.person(full_name="Bertil Bolagsson")
    )
    innovator = factories.member(
        programme, Role.INNOVATOR, user=factories.person(full_name="Ina Innovatör")
    )
    journey = Journey.objects.create(programme=programme, innovator=innovator)

    # The operator records the meeting
    page.goto("/accounts/login/")
    sign_in(page, "op@example.se")
    verify_second_factor(page, device)
    page.goto(f"/journeys/programme/{programme.pk}/meetings/")
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=t("New steering-group meeting")).click()
    assert_accessible(page)
    page.get_by_label(exact(capfirst(t("date and time")))).fill("2026-05-04T13:00")
    page.get_by_label(exact(capfirst(t("place")))).fill("Stadshuset, rum 3")
    agenda = page.locator("#agenda")
    agenda.get_by_label(exact(t("Item %(number)s") % {"number": 1})).fill(
        "Grindbeslut: Ina Innovatör"
    )
    agenda.get_by_label(
        exact(t("Innovator journey of item %(number)s") % {"number": 1})
    ).select_option(index=1)
    agenda.get_by_label(exact(t("Item %(number)s") % {"number": 2})).fill("Övriga frågor")
    page.get_by_label("Stina Styrgrupp").check()
    page.get_by_label("Bertil Bolagsson").check()
    page.get_by_label(exact(capfirst(t("minutes")))).fill("Mötet öppnades. Jäv anmäldes.")
    main_button(page, "Save").click()
    meeting = programme.group_meetings.get()
    expect(page).to_have_url(at_path(f"/journeys/meetings/{meeting.pk}/"))
    assert_accessible(page)
    assert [(i.title, i.journey_id) for i in meeting.items.all()] == [
        ("Grindbeslut: Ina Innovatör", journey.pk),
        ("Övriga frågor", None),
    ]

    # and the conflict Bertil declares about Ina's journey
    page.get_by_label(exact(t("Member"))).select_option(label="Bertil Bolagsson")
    page.get_by_label(exact(t("Innovator journey it concerns"))).select_option(index=1)
    page.get_by_label(exact(t("Note"))).fill("Sitter i styrelsen")
    main_button(page, "Record").click()
    expect(page.locator("#conflicts")).to_contain_text("Bertil Bolagsson")
    expect(page.locator("#conflicts")).to_contain_text("Sitter i styrelsen")
    assert_accessible(page)

    # and saves the meeting again unchanged: the agenda keeps its items and their journey
    items = [(i.pk, i.title, i.journey_id, i.position) for i in meeting.items.all()]
    page.locator("main").get_by_role("link", name=t("Edit the meeting")).click()
    assert_accessible(page)
    main_button(page, "Save").click()
    expect(page).to_have_url(at_path(f"/journeys/meetings/{meeting.pk}/"))
    assert [(i.pk, i.title, i.journey_id, i.position) for i in meeting.items.all()] == items
    _sign_out(page)

    # A steering-group member reads it and downloads the minutes
    page.goto("/accounts/login/")
    sign_in(page, "sg@example.se")
    page.goto(f"/journeys/meetings/{meeting.pk}/")
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name=t("Minutes as PDF")).click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
