"""The role × action matrix, walked against the real views and API.

docs/permissions.md shows the same table to humans; test_docs_show_the_same_matrix keeps them
in step. Statuses: 200/201 allowed, 302 (pages) or 401 (API) not signed in, 403 may see the
programme but not do this, 404 outside the person's programmes (existence not revealed).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samskapa.accounts.models import ApiToken, Role
from samskapa.calls import services as calls
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories
from tests.test_uploads import pdf_bytes

ROLES = ["anonymous", "outsider", *[role.value for role in Role]]

# label, method, path (filled from the programme under test), statuses in ROLES order.
MATRIX = [
    ("Dashboard", "GET", "/dashboard/", "302 200 200 200 200 200 200 200"),
    ("View programme", "GET", "/programmes/{p}/", "302 404 200 200 200 200 200 200"),
    ("Create programme", "GET", "/programmes/new/", "302 403 200 403 403 403 403 403"),
    ("Edit programme", "GET", "/programmes/{p}/edit/", "302 404 200 403 403 403 403 403"),
    ("Edit phase", "GET", "/programmes/{p}/phases/2/edit/", "302 404 200 403 403 403 403 403"),
    ("List all members", "GET", "/programmes/{p}/members/", "302 404 200 403 403 403 403 403"),
    ("Add member", "POST", "/programmes/{p}/members/", "302 404 302 403 403 403 403 403"),
    (
        "Remove member",
        "POST",
        "/programmes/{p}/members/{m}/remove/",
        "302 404 302 403 403 403 403 403",
    ),
    ("Programme history", "GET", "/programmes/{p}/history/", "302 404 200 403 403 403 403 403"),
    ("List organisations", "GET", "/organisations/", "302 200 200 200 200 200 200 200"),
    ("View organisation", "GET", "/organisations/{o}/", "302 200 200 200 200 200 200 200"),
    ("Create organisation", "GET", "/organisations/new/", "302 403 200 403 403 403 403 403"),
    ("Edit organisation", "GET", "/organisations/{o}/edit/", "302 403 200 403 403 403 403 403"),
    (
        "Programme's challenges",
        "GET",
        "/programmes/{p}/challenges/",
        "302 404 200 200 200 200 200 200",
    ),
    ("New challenge", "GET", "/programmes/{p}/challenges/new/", "302 404 200 403 200 403 403 403"),
    ("View a draft challenge", "GET", "/challenges/{c}/", "302 404 200 200 200 404 404 404"),
    ("Edit a draft challenge", "GET", "/challenges/{c}/edit/", "302 404 200 403 200 404 404 404"),
    (
        "Send a challenge for review",
        "POST",
        "/challenges/{c}/steps/submit/",
        "302 404 302 403 302 404 404 404",
    ),
    (
        "Comment on a challenge",
        "POST",
        "/challenges/{c}/comments/",
        "302 404 302 302 302 404 404 404",
    ),
    ("Programme's calls", "GET", "/calls/programmes/{p}/", "302 404 200 200 200 200 200 200"),
    ("New call", "GET", "/calls/programmes/{p}/new/", "302 404 200 403 403 403 403 403"),
    ("View an open call", "GET", "/calls/{k}/", "200 200 200 200 200 200 200 200"),
    ("Edit a call", "GET", "/calls/{k}/edit/", "302 403 200 403 403 403 403 403"),
    ("Apply to an open call", "GET", "/calls/{k}/apply/", "302 200 200 200 200 200 200 200"),
    ("My applications", "GET", "/calls/mine/", "302 200 200 200 200 200 200 200"),
    (
        "Applications to a call",
        "GET",
        "/calls/{k}/applications/",
        "302 403 200 403 200 403 403 403",
    ),
    (
        "Another's application to an open call",
        "GET",
        "/calls/applications/{a}/",
        "302 404 200 404 404 404 404 404",
    ),
    (
        "A file of another's application to an open call",
        "GET",
        "/calls/applications/{a}/files/{f}/",
        "302 404 200 404 404 404 404 404",
    ),
    (
        "A file of an application after declaring no conflict",
        "GET",
        "/calls/applications/{r}/files/{g}/",
        "302 404 200 404 404 404 200 404",
    ),
    (
        "Review panel of a call",
        "GET",
        "/calls/{k}/review-panel/",
        "302 403 200 403 403 403 403 403",
    ),
    ("Review summary of a call", "GET", "/calls/{k}/reviews/", "302 403 200 403 403 403 403 403"),
    ("My reviews", "GET", "/calls/reviews/", "302 200 200 200 200 200 200 200"),
    (
        "Declare a conflict on an application given to the reviewer",
        "GET",
        "/calls/reviews/{a}/declare/",
        "302 404 404 404 404 404 200 404",
    ),
    (
        "Score an application before declaring",
        "GET",
        "/calls/reviews/{a}/score/",
        "302 404 403 404 404 404 404 404",
    ),
    (
        "Score an application after declaring no conflict",
        "GET",
        "/calls/reviews/{r}/score/",
        "302 404 403 404 404 404 200 404",
    ),
    (
        "Shortlist an application",
        "POST",
        "/calls/applications/{a}/shortlist/",
        "302 404 302 404 404 404 404 404",
    ),
    (
        "Decide on an application",
        "GET",
        "/calls/applications/{a}/decision/",
        "302 404 200 404 404 404 404 404",
    ),
    ("API tokens", "GET", "/accounts/api-tokens/", "302 200 200 200 200 200 200 200"),
    ("Choose a password", "GET", "/accounts/password-reset/", "200 200 200 200 200 200 200 200"),
    (
        "Set up two-factor sign-in",
        "GET",
        "/accounts/two-factor/set-up/",
        "302 200 200 200 200 200 200 200",
    ),
    (
        "Revoke another's API token",
        "POST",
        "/accounts/api-tokens/{t}/revoke/",
        "302 404 404 404 404 404 404 404",
    ),
    ("Health check", "GET", "/healthz", "200 200 200 200 200 200 200 200"),
    ("API documentation", "GET", "/api/docs", "200 200 200 200 200 200 200 200"),
    ("API: list programmes", "GET", "/api/programmes", "401 200 200 200 200 200 200 200"),
    ("API: programme", "GET", "/api/programmes/{p}", "401 404 200 200 200 200 200 200"),
    ("API: phases", "GET", "/api/programmes/{p}/phases", "401 404 200 200 200 200 200 200"),
    (
        "API: memberships",
        "GET",
        "/api/programmes/{p}/memberships",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: programme's challenges",
        "GET",
        "/api/programmes/{p}/challenges",
        "401 404 200 200 200 200 200 200",
    ),
    ("API: a draft challenge", "GET", "/api/challenges/{c}", "401 404 200 200 200 404 404 404"),
    ("Create an account", "GET", "/accounts/register/", "200 200 200 200 200 200 200 200"),
    ("Public portal", "GET", "/portal/", "200 200 200 200 200 200 200 200"),
    (
        "Portal page of a draft challenge",
        "GET",
        "/portal/challenges/{c}/",
        "404 404 404 404 404 404 404 404",
    ),
    ("API: an open call", "GET", "/api/calls/{k}", "401 200 200 200 200 200 200 200"),
    (
        "API: a call's applications",
        "GET",
        "/api/calls/{k}/applications",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "API: a file of another's application",
        "GET",
        "/api/applications/{a}/files/{f}",
        "401 404 200 404 404 404 404 404",
    ),
    (
        "API: a file of an application after declaring no conflict",
        "GET",
        "/api/applications/{r}/files/{g}",
        "401 404 200 404 404 404 200 404",
    ),
    ("API: a call's rubric", "GET", "/api/calls/{k}/criteria", "401 200 200 200 200 200 200 200"),
    (
        "API: applications given me to review",
        "GET",
        "/api/reviews/assigned",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "API: review summary of a call",
        "GET",
        "/api/calls/{k}/review-summary",
        "401 403 200 403 403 403 403 403",
    ),
    (
        "API: declare a conflict on an application given to the reviewer",
        "POST",
        "/api/applications/{a}/conflict-declaration",
        "401 404 404 404 404 404 201 404",
    ),
    (
        "API: shortlist an application",
        "POST",
        "/api/applications/{a}/shortlist",
        "401 404 200 404 404 404 404 404",
    ),
    (
        "API: score an application the reviewer declared no conflict on",
        "POST",
        "/api/applications/{r}/reviews",
        "401 404 404 404 404 404 422 404",
    ),
    (
        "API: decide on an application",
        "POST",
        "/api/applications/{a}/decision",
        "401 404 200 404 404 404 404 404",
    ),
    ("Atom feed of new challenges", "GET", "/portal/feed/", "200 200 200 200 200 200 200 200"),
    ("Atom feed of open calls", "GET", "/portal/calls/feed/", "200 200 200 200 200 200 200 200"),
    (
        "Call deadlines (.ics)",
        "GET",
        "/portal/calls/deadlines.ics",
        "200 200 200 200 200 200 200 200",
    ),
    ("API: list organisations", "GET", "/api/organisations", "401 200 200 200 200 200 200 200"),
    ("API: create organisation", "POST", "/api/organisations", "401 403 201 403 403 403 403 403"),
    (
        "Recruitment lab of a call",
        "GET",
        "/recruitment/calls/{k}/lab/",
        "302 403 200 403 403 403 403 403",
    ),
    ("Add a lab time", "POST", "/recruitment/calls/{k}/lab/", "302 403 302 403 403 403 403 403"),
    ("Change a lab time", "GET", "/recruitment/slots/{s}/edit/", "302 404 200 404 404 404 404 404"),
    (
        "Invite to the recruitment lab",
        "POST",
        "/recruitment/applications/{a}/invite/",
        "302 404 302 404 404 404 404 404",
    ),
    (
        "Move a lab invitation",
        "POST",
        "/recruitment/invitations/{i}/move/",
        "302 404 302 404 404 404 404 404",
    ),
    (
        "Cancel a lab invitation",
        "POST",
        "/recruitment/invitations/{i}/cancel/",
        "302 404 302 404 404 404 404 404",
    ),
    (
        "Answer another's lab invitation",
        "POST",
        "/recruitment/invitations/{i}/respond/",
        "302 404 403 404 404 404 404 404",
    ),
    (
        "Another's lab invitation (.ics)",
        "GET",
        "/recruitment/invitations/{i}/invitation.ics",
        "302 404 200 404 404 404 404 404",
    ),
    (
        "Funnel of a call",
        "GET",
        "/recruitment/calls/{k}/funnel/",
        "302 403 200 200 200 403 403 403",
    ),
    (
        "API: a call's lab times",
        "GET",
        "/api/calls/{k}/lab-slots",
        "401 403 200 403 403 403 403 403",
    ),
    ("API: add a lab time", "POST", "/api/calls/{k}/lab-slots", "401 403 201 403 403 403 403 403"),
    (
        "API: a call's lab invitations",
        "GET",
        "/api/calls/{k}/lab-invitations",
        "401 403 200 403 403 403 403 403",
    ),
    (
        "API: invite to the recruitment lab",
        "POST",
        "/api/calls/{k}/lab-invitations",
        "401 403 404 403 403 403 403 403",
    ),
    (
        "API: my lab invitations",
        "GET",
        "/api/lab-invitations/mine",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "API: answer another's lab invitation",
        "POST",
        "/api/lab-invitations/{i}/response",
        "401 404 403 404 404 404 404 404",
    ),
    ("API: a call's funnel", "GET", "/api/calls/{k}/funnel", "401 403 200 200 200 403 403 403"),
    (
        "API: a call's funnel snapshots",
        "GET",
        "/api/calls/{k}/funnel/snapshots",
        "401 403 200 200 200 403 403 403",
    ),
    ("Matching of a call", "GET", "/matching/calls/{k}/", "302 403 200 403 403 403 403 403"),
    (
        "Compare matching runs",
        "GET",
        "/matching/calls/{k}/compare/",
        "302 403 200 403 403 403 403 403",
    ),
    (
        "Run the matching of a closed call",
        "POST",
        "/matching/calls/{x}/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "Whiteboard of a matching run",
        "GET",
        "/matching/runs/{u}/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "Lock, exclude or run again from a run",
        "POST",
        "/matching/runs/{u}/rerun/",
        "302 404 302 403 403 403 403 403",
    ),
    (
        "Confirm a matching run",
        "GET",
        "/matching/runs/{u}/confirm/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "API: matching runs of a call",
        "GET",
        "/api/calls/{k}/matching-runs",
        "401 403 200 403 403 403 403 403",
    ),
    (
        "API: run the matching of a closed call",
        "POST",
        "/api/calls/{x}/matching-runs",
        "401 404 201 403 403 403 403 403",
    ),
    ("API: a matching run", "GET", "/api/matching-runs/{u}", "401 404 200 403 403 403 403 403"),
    (
        "API: confirm a matching run",
        "POST",
        "/api/matching-runs/{u}/confirm",
        "401 404 201 403 403 403 403 403",
    ),
    ("API: matches of a call", "GET", "/api/calls/{k}/matches", "401 403 200 403 403 403 403 403"),
    (
        "Learning log of a programme",
        "GET",
        "/learning/programmes/{p}/",
        "302 404 200 200 200 200 200 200",
    ),
    ("New lesson", "GET", "/learning/programmes/{p}/new/", "302 404 200 200 200 200 200 403"),
    ("Record a lesson", "POST", "/learning/programmes/{p}/new/", "302 404 302 302 302 302 302 403"),
    (
        "Lessons awaiting approval",
        "GET",
        "/learning/programmes/{p}/approvals/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "Edit the innovator's lesson",
        "GET",
        "/learning/lessons/{l}/edit/",
        "302 404 403 403 403 200 403 403",
    ),
    (
        "Approve a lesson for the library",
        "POST",
        "/learning/lessons/{l}/decision/",
        "302 404 302 403 403 403 403 403",
    ),
    ("Lessons library", "GET", "/portal/lessons/", "200 200 200 200 200 200 200 200"),
    (
        "API: a programme's lessons",
        "GET",
        "/api/programmes/{p}/lessons",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: record a lesson",
        "POST",
        "/api/programmes/{p}/lessons",
        "401 404 201 201 201 201 201 403",
    ),
    (
        "API: approve a lesson for the library",
        "POST",
        "/api/lessons/{l}/decision",
        "401 404 200 403 403 403 403 403",
    ),
    ("API: lessons library", "GET", "/api/lessons/library", "200 200 200 200 200 200 200 200"),
    (
        "Innovator journeys of a programme",
        "GET",
        "/journeys/programme/{p}/",
        "302 404 200 200 200 200 200 200",
    ),
    ("Programme board", "GET", "/journeys/programme/{p}/board/", "302 404 200 200 403 403 403 403"),
    (
        "Add a journey by hand",
        "GET",
        "/journeys/programme/{p}/new/",
        "302 404 200 403 403 403 403 403",
    ),
    ("The innovator's journey", "GET", "/journeys/{jown}/", "302 404 200 200 404 200 404 404"),
    (
        "Another innovator's journey",
        "GET",
        "/journeys/{jother}/",
        "302 404 200 200 404 404 404 404",
    ),
    (
        "A decided gate of the innovator's journey",
        "GET",
        "/journeys/gates/{gdone}/",
        "302 404 200 200 404 200 404 404",
    ),
    (
        "A gate of another innovator's journey awaiting decision",
        "GET",
        "/journeys/gates/{gopen}/",
        "302 404 200 200 404 404 404 404",
    ),
    ("Open a gate", "POST", "/journeys/{jown}/gates/", "302 404 302 403 404 403 404 404"),
    (
        "Fill in a gate's checklist",
        "POST",
        "/journeys/gates/{gopen}/checklist/",
        "302 404 302 403 404 404 404 404",
    ),
    (
        "Recommend at a gate",
        "POST",
        "/journeys/gates/{gopen}/recommendation/",
        "302 404 302 403 404 404 404 404",
    ),
    (
        "Decide a gate without members present",
        "POST",
        "/journeys/gates/{gopen}/decision/",
        "302 404 403 422 404 404 404 404",
    ),
    (
        "Group meetings of a programme",
        "GET",
        "/journeys/programme/{p}/meetings/",
        "302 404 200 200 200 200 200 200",
    ),
    (
        "New group meeting",
        "GET",
        "/journeys/programme/{p}/meetings/new/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "A steering-group meeting",
        "GET",
        "/journeys/meetings/{msteer}/",
        "302 404 200 200 404 404 404 404",
    ),
    (
        "A needs-owner group meeting",
        "GET",
        "/journeys/meetings/{mneeds}/",
        "302 404 200 404 200 404 404 404",
    ),
    (
        "Edit a steering-group meeting",
        "GET",
        "/journeys/meetings/{msteer}/edit/",
        "302 404 200 403 404 404 404 404",
    ),
    (
        "Minutes of a steering-group meeting (PDF)",
        "GET",
        "/journeys/meetings/{msteer}/minutes.pdf",
        "302 404 200 200 404 404 404 404",
    ),
    (
        "API: a programme's journeys",
        "GET",
        "/api/programmes/{p}/journeys",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: add a journey by hand (unknown person)",
        "POST",
        "/api/programmes/{p}/journeys",
        "401 404 422 403 403 403 403 403",
    ),
    (
        "API: the innovator's journey",
        "GET",
        "/api/journeys/{jown}",
        "401 404 200 200 404 200 404 404",
    ),
    (
        "API: gates of another innovator's journey",
        "GET",
        "/api/journeys/{jother}/gates",
        "401 404 200 200 404 404 404 404",
    ),
    (
        "API: a decided gate of the innovator's journey",
        "GET",
        "/api/gates/{gdone}",
        "401 404 200 200 404 200 404 404",
    ),
    ("API: open a gate", "POST", "/api/journeys/{jown}/gates", "401 404 201 403 404 403 404 404"),
    (
        "API: fill in a gate's checklist",
        "POST",
        "/api/gates/{gopen}/checklist",
        "401 404 200 403 404 404 404 404",
    ),
    (
        "API: recommend at a gate",
        "POST",
        "/api/gates/{gopen}/recommendation",
        "401 404 200 403 404 404 404 404",
    ),
    (
        "API: decide a gate without members present",
        "POST",
        "/api/gates/{gopen}/decision",
        "401 404 403 422 404 404 404 404",
    ),
    ("API: programme board", "GET", "/api/programmes/{p}/board", "401 404 200 200 403 403 403 403"),
    (
        "API: a programme's group meetings",
        "GET",
        "/api/programmes/{p}/meetings",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: create a group meeting",
        "POST",
        "/api/programmes/{p}/meetings",
        "401 404 201 403 403 403 403 403",
    ),
    (
        "API: a steering-group meeting",
        "GET",
        "/api/meetings/{msteer}",
        "401 404 200 200 404 404 404 404",
    ),
    (
        "API: change a steering-group meeting",
        "PATCH",
        "/api/meetings/{msteer}",
        "401 404 200 403 404 404 404 404",
    ),
    (
        "API: minutes of a needs-owner group meeting (PDF)",
        "GET",
        "/api/meetings/{mneeds}/minutes.pdf",
        "401 404 200 404 200 404 404 404",
    ),
    ("Toolbox", "GET", "/workshops/programmes/{p}/toolbox/", "302 404 200 200 200 200 200 200"),
    (
        "New tool",
        "GET",
        "/workshops/programmes/{p}/toolbox/new/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "A programme tool's template",
        "GET",
        "/workshops/programmes/{p}/toolbox/{tool}/template/",
        "302 404 200 200 200 200 200 200",
    ),
    ("Workshops", "GET", "/workshops/programmes/{p}/", "302 404 200 200 200 200 200 200"),
    ("New workshop", "GET", "/workshops/programmes/{p}/new/", "302 404 200 403 403 403 403 403"),
    (
        "A workshop the innovator is invited to",
        "GET",
        "/workshops/{ws}/",
        "302 404 200 404 404 200 404 404",
    ),
    ("Change a workshop", "GET", "/workshops/{ws}/edit/", "302 404 200 404 404 403 404 404"),
    (
        "Workshop attendance and notes",
        "GET",
        "/workshops/{ws}/attendance/",
        "302 404 200 404 404 403 404 404",
    ),
    (
        "A workshop's calendar file",
        "GET",
        "/workshops/{ws}/calendar.ics",
        "302 404 200 404 404 200 404 404",
    ),
    (
        "API: a programme's toolbox",
        "GET",
        "/api/programmes/{p}/tools",
        "401 404 200 200 200 200 200 200",
    ),
    ("API: add a tool", "POST", "/api/programmes/{p}/tools", "401 404 201 403 403 403 403 403"),
    ("API: a programme tool", "GET", "/api/tools/{tool}", "401 404 200 200 200 200 200 200"),
    (
        "API: a starter tool's worksheet",
        "GET",
        "/api/tools/{starter}/template",
        "401 200 200 200 200 200 200 200",
    ),
    (
        "API: a programme's workshops",
        "GET",
        "/api/programmes/{p}/workshops",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: create a workshop",
        "POST",
        "/api/programmes/{p}/workshops",
        "401 404 201 403 403 403 403 403",
    ),
    (
        "API: a workshop the innovator is invited to",
        "GET",
        "/api/workshops/{ws}",
        "401 404 200 404 404 200 404 404",
    ),
    ("API: change a workshop", "PATCH", "/api/workshops/{ws}", "401 404 200 404 404 403 404 404"),
    (
        "API: invite to a workshop",
        "POST",
        "/api/workshops/{ws}/invitations",
        "401 404 200 404 404 403 404 404",
    ),
    (
        "API: record workshop attendance",
        "POST",
        "/api/workshops/{ws}/attendance",
        "401 404 200 404 404 403 404 404",
    ),
    (
        "API: a workshop's calendar file",
        "GET",
        "/api/workshops/{ws}/calendar.ics",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "API: mark done a workshop follow-up the innovator owns",
        "PATCH",
        "/api/follow-ups/{fu}",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "Lessons booklet (PDF) from the learning log",
        "GET",
        "/learning/programmes/{p}/booklet/?lesson={l}",
        "302 404 200 200 200 200 200 200",
    ),
    (
        "Lessons booklet (PDF) from the library",
        "GET",
        "/portal/lessons/booklet/?lesson={l}",
        "302 302 200 200 200 200 200 200",
    ),
    (
        "API: lessons booklet (PDF)",
        "GET",
        "/api/lessons/booklet?ids={l}",
        "422 422 200 200 200 200 200 200",
    ),
    (
        "Test environments of a programme",
        "GET",
        "/environments/programme/{p}/",
        "302 404 200 200 200 200 200 200",
    ),
    (
        "Set up a test environment by hand",
        "GET",
        "/environments/programme/{p}/new/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "The innovator's test environment (hosted by the needs owner's department)",
        "GET",
        "/environments/{env}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Another innovator's test environment (another department)",
        "GET",
        "/environments/{env2}/",
        "302 404 200 404 404 404 404 404",
    ),
    (
        "Edit a test environment",
        "GET",
        "/environments/{env}/edit/",
        "302 404 200 404 403 403 404 404",
    ),
    (
        "Add a task in a test environment's workspace",
        "POST",
        "/environments/{env}/tasks/",
        "302 404 302 404 302 302 404 404",
    ),
    (
        "A file of a test environment's workspace",
        "GET",
        "/environments/{env}/files/{envfile}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "API: a programme's test environments",
        "GET",
        "/api/programmes/{p}/environments",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: the innovator's test environment",
        "GET",
        "/api/environments/{env}",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: another innovator's test environment",
        "GET",
        "/api/environments/{env2}",
        "401 404 200 404 404 404 404 404",
    ),
    (
        "API: change a test environment",
        "PATCH",
        "/api/environments/{env}",
        "401 404 200 404 403 403 404 404",
    ),
    (
        "API: add a task in a test environment",
        "POST",
        "/api/environments/{env}/tasks",
        "401 404 201 404 201 201 404 404",
    ),
    (
        "API: add a meeting in a test environment",
        "POST",
        "/api/environments/{env}/meetings",
        "401 404 201 404 201 201 404 404",
    ),
    (
        "API: a file of a test environment",
        "GET",
        "/api/environments/{env}/files/{envfile}",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: the timeline of a test environment",
        "GET",
        "/api/environments/{env}/timeline",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: the tasks of a test environment",
        "GET",
        "/api/environments/{env}/tasks",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: the meetings of a test environment",
        "GET",
        "/api/environments/{env}/meetings",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: the files of a test environment",
        "GET",
        "/api/environments/{env}/files",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: the tasks of another innovator's test environment",
        "GET",
        "/api/environments/{env2}/tasks",
        "401 404 200 404 404 404 404 404",
    ),
    (
        "Import measurements into the innovator's test environment",
        "GET",
        "/impact/imports/environments/{env}/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "Import measurements into another innovator's test environment",
        "GET",
        "/impact/imports/environments/{env2}/",
        "302 404 200 404 404 404 404 404",
    ),
    (
        "Import template of a test environment (CSV)",
        "GET",
        "/impact/imports/environments/{env}/template.csv",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "API: imports of a test environment",
        "GET",
        "/api/environments/{env}/impact-imports",
        "401 404 200 404 403 200 404 404",
    ),
    (
        "API: upload a file for an import's preview (none sent)",
        "POST",
        "/api/environments/{env}/impact-imports",
        "401 404 422 404 403 422 404 404",
    ),
    (
        "Surveys of the innovator's test environment",
        "GET",
        "/surveys/environments/{env}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "New survey in the innovator's test environment",
        "GET",
        "/surveys/environments/{env}/new/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "A survey of the innovator's test environment",
        "GET",
        "/surveys/{sv}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Add a survey question",
        "GET",
        "/surveys/{sv}/questions/new/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "Respondent codes of a survey",
        "GET",
        "/surveys/{sv}/codes/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "Close a survey",
        "POST",
        "/surveys/{sv}/status/",
        "302 404 302 404 403 302 404 404",
    ),
    (
        "Update indicators from a survey",
        "POST",
        "/surveys/{sv}/indicators/",
        "302 404 302 404 403 302 404 404",
    ),
    (
        "Results of a survey (small figures suppressed outside the team)",
        "GET",
        "/surveys/{sv}/results/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Answer an open survey by its link (no sign-in)",
        "GET",
        "/s/{svtoken}/",
        "200 200 200 200 200 200 200 200",
    ),
    (
        "API: surveys of the innovator's test environment",
        "GET",
        "/api/environments/{env}/surveys",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: create a survey",
        "POST",
        "/api/environments/{env}/surveys",
        "401 404 201 404 403 201 404 404",
    ),
    (
        "API: a survey",
        "GET",
        "/api/surveys/{sv}",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: add a survey question",
        "POST",
        "/api/surveys/{sv}/questions",
        "401 404 201 404 403 201 404 404",
    ),
    (
        "API: respondent codes of a survey",
        "GET",
        "/api/surveys/{sv}/codes",
        "401 404 200 404 403 200 404 404",
    ),
    (
        "API: generate respondent codes",
        "POST",
        "/api/surveys/{sv}/codes",
        "401 404 201 404 403 201 404 404",
    ),
    (
        "API: open or close a survey",
        "POST",
        "/api/surveys/{sv}/status",
        "401 404 200 404 403 200 404 404",
    ),
    (
        "API: results of a survey",
        "GET",
        "/api/surveys/{sv}/results",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "Business model canvases",
        "GET",
        "/canvas/",
        "302 200 200 200 200 200 200 200",
    ),
    (
        "The innovator's business model canvas",
        "GET",
        "/canvas/journeys/{canvasj}/",
        "302 404 200 404 404 200 404 404",
    ),
    (
        "Edit the innovator's canvas",
        "GET",
        "/canvas/journeys/{canvasj}/edit/",
        "302 404 200 404 404 200 404 404",
    ),
    (
        "Save the innovator's canvas as a new version",
        "POST",
        "/canvas/journeys/{canvasj}/edit/",
        "302 404 302 404 404 302 404 404",
    ),
    (
        "Compare versions of the innovator's canvas",
        "GET",
        "/canvas/journeys/{canvasj}/compare/",
        "302 404 200 404 404 200 404 404",
    ),
    (
        "Comment on a block of the innovator's canvas",
        "POST",
        "/canvas/journeys/{canvasj}/versions/1/comments/",
        "302 404 302 404 404 302 404 404",
    ),
    (
        "A version of the innovator's canvas as PDF",
        "GET",
        "/canvas/journeys/{canvasj}/versions/1/pdf/",
        "302 404 200 404 404 200 404 404",
    ),
    (
        "API: the innovator's canvas",
        "GET",
        "/api/journeys/{canvasj}/canvas",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "API: versions of the innovator's canvas",
        "GET",
        "/api/journeys/{canvasj}/canvas/versions",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "API: save the innovator's canvas",
        "POST",
        "/api/journeys/{canvasj}/canvas/versions",
        "401 404 201 404 404 201 404 404",
    ),
    (
        "API: compare versions of the innovator's canvas",
        "GET",
        "/api/journeys/{canvasj}/canvas/compare?first=1&second=1",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "API: comment on the innovator's canvas",
        "POST",
        "/api/journeys/{canvasj}/canvas/versions/1/comments",
        "401 404 201 404 404 201 404 404",
    ),
    (
        "API: a version of the innovator's canvas as PDF",
        "GET",
        "/api/journeys/{canvasj}/canvas/versions/1/pdf",
        "401 404 200 404 404 200 404 404",
    ),
    (
        "Theory of change of the innovator's test environment",
        "GET",
        "/impact/environments/{env}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Add a link to the innovator's theory of change",
        "POST",
        "/impact/environments/{env}/steps/",
        "302 404 302 404 403 302 404 404",
    ),
    (
        "An indicator of the innovator's test environment",
        "GET",
        "/impact/indicators/{envind}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Enter a measurement of the innovator's indicator",
        "POST",
        "/impact/indicators/{envind}/measurements/",
        "302 404 302 404 403 302 404 404",
    ),
    (
        "Impact dashboard of the innovator's test environment",
        "GET",
        "/impact/environments/{env}/dashboard/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Impact dashboard of the innovator's test environment (XLSX)",
        "GET",
        "/impact/environments/{env}/dashboard.xlsx",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Impact dashboard of a challenge of the needs owner's department",
        "GET",
        "/impact/challenges/{envc}/dashboard/",
        "302 404 200 200 200 403 403 403",
    ),
    (
        "Impact dashboard of another department's challenge",
        "GET",
        "/impact/challenges/{envc2}/dashboard/",
        "302 404 200 200 403 403 403 403",
    ),
    (
        "Indicator library of a programme",
        "GET",
        "/impact/programmes/{p}/library/",
        "302 404 200 200 200 200 200 200",
    ),
    (
        "Add to the indicator library",
        "POST",
        "/impact/programmes/{p}/library/",
        "302 404 302 403 403 403 403 403",
    ),
    (
        "API: theory of change of the innovator's test environment",
        "GET",
        "/api/environments/{env}/theory-of-change",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: add a link to the innovator's theory of change",
        "POST",
        "/api/environments/{env}/theory-of-change/links",
        "401 404 201 404 403 201 404 404",
    ),
    (
        "API: indicators of the innovator's test environment",
        "GET",
        "/api/environments/{env}/indicators",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: measurements of the innovator's indicator",
        "GET",
        "/api/indicators/{envind}/measurements",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: enter a measurement of the innovator's indicator",
        "POST",
        "/api/indicators/{envind}/measurements",
        "401 404 201 404 403 201 404 404",
    ),
    (
        "API: change the innovator's indicator",
        "PATCH",
        "/api/indicators/{envind}",
        "401 404 200 404 403 200 404 404",
    ),
    (
        "API: change a link of the innovator's theory of change",
        "PATCH",
        "/api/theory-of-change/links/{envlink}",
        "401 404 200 404 403 200 404 404",
    ),
    (
        "API: impact dashboard of the innovator's test environment",
        "GET",
        "/api/environments/{env}/impact-dashboard",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: impact dashboard of a challenge of the needs owner's department",
        "GET",
        "/api/challenges/{envc}/impact-dashboard",
        "401 404 200 200 200 403 403 403",
    ),
    (
        "API: indicator library of a programme",
        "GET",
        "/api/programmes/{p}/indicator-library",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: add to the indicator library",
        "POST",
        "/api/programmes/{p}/indicator-library",
        "401 404 201 403 403 403 403 403",
    ),
    (
        "Financial proxies",
        "GET",
        "/cases/programmes/{p}/proxies/",
        "302 404 200 200 200 200 200 200",
    ),
    (
        "Add a financial proxy",
        "POST",
        "/cases/programmes/{p}/proxies/",
        "302 404 302 403 403 403 403 403",
    ),
    (
        "Edit a financial proxy",
        "GET",
        "/cases/proxies/{proxy}/edit/",
        "302 404 200 403 403 403 403 403",
    ),
    (
        "Impact cases of the innovator's test environment",
        "GET",
        "/cases/environments/{caseenv}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "New impact case",
        "GET",
        "/cases/environments/{caseenv}/new/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "An impact case",
        "GET",
        "/cases/{case}/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "Edit an impact case",
        "GET",
        "/cases/{case}/edit/",
        "302 404 200 404 403 200 404 404",
    ),
    (
        "Start an evaluative case from a forecast",
        "POST",
        "/cases/{case}/evaluation/",
        "302 404 302 404 403 302 404 404",
    ),
    (
        "What the municipality saves (impact case)",
        "GET",
        "/cases/{case}/budget/",
        "302 404 200 404 200 200 404 404",
    ),
    (
        "API: financial proxies",
        "GET",
        "/api/programmes/{p}/proxies",
        "401 404 200 200 200 200 200 200",
    ),
    (
        "API: add a financial proxy",
        "POST",
        "/api/programmes/{p}/proxies",
        "401 404 201 403 403 403 403 403",
    ),
    (
        "API: impact cases of a test environment",
        "GET",
        "/api/environments/{caseenv}/cases",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: an impact case with its results",
        "GET",
        "/api/cases/{case}",
        "401 404 200 404 200 200 404 404",
    ),
    (
        "API: build an impact case (no outcomes)",
        "POST",
        "/api/environments/{caseenv}/cases",
        "401 404 422 404 403 422 404 404",
    ),
    (
        "API: start an evaluative case",
        "POST",
        "/api/cases/{case}/evaluation",
        "401 404 201 404 403 201 404 404",
    ),
]

POST_DATA = {
    "/cases/programmes/{p}/proxies/": {
        "name": "Ett besök i primärvården",
        "value": "2000",
        "unit": "per besök",
        "source": "Illustrativt",
        "year": "2025",
        "payer": "region",
    },
    "/api/programmes/{p}/proxies": {
        "name": "Ett besök i primärvården",
        "value": 2000,
        "unit": "per besök",
        "source": "Illustrativt",
        "year": 2025,
        "payer": "region",
    },
    # No outcomes: one who may build a case is told so (422), nothing is stored.
    "/api/environments/{caseenv}/cases": {"title": "Prognos", "investment": 1000, "outcomes": []},
    "/api/cases/{case}/evaluation": {},
    "/journeys/gates/{gopen}/recommendation/": {
        "recommendation": "go",
        "recommendation_text": "Kriterierna är uppfyllda",
    },
    # No members present: a steering-group member who may decide is told so (422).
    "/journeys/gates/{gopen}/decision/": {
        "decision": "go",
        "rationale": "Bra resultat",
        "decided_on": "2026-06-01",
    },
    "/api/gates/{gopen}/checklist": {"checks": []},
    "/api/gates/{gopen}/recommendation": {"recommendation": "go", "text": "Klart"},
    "/api/gates/{gopen}/decision": {
        "decision": "go",
        "rationale": "Bra resultat",
        "decided_on": "2026-06-01",
    },
    # Nobody with id 0: the operator, who may add journeys, is told so (422), nothing is stored.
    "/api/programmes/{p}/journeys": {"innovator_id": 0},
    "/api/meetings/{msteer}": {"minutes": "Justerat protokoll"},
    "/api/programmes/{p}/meetings": {
        "kind": "needs_owner",
        "starts_at": "2030-11-05T09:00:00+01:00",
    },
    "/canvas/journeys/{canvasj}/edit/": {
        "base_version": "1",
        "impact": "Minskad ensamhet, mätt före och efter.",
    },
    "/canvas/journeys/{canvasj}/versions/1/comments/": {"block": "impact", "text": "Hur mäter vi?"},
    "/api/journeys/{canvasj}/canvas/versions": {
        "base_version": 1,
        "blocks": {"impact": "Minskad ensamhet, mätt före och efter."},
    },
    "/api/journeys/{canvasj}/canvas/versions/1/comments": {"block": "impact", "text": "Hur?"},
    "/learning/programmes/{p}/new/": {
        "title": "Bjud in målgruppen tidigt",
        "what_happened": "Vi skrev utmaningen utan dem.",
        "what_we_learned": "De ser andra orsaker.",
        "visibility": "programme",
    },
    "/api/programmes/{p}/lessons": {
        "title": "Bjud in målgruppen tidigt",
        "what_happened": "Vi skrev utmaningen utan dem.",
        "what_we_learned": "De ser andra orsaker.",
    },
    "/learning/lessons/{l}/decision/": {"decision": "approve"},
    "/environments/{env}/tasks/": {"task-title": "Boka lokal"},
    "/api/environments/{env}": {"status": "active"},
    "/api/environments/{env}/tasks": {"title": "Boka lokal"},
    "/impact/environments/{env}/steps/": {"kind": "input", "text": "Två processledare"},
    "/impact/indicators/{envind}/measurements/": {"period": "2026-05-17", "value": "31"},
    "/impact/programmes/{p}/library/": {
        "name": "Upplevd ensamhet",
        "definition": "Andel som ofta känner sig ensamma",
        "unit": "%",
        "direction": "lower",
        "iris_code": "PI4060",
    },
    "/api/environments/{env}/theory-of-change/links": {"kind": "input", "text": "Lokal"},
    "/api/indicators/{envind}/measurements": {"period": "2026-05-17", "value": 31},
    "/api/indicators/{envind}": {"target_value": 25},
    "/api/theory-of-change/links/{envlink}": {"text": "Mindre ensamhet"},
    "/api/programmes/{p}/indicator-library": {
        "name": "Upplevd ensamhet",
        "definition": "Andel som ofta känner sig ensamma",
        "unit": "%",
    },
    "/surveys/{sv}/status/": {"status": "closed"},
    "/api/environments/{env}/surveys": {"title_sv": "Enkät om trygghet"},
    "/api/surveys/{sv}/questions": {"kind": "scale", "text_sv": "Hur trygg?", "scale_max": 5},
    "/api/surveys/{sv}/codes": {"count": 3},
    "/api/surveys/{sv}/status": {"status": "closed"},
    "/api/environments/{env}/meetings": {
        "starts_at": "2030-11-05T09:00:00+01:00",
        "place": "Träffpunkten",
    },
    "/api/lessons/{l}/decision": {"approve": True},
    "/api/programmes/{p}/tools": {"name": "Dialogkort", "purpose": "Samtal", "phases": [2]},
    "/api/programmes/{p}/workshops": {
        "title": "Pilotplan",
        "starts_at": "2030-11-05T09:00:00+01:00",
        "ends_at": "2030-11-05T12:00:00+01:00",
        "place": "Stadshuset",
    },
    "/api/workshops/{ws}": {"agenda": "1. Pilotplan"},
    "/api/workshops/{ws}/invitations": {"person_ids": []},
    "/api/workshops/{ws}/attendance": {"attended_ids": [], "notes": "Anteckningar"},
    "/api/follow-ups/{fu}": {"done": True},
    "/api/calls/{x}/matching-runs": {"label": "Matrisen"},
    "/api/matching-runs/{u}/confirm": {},
    "/recruitment/calls/{k}/lab/": {
        "starts_at": "2030-11-05T09:00",
        "ends_at": "2030-11-05T12:00",
        "place": "Stadshuset",
        "capacity": "2",
    },
    "/api/calls/{k}/lab-slots": {
        "starts_at": "2030-11-05T09:00:00",
        "ends_at": "2030-11-05T12:00:00",
        "place": "Stadshuset",
    },
    # The matrix's application is not shortlisted: the operator's invitation is refused (422).
    "/api/calls/{k}/lab-invitations": {"application_id": 0, "slot_id": 0},
    "/recruitment/invitations/{i}/respond/": {"answer": "accept"},
    "/api/lab-invitations/{i}/response": {"answer": "accept"},
    "/programmes/{p}/members/": {
        "email": "new.person@example.se",
        "full_name": "Ny Person",
        "role": "observer",
    },
    "/challenges/{c}/comments/": {"text": "Bra början."},
    "/api/applications/{a}/conflict-declaration": {"conflicted": False},
    "/api/applications/{a}/shortlist": {"shortlisted": True},
    # The call has no rubric yet: a reviewer who may score is told so (422), nothing is stored.
    "/api/applications/{r}/reviews": {"scores": {}},
    "/api/applications/{a}/decision": {"decision": "selected", "rationale": "Stark social nytta"},
    "/api/organisations": {
        "name": "Nya Idéer AB",
        "kind": "innovator",
        "legal_form": "ab",
        "org_number": "556036-0793",
    },
}

CASES = [
    pytest.param(label, method, path, role, int(status), id=f"{label}-{role}")
    for label, method, path, statuses in MATRIX
    for role, status in zip(ROLES, statuses.split(), strict=True)
]


@pytest.mark.parametrize(("label", "method", "path", "role", "expected"), CASES)
def test_role_action_matrix(client_as, programme, people, label, method, path, role, expected):
    # Given a person in one role (or none), and the programme's records
    removable = programme.memberships.get(user=people[Role.INNOVATOR])
    organisation = programme.operator_organisation
    others_token, _key = ApiToken.issue(factories.person(), "someone else's script")
    challenge = _draft_challenge(programme, people[Role.NEEDS_OWNER])
    call, application = _open_call_with_application(programme, people[Role.OPERATOR], challenge)
    reviewed = _application_cleared_for_review(programme, people, call)
    slot, invitation = _lab_with_invitation(call, people[Role.OPERATOR])
    closed, run = (
        _closed_call_with_run(programme, people[Role.OPERATOR], call)
        if "{u}" in path or "{x}" in path
        else (None, None)
    )
    url = path.format(
        p=programme.pk,
        m=removable.pk,
        o=organisation.pk,
        t=others_token.pk,
        c=challenge.pk,
        k=call.pk,
        a=application.pk,
        r=reviewed.pk,
        s=slot.pk,
        i=invitation.pk,
        f=application.files.get().pk,
        g=reviewed.files.get().pk,
        x=closed.pk if closed else 0,
        u=run.pk if run else 0,
        l=_lesson_asked_to_be_public(programme, people[Role.INNOVATOR]).pk if "{l}" in path else 0,
        **(
            _journeys_and_meetings(programme, people)
            if _JOURNEY_KEYS & set(path_keys(path))
            else {}
        ),
        **_workshops(programme, people, path),
        canvasj=_canvas_journey(programme, people).pk if "{canvasj}" in path else 0,
        **(_impact_case(programme, people) if "{case" in path or "{proxy}" in path else {}),
        **(_environments(programme, people) if "{env" in path else {}),
        **_surveys(programme, people, path),
    )
    client = client_as(None if role == "anonymous" else people[role])
    data = POST_DATA.get(path)
    # When they try the action
    if method == "GET":
        response = client.get(url)
    elif method == "PATCH":
        response = client.patch(url, data, content_type="application/json")
    elif url.startswith("/api/"):
        response = client.post(url, data, content_type="application/json")
    else:
        response = client.post(url, data or {})
    # Then they get exactly what the matrix says
    assert response.status_code == expected, f"{label} as {role}: {response.status_code}"


def _draft_challenge(programme, needs_owner):
    """A draft challenge of the department the programme's needs owner acts for."""
    department = programme.memberships.get(user=needs_owner, role=Role.NEEDS_OWNER).department
    programme.needs_owners.add(department)
    return Challenge.objects.create(
        programme=programme,
        department=department,
        title="Ensamhet",
        need="n",
        target_group="t",
        desired_effects="d",
    )


