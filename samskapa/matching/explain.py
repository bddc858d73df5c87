"""The engine's explanations in the reader's language, with names instead of engine ids.

The engine (engine.py) gives each applicant an explanation as a code, the figures behind it and
an English sentence; `describe` renders the code and figures here, through gettext, naming
applicants and challenges as the operator knows them. A code this module does not know falls
back to the engine's own English sentence, so a new kind of explanation is never lost.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Names:
    """Display names for engine ids ("a<application id>", "c<challenge id>")."""

    applicant: Callable[[str], str]
    challenge: Callable[[str], str]


def number(value) -> str:
    """A figure as the page shows it: at most two decimals, in the reader's notation."""
    if value is None:
        return "–"
    rounded = round(float(value), 2)
    if rounded == int(rounded):
        return formats.number_format(int(rounded))
    return formats.number_format(rounded, decimal_pos=2 if round(rounded, 1) != rounded else 1)


def percent(share) -> str:
    return "–" if share is None else f"{number(100 * share)} %"


def gender_plural(code: str) -> str:
    return {"woman": _("women"), "man": _("men"), "other": _("people of another gender")}.get(
        code, code
    )


def broken(items, names: Names) -> str:
    """The constraints a move would break, as one phrase."""
    parts = []
    for item in items or ():
        challenge = item.get("challenge")
        if item.get("constraint") == "gender_balance":
            parts.append(
                _("the gender balance at %(challenge)s") % {"challenge": names.challenge(challenge)}
                if challenge
                else _("the gender balance")
            )
        else:
            parts.append(
                _("the minimum at %(challenge)s") % {"challenge": names.challenge(challenge)}
                if challenge
                else _("a minimum")
            )
    return str(get_text_list(parts, _("and")))


def relaxed(item: dict, names: Names, mode: str) -> str:
    """One constraint that had to give, as a sentence."""
    stable = mode == "stable"
    if item.get("constraint") == "min_filled":
        text = _(
            "%(challenge)s has %(reached)s placed, fewer than its minimum of %(required)s."
        ) % {
            "challenge": names.challenge(item["challenge"]),
            "reached": item["reached"],
            "required": item["required"],
        }
    elif item.get("constraint") == "gender_balance":
        values = {
            "group": gender_plural(item.get("gender", "")),
            "reached": percent(item.get("reached_share")),
            "required": percent(item.get("required_share")),
        }
        if item.get("challenge"):
            values["challenge"] = names.challenge(item["challenge"])
            text = (
                _(
                    "The share of %(group)s at %(challenge)s is %(reached)s, below the "
                    "required %(required)s."
                )
                % values
            )
        else:
            text = (
                _("The share of %(group)s overall is %(reached)s, below the required %(required)s.")
                % values
            )
    else:
        return item.get("text", "")
    if stable:
        text += " " + _("(Stable matching does not enforce it.)")
    return text


def describe(detail: dict | None, names: Names, mode: str) -> str:
    """Why an applicant is where it is, from the engine's explanation details."""
    if not detail:
        return ""
    try:
        text = _reason(detail, names, mode)
    except (KeyError, TypeError, ValueError):
        text = None
    if text is None:
        return detail.get("text", "")
    if "elsewhere" in detail:
        other = detail["elsewhere"]
        if other is None:
            text += " " + _("Every other challenge where they could be placed is full.")
        elif other.get("breaks"):
            text += " " + _(
                "There is room at %(challenge)s, but placing them there would break "
                "%(constraints)s."
            ) % {
                "challenge": names.challenge(other["challenge"]),
                "constraints": broken(other["breaks"], names),
            }
        else:
            text += " " + _(
                "There is room at %(challenge)s, but placing them there would not raise the total."
            ) % {"challenge": names.challenge(other["challenge"])}
    return text


