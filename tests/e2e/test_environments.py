"""Test environments in the browser: the innovator finds their test environment from the
programme page, adds a task that is already overdue and sees it marked, marks it done; the host
department's needs owner reads what happened in the timeline. Axe on every page."""

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import Page, expect

from samskapa.accounts.models import Role
from samskapa.environments.models import Task
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
)

pytestmark = BROWSER_TEST


def test_the_innovator_and_the_host_work_in_the_workspace(page: Page):
    # Given a test environment of an innovator, hosted by a needs owner's department
    operator = factories.person("op@example.se", operator_group=True)
    programme = factories.programme(operator=operator, name="Älvstad samskapar")
    innovator = factories.person("ina@example.se", password=PASSWORD, full_name="Ina Innovatör")
    host = factories.person("bo@example.se", password=PASSWORD, full_name="Bo Behovsägare")
    department = factories.department(name="Socialförvaltningen")
    factories.member(programme, Role.INNOVATOR, user=innovator)
    factories.member(programme, Role.NEEDS_OWNER, user=host, department_=department)
    environment = factories.environment(
        programme,
        by=operator,
        innovator=innovator,
        challenge_=factories.challenge(programme, department, title="Meningsfull vardag"),
        aims="Femton deltagare provar verkstaden varje vecka",
    )

    # The innovator goes from the programme page to their test environment
    page.goto("/accounts/login/")
    sign_in(page, "ina@example.se")
    page.goto(f"/programmes/{programme.pk}/")
    page.locator("main").get_by_role("link", name=exact(t("My test environment"))).click()
    expect(page).to_have_url(at_path(f"/environments/{environment.pk}/"))
    expect(page.locator("main")).to_contain_text("Femton deltagare provar verkstaden")
    assert_accessible(page)

    # ... adds a task that was due yesterday
    page.locator("main").get_by_text(t("Add a task"), exact=True).click()
    page.get_by_label(exact(capfirst(t("task")))).fill("Skicka deltagarenkäten")
    page.get_by_label(exact(capfirst(t("owner")))).select_option(label="Ina Innovatör")
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label(exact(capfirst(t("due")))).fill(yesterday.isoformat())
    assert_accessible(page)
    main_button(page, "Add the task").click()
    expect(page.locator("main")).to_contain_text(t("The task is added."))
    expect(page.locator("main .overdue").first).to_contain_text(t("Overdue"))
    assert_accessible(page)

    # ... and marks it done: no longer overdue
    page.locator("main").get_by_role(
        "button", name=re.compile(rf"^\s*{re.escape(t('Mark done'))}\s*:\s*Skicka deltagarenkäten")
    ).click()
    expect(page.locator("main .overdue")).to_have_count(0)
    assert Task.objects.get().done
    page.locator("header").get_by_role("button", name=exact(t("Sign out"))).click()

    # The host department's needs owner reads it in the timeline
    page.goto("/accounts/login/")
    sign_in(page, "bo@example.se")
    page.goto(f"/environments/{environment.pk}/")
    timeline = page.locator("main ol.timeline")
    expect(timeline).to_contain_text(t("Task added"))
    expect(timeline).to_contain_text(t("Task done"))
    expect(timeline).to_contain_text("Ina Innovatör")
    assert_accessible(page)