def _open_call_with_application(programme, operator, draft):
    """An open call for a published challenge of the needs owner's department, and someone
    else's submitted application to it."""
    published = Challenge.objects.create(
        programme=programme,
        department=draft.department,
        title="Meningsfull vardag",
        need="n",
        target_group="t",
        desired_effects="d",
        status=ChallengeStatus.PUBLISHED,
    )
    now = timezone.now()
    call = calls.create_call(
        programme,
        by=operator,
        title="Utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        challenges=[published],
    )
    applicant = factories.person()
    application = calls.save_draft(
        calls.application_for(call, applicant),
        by=applicant,
        answers={},
        files=_a_pdf_for(call, operator),
        innovator_type="student",
    )
    return call, calls.submit_application(application, by=applicant)


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-uploads"


def _a_pdf_for(call, operator):
    """A file question on the call, and a real PDF to upload for it."""
    [question] = calls.set_questions(
        call, [{"kind": "file", "label": "Affärsplan", "allowed_types": ["pdf"]}], by=operator
    )
    return {question.pk: SimpleUploadedFile("plan.pdf", pdf_bytes(), "application/pdf")}


def _application_cleared_for_review(programme, people, call):
    """The programme's reviewer on the panel of `call` (not yet declared on its application),
    and of a second open call with an application they declared no conflict with."""
    operator, reviewer = people[Role.OPERATOR], people[Role.REVIEWER]
    calls.assign_reviewer(call, reviewer, by=operator)
    other = calls.create_call(
        programme,
        by=operator,
        title="Andra utlysningen",
        eligibility="Alla",
        opens_at=call.opens_at,
        closes_at=call.closes_at,
        challenges=list(call.challenges.all()),
    )
    calls.assign_reviewer(other, reviewer, by=operator)
    applicant = factories.person()
    application = calls.save_draft(
        calls.application_for(other, applicant),
        by=applicant,
        answers={},
        files=_a_pdf_for(other, operator),
        innovator_type="student",
    )
    application = calls.submit_application(application, by=applicant)
    calls.declare_conflict(application, by=reviewer, conflicted=False)
    return application