def _reason(d: dict, names: Names, mode: str) -> str | None:
    code = d["code"]
    here = names.challenge(d["challenge"]) if d.get("challenge") else None
    score = number(d.get("score"))
    if code == "locked":
        return _("Placed at %(here)s (score %(score)s) because the pair was locked.") % {
            "here": here,
            "score": score,
        }
    if here is None:
        opening = _("Not placed.")
    elif d.get("choice"):
        opening = _("Placed at %(here)s (choice %(choice)s, score %(score)s).") % {
            "here": here,
            "choice": d["choice"],
            "score": score,
        }
    else:
        opening = _("Placed at %(here)s (a challenge they did not rank, score %(score)s).") % {
            "here": here,
            "score": score,
        }
    if d.get("first_choice"):
        target = _("their first choice %(challenge)s") % {
            "challenge": names.challenge(d["first_choice"])
        }
    elif d.get("best_fit"):
        target = _("%(challenge)s, where they would add most to the total") % {
            "challenge": names.challenge(d["best_fit"])
        }
    else:
        target = None
    if code == "first_choice":
        return _("Placed at %(here)s, their first choice (score %(score)s).") % {
            "here": here,
            "score": score,
        }
    simple = {
        "best_fit": _(
            "They ranked no challenges; this is where their score adds most to the total."
        ),
        "no_score": _("The panel has not scored them for any challenge they may be placed at."),
        "no_preferences": _(
            "They ranked no challenges, and stable matching places only by ranking."
        ),
    }
    if code in simple:
        return f"{opening} {simple[code]}"
    if target is None:
        return None
    if code == "first_choice_not_scored":
        sentence = _("The panel did not score them for %(target)s, so they cannot be placed there.")
        return f"{opening} {sentence % {'target': target}}"
    if code == "first_choice_excluded":
        return f"{opening} {_('The pair with %(target)s was excluded.') % {'target': target}}"
    if code == "first_choice_no_places":
        return f"{opening} {_('There are no places at %(target)s.') % {'target': target}}"
    own = number(d.get("own_score_there"))
    if "move_loss" in d:  # the challenge compared with has room
        loss = d["move_loss"]
        if code in ("gender_balance", "min_filled"):
            sentence = _(
                "There is room at %(target)s, and moving there would raise the total by "
                "%(gain)s, but it would break %(constraints)s."
            ) % {"target": target, "gain": number(-loss), "constraints": broken(d["breaks"], names)}
        elif here is None:
            sentence = _(
                "There is room at %(target)s, but placing them there (score %(own)s) would not "
                "raise the total."
            ) % {"target": target, "own": own}
        else:
            sentence = _(
                "There is room at %(target)s, but moving there (score %(own)s) would lower the "
                "total by %(loss)s."
            ) % {"target": target, "own": own, "loss": number(loss)}
        return f"{opening} {sentence}"
    values = {
        "target": target,
        "capacity": d["capacity_there"],
        "lowest": number(d.get("lowest_placed_score")),
        "own": own,
    }
    places = values["capacity"]
    if code == "first_choice_full_locked":
        full = ngettext(
            "The only place at %(target)s is taken by a locked placement.",
            "All %(capacity)s places at %(target)s are taken by locked placements.",
            places,
        )
        return f"{opening} {full % values}"
    if mode == "stable":
        full = ngettext(
            "The only place at %(target)s is taken by an applicant it ranks higher (score "
            "%(lowest)s; their own score there is %(own)s).",
            "All %(capacity)s places at %(target)s are taken by applicants it ranks higher "
            "(scores from %(lowest)s; their own score there is %(own)s).",
            places,
        )
    else:
        full = ngettext(
            "The only place at %(target)s is taken (the score placed there is %(lowest)s, "
            "their own is %(own)s).",
            "All %(capacity)s places at %(target)s are taken (the lowest placed score there "
            "is %(lowest)s, their own is %(own)s).",
            places,
        )
    full = full % values
    parts = [opening, full]
    if d.get("swap"):
        parts.append(_swap(d["swap"], names))
    if d.get("blocked_swap") and (code != "first_choice_full" or not d.get("swap")):
        parts.append(_swap(d["blocked_swap"], names, blocked=True))
    return " ".join(parts)


def _swap_sentences() -> dict:
    """Each swap sentence whole, by (the other moves or is left unplaced, the effect on the
    total, whether the swap breaks a constraint), so that translators get whole sentences."""
    return {
        ("moves", "lower", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would lower the total by %(amount)s."
        ),
        ("moves", "raise", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would raise the total by %(amount)s."
        ),
        ("moves", "same", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would leave the total unchanged."
        ),
        ("unplaced", "lower", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would lower the total by %(amount)s."
        ),
        ("unplaced", "raise", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would raise the total by %(amount)s."
        ),
        ("unplaced", "same", False): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would leave the total unchanged."
        ),
        ("moves", "lower", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would lower the total by %(amount)s but break %(constraints)s."
        ),
        ("moves", "raise", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would raise the total by %(amount)s but break %(constraints)s."
        ),
        ("moves", "same", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would move to "
            "%(there)s, would leave the total unchanged but break %(constraints)s."
        ),
        ("unplaced", "lower", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would lower the total by %(amount)s but break %(constraints)s."
        ),
        ("unplaced", "raise", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would raise the total by %(amount)s but break %(constraints)s."
        ),
        ("unplaced", "same", True): _(
            "Swapping places with %(other)s (score %(score)s there), who would be left "
            "unplaced, would leave the total unchanged but break %(constraints)s."
        ),
    }


def _swap(swap: dict, names: Names, blocked: bool = False) -> str:
    values = {
        "other": names.applicant(swap["with"]),
        "score": number(swap["with_score"]),
        "amount": number(abs(swap["loss"])),
    }
    if swap.get("with_moves_to"):
        values["there"] = names.challenge(swap["with_moves_to"])
    if blocked:
        values["constraints"] = broken(swap.get("breaks"), names)
    loss = swap["loss"]
    effect = "lower" if loss > TOLERANCE else "raise" if loss < -TOLERANCE else "same"
    where = "moves" if swap.get("with_moves_to") else "unplaced"
    return _swap_sentences()[(where, effect, blocked)] % values
