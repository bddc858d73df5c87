"""Browser end-to-end tests: Debian's Chromium driven by Playwright against `live_server`.

Every test here is marked `browser` (`pytest -m "not browser"` skips them) and runs in a
transaction-flushing database (the live server runs in another thread). `serialized_rollback`
restores the rows the data migrations load (the Operators group, the municipality codes), which
a flush would otherwise remove for the tests that run after these.

Fixtures live here; the helpers the tests import (`BROWSER_TEST`, `sign_in`, `t`,
`assert_accessible`, ...) in browser.py. Run them with `make test`, or alone:
`DEBUG=false SECRET_KEY=test-only HTTPS=false DJANGO_ALLOW_ASYNC_UNSAFE=true
.venv/bin/python -m pytest tests/e2e`.
"""

import pytest
from django.db import connections
from playwright.sync_api import Page

from tests.e2e.browser import CHROMIUM_ARGS, assert_accessible


@pytest.fixture(scope="session")
def _serialized_test_database(django_db_setup, django_db_blocker) -> dict[str, str]:
    """What pytest-django's serialized rollback restores, read before Playwright starts."""
    with django_db_blocker.unblock():
        return {
            alias: connections[alias]._test_serialized_contents
            for alias in connections
            if hasattr(connections[alias], "_test_serialized_contents")
        }


@pytest.fixture(scope="session")
def playwright(_serialized_test_database, playwright):
    """pytest-playwright's `playwright`, keeping serialized rollback working after it starts.

    Playwright's sync API marks its event loop as running between calls. From then on, asgiref
    keeps Django's connections per context instead of per thread, so this thread gets new
    connection objects, without the test database's serialized contents: after a flush,
    transactional tests (these and any that run later) would find the rows the data migrations
    load missing. Give the new connection objects those contents too.
    """
    for alias, contents in _serialized_test_database.items():
        connections[alias]._test_serialized_contents = contents
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright never downloads a browser on this machine."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    # A Swedish browser, as most of the platform's users have; the language switcher is tested.
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "sv-SE",
        "timezone_id": "Europe/Stockholm",
    }


@pytest.fixture
def page(page: Page):
    """Playwright's page, failing the test on JavaScript errors and Content-Security-Policy blocks.

    (Resources that fail to load are checked in test_layout.py.)
    """
    page.set_default_timeout(5_000)
    problems = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error on {page.url}: {error}"))

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"Console error on {page.url}: {message.text}")

    page.on("console", on_console)
    yield page
    assert not problems, "\n".join(problems)


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture():
    return assert_accessible