def _lab_with_invitation(call, operator):
    """A time of the call's lab, and a shortlisted applicant (none of the roles) invited to it."""
    from samskapa.recruitment import services as recruitment

    applicant = factories.person()
    application = calls.submit_application(
        calls.save_draft(
            calls.application_for(call, applicant),
            by=applicant,
            answers={},
            innovator_type="student",
        ),
        by=applicant,
    )
    calls.set_shortlisted(application, by=operator, shortlisted=True)
    now = timezone.now()
    slot = recruitment.add_slot(
        call,
        by=operator,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=3),
        place="Stadshuset",
        capacity=2,
    )
    return slot, recruitment.invite(application, slot, by=operator)


def _closed_call_with_run(programme, operator, call):
    """A closed call for the open call's challenge, with one shortlisted application the panel
    scored, and a matching run of it (not confirmed)."""
    from samskapa.calls.models import Call
    from samskapa.matching import services as matching

    now = timezone.now()
    closed = calls.create_call(
        programme,
        by=operator,
        title="Stängd utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=1),
        challenges=list(call.challenges.all()),
    )
    criterion = calls.add_criterion(closed, by=operator, name="Nytta")
    reviewer = factories.member(programme, Role.REVIEWER)
    calls.assign_reviewer(closed, reviewer, by=operator)
    applicant = factories.person()
    application = calls.submit_application(
        calls.save_draft(
            calls.application_for(closed, applicant),
            by=applicant,
            answers={},
            innovator_type="student",
        ),
        by=applicant,
    )
    calls.declare_conflict(application, by=reviewer, conflicted=False)
    calls.submit_review(application, by=reviewer, scores={criterion.pk: {"value": 4}})
    Call.objects.filter(pk=closed.pk).update(closes_at=now - timedelta(minutes=1))
    closed.refresh_from_db()
    calls.set_shortlisted(application, by=operator, shortlisted=True)
    return closed, matching.run_matching(closed, by=operator)


