"""The demo's matching: the autumn call's shortlisted applications are selected, and one run of
the matching engine is stored (not confirmed), so that a newcomer opens a proposal on the
whiteboard and can lock, exclude, run again, compare and confirm it."""

from samskapa.calls import services as calls
from samskapa.calls.models import ApplicationStatus, Decision
from samskapa.matching import services as matching
from samskapa.matching.models import MatchingRun

RATIONALE = "Stark bedömning i panelen och en tydlig idé för förvaltningens testmiljö."
LABEL = "Första förslaget"


def add_matching(call, operator) -> MatchingRun:
    """Select `call`'s shortlisted applications (with a rationale) and run the matching once
    with the default settings (room for everyone, at least 40 % women and 40 % men among the
    placed women and men). The call must have closed. Returns the run."""
    shortlisted = call.applications.filter(
        shortlisted=True, status=ApplicationStatus.SUBMITTED
    ).order_by("pk")
    for application in shortlisted:
        if application.decision != Decision.SELECTED:
            calls.decide(application, by=operator, decision=Decision.SELECTED, rationale=RATIONALE)
    return matching.run_matching(call, by=operator, settings={"label": LABEL})
