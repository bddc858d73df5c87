from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# What each action code means to a reader; unknown codes are shown as they are.
ACTION_LABELS = {
    "organisations.organisation.created": _("Organisation created"),
    "organisations.organisation.updated": _("Organisation changed"),
    "programmes.programme.created": _("Programme created"),
    "programmes.programme.updated": _("Programme changed"),
    "programmes.phase.updated": _("Phase changed"),
    "accounts.person.created": _("Person added to Samskapa"),
    "accounts.person.updated": _("Person changed"),
    "accounts.person.registered": _("Account created"),
    "accounts.person.deleted": _("Person removed from Samskapa"),
    "accounts.membership.added": _("Role given"),
    "accounts.membership.removed": _("Role taken away"),
    "accounts.second_factor.enabled": _("Two-factor sign-in turned on"),
    "accounts.api_token.issued": _("API token created"),
    "accounts.api_token.revoked": _("API token revoked"),
    "challenges.challenge.created": _("Challenge drafted"),
    "challenges.challenge.updated": _("Challenge changed"),
    "challenges.challenge.commented": _("Comment on a challenge"),
    "challenges.challenge.submit": _("Challenge sent for review"),
    "challenges.challenge.approve": _("Challenge approved"),
    "challenges.challenge.send_back": _("Challenge sent back"),
    "challenges.challenge.publish": _("Challenge published"),
    "challenges.challenge.close": _("Challenge closed"),
    "challenges.challenge.archive": _("Challenge archived"),
    "calls.call.created": _("Call created"),
    "calls.call.updated": _("Call changed"),
    "calls.call.questions_changed": _("Application form changed"),
    "calls.application.created": _("Application started"),
    "calls.application.updated": _("Application draft saved"),
    "calls.application.submitted": _("Application submitted"),
    "calls.application.shortlisted": _("Application shortlisted"),
    "calls.application.unshortlisted": _("Application taken off the shortlist"),
    "calls.application.decided": _("Selection decision recorded"),
    "calls.criterion.added": _("Review criterion added"),
    "calls.criterion.removed": _("Review criterion removed"),
    "calls.reviewer.assigned": _("Reviewer put on the panel"),
    "calls.reviewers.spread": _("Applications spread among the reviewers"),
    "calls.conflict.declared": _("Conflict of interest declared"),
    "calls.review.submitted": _("Review submitted"),
    "recruitment.slot.added": _("Lab time added"),
    "recruitment.slot.updated": _("Lab time changed"),
    "recruitment.slot.removed": _("Lab time removed"),
    "recruitment.invitation.sent": _("Invited to the recruitment lab"),
    "recruitment.invitation.moved": _("Lab invitation moved"),
    "recruitment.invitation.cancelled": _("Lab invitation cancelled"),
    "recruitment.invitation.accepted": _("Lab invitation accepted"),
    "recruitment.invitation.declined": _("Lab invitation declined"),
    "matching.run.created": _("Matching run"),
    "matching.run.confirmed": _("Matching confirmed"),
    "environments.created": _("Test environment created"),
    "environments.updated": _("Test environment changed"),
    "environments.task.added": _("Test environment task added"),
    "environments.task.done": _("Test environment task done"),
    "environments.task.reopened": _("Test environment task not done after all"),
    "environments.meeting.added": _("Test environment meeting added"),
    "environments.file.added": _("Test environment file added"),
    "impact.step.added": _("Theory of change: link added"),
    "impact.step.updated": _("Theory of change: link changed"),
    "impact.step.removed": _("Theory of change: link removed"),
    "impact.step.moved": _("Theory of change: link moved"),
    "impact.indicator.created": _("Indicator added"),
    "impact.indicator.updated": _("Indicator changed"),
    "impact.library_indicator.created": _("Indicator added to the library"),
    "impact.library_indicator.updated": _("Library indicator changed"),
    "impact.measurement.recorded": _("Measurement entered"),
    "impact.measurement.replaced": _("Measurement replaced"),
    "impact.import.committed": _("Measurements imported from a file"),
    "surveys.survey.created": _("Survey created"),
    "surveys.survey.updated": _("Survey changed"),
    "surveys.survey.opened": _("Survey opened for answers"),
    "surveys.survey.closed": _("Survey closed"),
    "surveys.question.added": _("Survey question added"),
    "surveys.question.changed": _("Survey question changed"),
    "surveys.question.removed": _("Survey question removed"),
    "surveys.codes.generated": _("Survey respondent codes generated"),
    "surveys.indicators.updated": _("Indicators updated from a survey"),
    "journeys.journey.created": _("Innovator journey added"),
    "journeys.gate.opened": _("Gate opened"),
    "journeys.gate.checklist_updated": _("Gate checklist updated"),
    "journeys.gate.recommended": _("Gate recommendation given"),
    "journeys.gate.decided": _("Gate decided"),
    "journeys.meeting.created": _("Group meeting created"),
    "journeys.meeting.updated": _("Group meeting changed"),
    "journeys.meeting.conflict_declared": _("Conflict of interest declared at a meeting"),
    "learning.lesson.created": _("Lesson recorded"),
    "learning.lesson.updated": _("Lesson changed"),
    "learning.lesson.approved": _("Lesson approved for the lessons library"),
    "learning.lesson.rejected": _("Lesson not approved for the lessons library"),
    "canvas.version.saved": _("Business model canvas saved as a new version"),
    "canvas.comment.added": _("Comment on the business model canvas"),
    "cases.proxy.created": _("Financial proxy added to the library"),
    "cases.proxy.updated": _("Financial proxy changed"),
    "cases.case.created": _("Impact case created"),
    "cases.case.updated": _("Impact case changed"),
    "workshops.tool.created": _("Tool added to the toolbox"),
    "workshops.workshop.created": _("Workshop created"),
    "workshops.workshop.updated": _("Workshop changed"),
    "workshops.workshop.cancelled": _("Workshop cancelled"),
    "workshops.attendance.recorded": _("Workshop attendance recorded"),
    "workshops.follow_up.added": _("Workshop follow-up added"),
    "workshops.follow_up.done": _("Workshop follow-up done"),
    "workshops.follow_up.reopened": _("Workshop follow-up reopened"),
}
# Labels for changes that are not a field of the record itself.
CHANGE_LABELS = {
    "criteria": _("gate criteria"),
    "person": _("person"),
    "role": _("role"),
    "lab_slot": _("lab time"),
}


class AuditEntry(models.Model):
    """One change to a domain record: who, when, what. Written only by service functions."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail still says who acted after an account is removed.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(
        _("action"), max_length=100
    )  # dotted code, e.g. programmes.phase.updated
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    # The programme the change belongs to, so that a programme's history is one query.
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.action} {self.object_repr}"

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)

    def readable_changes(self) -> list[tuple[str, object, object]]:
        """(label, before, after) per changed field, labelled as the forms label them."""
        model = self.content_type.model_class()
        rows = []
        for name, (before, after) in self.changes.items():
            try:
                # A reverse relation (a phase's criteria) has no verbose name of its own.
                label = getattr(model._meta.get_field(name), "verbose_name", None)
            except FieldDoesNotExist:
                label = None
            label = label or CHANGE_LABELS.get(name, name)
            rows.append((capfirst(label), before, after))
        return rows