def test_docs_show_the_same_matrix():
    document = (Path(__file__).parent.parent / "docs" / "permissions.md").read_text(
        encoding="utf-8"
    )
    for label, method, path, statuses in MATRIX:
        row = "| " + " | ".join([label, f"`{method} {path}`", *statuses.split()]) + " |"
        assert row in document, f"docs/permissions.md lacks or differs on: {row}"


def _environments(programme, people):
    """The programme's innovator's test environment, hosted by the department of the
    programme's needs owner, with a file in its workspace; and another innovator's, hosted by
    another department."""
    from samskapa.environments import services as environments

    operator = people[Role.OPERATOR]
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    env = factories.environment(
        programme,
        by=operator,
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )
    stored = environments.add_file(
        env, by=operator, upload=SimpleUploadedFile("plan.pdf", pdf_bytes(), "application/pdf")
    )
    other = factories.environment(programme, by=operator)
    return {"env": env.pk, "env2": other.pk, "envfile": stored.pk, **_impact(programme, env)}


def _surveys(programme, people, path):
    """For paths with {sv} or {svtoken}: an open survey (one question, no answers yet) of the
    programme's innovator's test environment, hosted by the needs owner's department."""
    if "{sv" not in path:
        return {}
    from samskapa.surveys import services as surveys

    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    env = factories.environment(
        programme,
        by=people[Role.OPERATOR],
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )
    innovator = people[Role.INNOVATOR]
    survey = surveys.create_survey(env, by=innovator, title_sv="Trygghet")
    surveys.add_question(survey, by=innovator, kind="scale", text_sv="Hur trygg?", scale_max=5)
    surveys.set_status(survey, by=innovator, status="open")
    return {"sv": survey.pk, "svtoken": survey.token}


