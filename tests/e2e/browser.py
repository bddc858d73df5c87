"""Helpers for the browser tests: marks, sign-in, translated texts, the accessibility check."""

import base64
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django_otp.oath import totp
from playwright.sync_api import Page, expect

# WCAG 2.1 level A and AA: what Swedish public-sector sites are held to (DOS-lagen, EN 301 549).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PASSWORD = "Rätt-häst-batteri-42"


# Each test module here starts with `pytestmark = BROWSER_TEST`.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


_axe = Axe()

_DUPLICATE_IDS = """() => {
  const counts = {};
  for (const element of document.querySelectorAll("[id]")) {
    counts[element.id] = (counts[element.id] || 0) + 1;
  }
  return Object.keys(counts).filter((id) => counts[id] > 1);
}"""


def axe_violations(page: Page) -> list[dict]:
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary")
            if summary:
                lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable list when axe finds WCAG 2.1 A/AA violations on the current page.

    Also fails on duplicate ids, which break labels and aria-describedby: axe only lists them
    as "needs review".
    """
    violations = axe_violations(page)
    assert not violations, (
        f"{len(violations)} WCAG 2.1 A/AA violation(s) on {page.url}:\n"
        + format_violations(violations)
    )
    duplicates = page.evaluate(_DUPLICATE_IDS)
    assert not duplicates, f"Duplicate ids on {page.url}: {', '.join(duplicates)}"


def t(text: str, language: str = "sv") -> str:
    """`text` as the page shows it in `language` (the project's own catalogue decides)."""
    with translation.override(language):
        return translation.gettext(text)


def exact(text: str) -> re.Pattern:
    """A pattern matching `text` as the whole (whitespace-trimmed) content of an element.

    A trailing colon is allowed: Django's form labels end in one.
    """
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def current_totp(secret_base32: str) -> str:
    """The code an authenticator app shows now for `secret_base32` (as on the set-up page)."""
    key = base64.b32decode(secret_base32.strip())
    return f"{totp(key):06d}"


def totp_now(device) -> str:
    """The code an authenticator app set up with this TOTPDevice shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(page: Page, email: str, password: str = PASSWORD, language: str = "sv") -> None:
    """Sign in through the real form (the page must show the sign-in form)."""
    page.get_by_label(t("E-mail address", language)).fill(email)
    page.get_by_label(t("Password", language)).fill(password)
    page.locator("main").get_by_role("button", name=exact(t("Sign in", language))).click()


def at_path(path: str) -> re.Pattern:
    """For `expect(page).to_have_url(...)`: the live server's URL with this path (and query)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}$")


def main_button(page: Page, label: str, language: str = "sv"):
    """The button of the page's main content with exactly this (translated) name."""
    return page.locator("main").get_by_role("button", name=exact(t(label, language)))


def verify_second_factor(page: Page, device) -> None:
    """Answer the second-factor step that follows an operator's sign-in, with a code from their
    TOTP `device`; they land on their dashboard."""
    page.get_by_label(t("Six-digit code from your authenticator app")).fill(totp_now(device))
    main_button(page, "Verify").click()
    expect(page).to_have_url(at_path("/dashboard/"))
