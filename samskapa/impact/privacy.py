"""Keeping Swedish personal identity numbers out of impact data.

Free text (survey answers, notes, imported cells) and uploaded files are scanned for
personnummer and samordningsnummer (coordination numbers: the day of birth plus 60) before
anything is stored; a hit refuses the input with a message that says where, never echoing the
number. Validation — date, century sign, Luhn check digit, coordination numbers — is the
maintained `personnummer` package's; we only find the candidates in the text.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from personnummer import personnummer

# 6 or 8 digits of date, an optional separator, 4 digits; not part of a longer run of digits
# (an account number, a phone number with a prefix). The separator as people type it: a hyphen,
# a plus (aged 100 or more), an en or em dash or minus sign (word processors' autocorrect), a
# dot or spaces, with spaces around it allowed.
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # escaped hyphen: no range in [...]
_CANDIDATE = re.compile(
    rf"(?<![\d{_DASHES}])((?:\d{{2}})?\d{{6}})\s*([{_DASHES}+.]?)\s*(\d{{4}})(?!\d)"
)


def _as_the_package_reads_it(match) -> str:
    date, separator, last_four = match.groups()
    # The package knows "-" and "+" (the century sign) only.
    return f"{date}{'+' if separator == '+' else '-'}{last_four}"


def identity_numbers_in(text: str) -> list[str]:
    """The valid personal identity or coordination numbers in `text`, as written."""
    if not text:
        return []
    return [
        m.group(0)
        for m in _CANDIDATE.finditer(text)
        if personnummer.valid(_as_the_package_reads_it(m))
    ]


def refuse_identity_numbers(text: str, *, where=None) -> None:
    """Raise a ValidationError when `text` holds a personal identity or coordination number.
    `where` names the place (a field, "row 12, column value") for the message."""
    found = identity_numbers_in(text)
    if not found:
        return
    if where:
        message = _(
            "%(where)s contains what looks like a personal identity or coordination number. "
            "Impact data must not identify anyone: remove it and try again."
        ) % {"where": where}
    else:
        message = _(
            "The text contains what looks like a personal identity or coordination number. "
            "Impact data must not identify anyone: remove it and try again."
        )
    raise ValidationError(message, code="identity_number")