def _workshops(programme, people, path):
    """For paths with {tool}, {starter}, {ws} or {fu}: a programme tool, a starter tool, an
    upcoming workshop the programme's innovator is invited to (the other members are not) and
    its follow-up the innovator owns."""
    if not any(key in path for key in ("{tool}", "{starter}", "{ws}", "{fu}")):
        return {}
    from datetime import timedelta as days

    from samskapa.workshops import services as workshops
    from samskapa.workshops.models import Tool

    operator = people[Role.OPERATOR]
    tool = workshops.create_tool(
        programme, by=operator, name="Dialogkort", purpose="Samtal om trygghet", phases=[1]
    )
    starts = timezone.now() + days(days=20)
    workshop = workshops.create_workshop(
        programme,
        by=operator,
        title="Intressentkarta",
        starts_at=starts,
        ends_at=starts + days(hours=3),
        place="Stadshuset",
        invited=[people[Role.INNOVATOR]],
    )
    follow_up = workshops.add_follow_up(
        workshop, by=operator, text="Skicka pilotplanen", owner=people[Role.INNOVATOR]
    )
    starter = Tool.objects.get(key="stakeholder_map")
    return {"tool": tool.pk, "starter": starter.pk, "ws": workshop.pk, "fu": follow_up.pk}


_JOURNEY_KEYS = {"jown", "jother", "gdone", "gopen", "msteer", "mneeds"}


