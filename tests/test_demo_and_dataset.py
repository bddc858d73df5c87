import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.models import AuditEntry
from samskapa.core import dataset, demo, demo_calls
from samskapa.organisations.models import Municipality, Organisation, OrganisationKind
from samskapa.programmes.models import Programme

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_demo_has_one_login_per_role_and_a_realistic_programme(client):
    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(name="Den inkluderande staden")
    assert programme.phases.count() == 4
    assert programme.needs_owners.count() == 5
    for key, _name, role in demo.DEMO_LOGINS:
        person = User.objects.get(email=f"{key}@{demo.DEMO_DOMAIN}")
        assert Membership.objects.filter(programme=programme, user=person, role=role).exists()
        assert person.check_password(demo.DEMO_PASSWORD)
    assert programme.memberships.filter(role=Role.INNOVATOR).count() >= 12
    innovators = Organisation.objects.filter(kind=OrganisationKind.INNOVATOR)
    assert innovators.count() == 12
    # A Swedish city: the starter gate criteria are stored in Swedish.
    criteria = [c.text for c in programme.phases.get(kind=1).criteria.all()]
    assert "Styrgruppen har godkänt samhällsutmaningarna" in criteria
    # Created through the services, so the demo has a history like real data.
    assert AuditEntry.objects.filter(programme=programme).exists()


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (User.objects.count(), Organisation.objects.count()) == counts


@pytest.mark.django_db
def test_national_dataset_uses_every_official_municipality_and_region():
    counts = dataset.generate(dataset.PROFILES["national"], seed=1)
    assert counts["programmes"] == 50 and counts["people"] == 5000
    assert counts["challenges"] == 2000
    assert counts["applications"] == 20_000 and counts["calls"] == 100
    from samskapa.calls.models import Application, Call

    # Every call is for some of its programme's published challenges.
    assert not Call.objects.filter(challenges__isnull=True).exists()
    assert Application.objects.filter(status="submitted").count() > 17_000
    assert Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count() == 290
    assert Organisation.objects.filter(kind=OrganisationKind.REGION).count() == 21
    assert set(
        Organisation.objects.filter(kind="municipality").values_list("municipality_id", flat=True)
    ) == set(Municipality.objects.values_list("code", flat=True))
    assert dataset.already_generated()


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set" in result.stderr


def test_code_only_commands_run_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_a_setting_that_is_not_a_boolean_is_a_clear_error():
    env = {**os.environ, "DEBUG": "maybe"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_publishes_the_four_challenges_and_emails_nobody(mailoutbox):
    from samskapa.challenges.models import Challenge, ChallengeStatus

    call_command("load_demo", stdout=StringIO())
    published = Challenge.objects.filter(status=ChallengeStatus.PUBLISHED)
    assert published.count() == 4
    assert {c.department.name for c in published} == {
        "Stadsledningsförvaltningen",
        "Skol- och fritidsförvaltningen",
        "Socialförvaltningen",
        "Vård- och omsorgsförvaltningen",
    }
    assert Challenge.objects.filter(status=ChallengeStatus.IN_REVIEW).count() == 1
    assert all(c.versions.count() == 1 for c in published)
    assert mailoutbox == []  # fictional people: nothing was sent, even after commit


@pytest.mark.django_db
def test_the_synthetic_challenges_are_searchable(client):
    dataset.generate(dataset.PROFILES["small"], seed=3)
    page = client.get("/portal/", {"q": "ensamheten"}).content.decode()
    assert "Ofrivillig ensamhet – utmaning" in page


@pytest.mark.django_db
def test_demo_has_an_open_call_and_a_closed_one_with_applications():
    from samskapa.calls.models import ApplicationStatus, Call

    call_command("load_demo", stdout=StringIO())
    calls = {call.title: call for call in Call.objects.all()}
    open_call = calls["Utlysning vintern 2026–27: den inkluderande staden"]
    closed = calls["Utlysning hösten 2026"]
    assert open_call.is_open and open_call.challenges.count() == 4
    assert closed.has_closed
    submitted = closed.applications.filter(status=ApplicationStatus.SUBMITTED)
    assert submitted.count() == 8
    assert all(closed.opens_at <= a.submitted_at <= closed.closes_at for a in submitted)
    assert {a.gender for a in submitted} >= {"woman", "man"}


@pytest.mark.django_db
def test_demo_autumn_call_has_a_reviewed_panel_and_a_shortlist():
    from samskapa.calls import services as calls
    from samskapa.calls.models import Call, ConflictDeclaration

    call_command("load_demo", stdout=StringIO())
    autumn = Call.objects.get(title="Utlysning hösten 2026")
    assert autumn.has_closed and autumn.spread_seed == demo_calls.SPREAD_SEED
    summary = calls.review_summary(autumn)
    assert sum(row["reviews"] >= 2 for row in summary) >= 4
    assert any(row["disagreement"] for row in summary)
    assert ConflictDeclaration.objects.filter(application__call=autumn, conflicted=True).exists()
    shortlisted = [row for row in summary if row["application"].shortlisted]
    assert len(shortlisted) == demo_calls.SHORTLIST_SIZE
    others = [row["mean"] for row in summary if not row["application"].shortlisted and row["mean"]]
    assert min(row["mean"] for row in shortlisted) >= max(others)
    # The demo login still has applications to review.
    login = User.objects.get(email=f"granskare@{demo.DEMO_DOMAIN}")
    pending = permissions.reviewable_applications(login).exclude(reviews__reviewer=login)
    assert pending.exists()
    # The lab was held after the deadline; the shortlisted came, were selected, and a matching
    # proposal of them waits for the operator.
    from samskapa.matching.models import Match, MatchingRun
    from samskapa.recruitment.models import LabInvitation

    invitations = LabInvitation.objects.filter(application__call=autumn)
    assert invitations.count() == demo_calls.SHORTLIST_SIZE
    assert all(i.status == "accepted" and i.slot.starts_at < timezone.now() for i in invitations)
    assert autumn.applications.filter(decision="selected").count() == demo_calls.SHORTLIST_SIZE
    run = MatchingRun.objects.get(call=autumn)
    placed = {row["applicant"] for row in run.output["assignments"]}
    assert len(placed | set(run.output["unassigned"])) == demo_calls.SHORTLIST_SIZE
    assert set(run.output["explanations"]) == placed | set(run.output["unassigned"])
    assert not Match.objects.exists()


@pytest.mark.django_db
def test_demo_programme_has_lessons_and_links_its_learning_log(client):
    from samskapa.learning.models import Lesson

    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get(name="Den inkluderande staden")
    lessons = Lesson.objects.filter(programme=programme)
    assert lessons.count() >= 3
    assert lessons.filter(visibility="private").exists()
    public = Lesson.objects.filter(programme=programme, visibility="public", approval="approved")
    assert public.exists()
    client.force_login(
        User.objects.get(email=f"observator@{demo.DEMO_DOMAIN}"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    page = client.get(programme.get_absolute_url()).content.decode()
    assert f'href="/learning/programmes/{programme.pk}/"' in page
