"""Personal identity numbers are found in free text and refused; other numbers are not."""

import pytest
from django.core.exceptions import ValidationError

from samskapa.impact.privacy import identity_numbers_in, refuse_identity_numbers


@pytest.mark.parametrize(
    "text",
    [
        "Deltagaren 811228-9874 kom tillbaka",  # personnummer, 10 digits with a dash
        "pnr 198112289874",  # 12 digits without a separator
        "19811228-9874",
        "811228 9874",  # with a space
        "samordningsnummer 701063-2391",  # coordination number (day 03 + 60)
        "811228\u20139874",  # an en dash, as a word processor's autocorrect writes it
        "811228 - 9874",
        "811228.9874",
        "Svar: 198112289874.",
    ],
)
def test_identity_and_coordination_numbers_are_found(text):
    assert identity_numbers_in(text)
    with pytest.raises(ValidationError, match="personal identity or coordination number"):
        refuse_identity_numbers(text, where="Row 3")


@pytest.mark.parametrize(
    "text",
    [
        "Vi träffade 12 personer den 2026-03-01",
        "Organisationsnummer 556036-0793",  # a company: month 60 is no date
        "811228-9875",  # wrong check digit
        "Telefon 0701234567",
        "Konto 1234567890123",
        "",
    ],
)
def test_other_numbers_pass(text):
    assert identity_numbers_in(text) == []
    refuse_identity_numbers(text)


def test_the_message_names_the_place_and_never_the_number():
    with pytest.raises(ValidationError) as error:
        refuse_identity_numbers("811228-9874", where="Row 3, column comment")
    assert "Row 3, column comment" in error.value.messages[0]
    assert "9874" not in error.value.messages[0]