def path_keys(path):
    from string import Formatter

    return [name for _text, name, _spec, _conv in Formatter().parse(path) if name]


def _journeys_and_meetings(programme, people):
    """The programme's innovator's journey with a decided gate ("go", phase 2 to 3); another
    innovator's journey with an open gate whose facilitator recommended, awaiting the steering
    group; a steering-group meeting and a needs-owner group meeting."""

    from samskapa.journeys import services as journeys
    from samskapa.journeys.models import Journey

    operator, steering = people[Role.OPERATOR], people[Role.STEERING_GROUP]
    own = Journey.objects.create(programme=programme, innovator=people[Role.INNOVATOR])
    done = journeys.open_gate(own, by=operator)
    journeys.recommend(done, by=operator, recommendation="go", text="Klart")
    journeys.decide(
        done,
        by=steering,
        decision="go",
        rationale="Bra",
        decided_on=timezone.localdate(),
        members_present=[steering],
    )
    other = Journey.objects.create(
        programme=programme, innovator=factories.member(programme, Role.INNOVATOR)
    )
    waiting = journeys.open_gate(other, by=operator)
    journeys.recommend(waiting, by=operator, recommendation="go", text="Klart")
    steer = journeys.create_meeting(
        programme,
        by=operator,
        kind="steering_group",
        starts_at=timezone.now(),
        attendees=[steering],
    )
    needs = journeys.create_meeting(
        programme,
        by=operator,
        kind="needs_owner",
        starts_at=timezone.now(),
        attendees=[people[Role.NEEDS_OWNER]],
    )
    return {
        "jown": own.pk,
        "jother": other.pk,
        "gdone": done.pk,
        "gopen": waiting.pk,
        "msteer": steer.pk,
        "mneeds": needs.pk,
    }


def _lesson_asked_to_be_public(programme, innovator):
    """A lesson of the programme's innovator, asked to be public (awaiting approval)."""
    from samskapa.learning import services as learning

    return learning.create_lesson(
        programme,
        by=innovator,
        title="Rekryteringen nådde inte de unga",
        what_happened="Vi annonserade bara på webbplatsen.",
        what_we_learned="Unga hittar oss genom egna nätverk.",
        visibility="public",
    )


def _impact_case(programme, people):
    """A forecast for the programme's innovator's test environment (hosted by the needs
    owner's department), built on a proxy of the programme's library."""
    from samskapa.cases import services as cases
    from samskapa.impact.models import ChangeStep, StepKind, TheoryOfChange

    operator = people[Role.OPERATOR]
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    env = factories.environment(
        programme,
        by=operator,
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
    )
    theory = TheoryOfChange.objects.create(environment=env, programme=programme)
    step = ChangeStep.objects.create(
        theory=theory, kind=StepKind.OUTCOME, text="Färre dagar i hemtjänst"
    )
    proxy = cases.create_proxy(
        programme,
        by=operator,
        name="En dag i hemtjänst",
        value=1000,
        unit="per dag",
        source="Illustrativt",
        year=2025,
        payer="kommun",
    )
    case = cases.create_case(
        env,
        by=operator,
        title="Prognos",
        investment=100000,
        outcomes=[
            {
                "step": step.pk,
                "quantity": 10,
                "proxy": proxy.pk,
                "duration_years": 2,
                "payer": "kommun",
            }
        ],
    )
    return {"caseenv": env.pk, "case": case.pk, "proxy": proxy.pk}


def _canvas_journey(programme, people):
    """The journey of the programme's innovator, with version 1 of its business model canvas."""
    from samskapa.canvas import services as canvas
    from samskapa.environments.services import journey_for

    journey = journey_for(programme, people[Role.INNOVATOR], by=people[Role.OPERATOR])
    canvas.save_version(
        journey,
        by=people[Role.INNOVATOR],
        blocks={"impact": "Minskad ensamhet."},
        base_version=0,
    )
    return journey


def _impact(programme, env):
    """An indicator on an outcome of the innovator's test environment's theory of change; the
    environment's challenge (of the needs owner's department) and another department's."""
    indicator = factories.indicator(env, name="Upplevd ensamhet")
    return {
        "envind": indicator.pk,
        "envlink": indicator.outcome_id,
        "envc": env.challenge_id,
        "envc2": factories.challenge(programme).pk,
    }
