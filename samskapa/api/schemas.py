from datetime import date, datetime

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    municipality_code: str | None
    county_code: str | None
    parent_id: int | None
    legal_form: str
    org_number: str
    website: str

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality_id

    @staticmethod
    def resolve_county_code(obj):
        return obj.county_id


class OrganisationIn(Schema):
    name: str
    kind: str
    municipality_code: str | None = None
    county_code: str | None = None
    parent_id: int | None = None
    legal_form: str = ""
    org_number: str = ""
    website: str = ""
    description: str = ""


class GateCriterionOut(Schema):
    text: str
    position: int


class PhaseOut(Schema):
    kind: int
    name: str
    starts_on: date
    ends_on: date
    criteria: list[GateCriterionOut]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())


class ProgrammeOut(Schema):
    id: int
    name: str
    narrative: str
    starts_on: date
    ends_on: date
    operator_organisation_id: int
    needs_owner_ids: list[int]

    @staticmethod
    def resolve_needs_owner_ids(obj):
        return [o.pk for o in obj.needs_owners.all()]


class MembershipOut(Schema):
    id: int
    person_name: str
    role: str
    department_id: int | None

    @staticmethod
    def resolve_person_name(obj):
        return obj.user.full_name


class StrategyDocumentOut(Schema):
    title: str
    url: str


class ChallengeOut(Schema):
    id: int
    programme_id: int
    department_id: int
    status: str
    title: str
    need: str
    target_group: str
    desired_effects: str
    already_tried: str
    target_group_access: str
    premises: str
    data_offered: str
    budget_min: int | None
    budget_max: int | None
    potential_customer: bool
    themes: list[str]
    strategy_documents: list[StrategyDocumentOut]

    @staticmethod
    def resolve_themes(obj):
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_strategy_documents(obj):
        return list(obj.strategy_documents.all())


class CallOut(Schema):
    id: int
    programme_id: int
    title: str
    eligibility: str
    opens_at: datetime
    closes_at: datetime
    blind_review: bool
    challenge_ids: list[int]

    @staticmethod
    def resolve_challenge_ids(obj):
        return [challenge.pk for challenge in obj.challenges.all()]


class ApplicationFileOut(Schema):
    """A file uploaded for a file question: its type was checked from the content. The name
    is neutral where the caller may not know who applied (blind review)."""

    id: int
    question_id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    download_url: str


class ApplicationOut(Schema):
    """An application as the caller may see it: the applicant's name is withheld from everyone
    but the applicant and operators when the call has blind review; gender never leaves the
    applicant's own pages (it is for aggregate statistics only)."""

    id: int
    call_id: int
    status: str
    submitted_at: datetime | None
    applicant_name: str | None
    innovator_type: str
    answers: dict
    ranking: list[int]
    files: list[ApplicationFileOut]

    @staticmethod
    def resolve_applicant_name(obj):
        return obj.applicant.full_name if getattr(obj, "show_applicant", False) else None

    @staticmethod
    def resolve_files(obj):
        shown = getattr(obj, "show_applicant", False)
        return [
            {
                "id": stored.pk,
                "question_id": stored.question_id,
                "name": stored.original_name if shown else stored.neutral_name(),
                "content_type": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
                "uploaded_at": stored.uploaded_at,
                "download_url": f"/api/applications/{obj.pk}/files/{stored.pk}",
            }
            for stored in obj.files.all()
        ]


# --- The recruitment lab and the funnel (endpoints in samskapa/recruitment/api.py) ---


class LabSlotIn(Schema):
    """A time of the lab. Times without an offset are read as Stockholm time."""

    starts_at: datetime
    ends_at: datetime
    place: str = ""
    video_url: str = ""
    capacity: int = 1
    note: str = ""


class LabSlotOut(Schema):
    id: int
    call_id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    video_url: str
    capacity: int
    places_taken: int
    note: str


class LabInvitationIn(Schema):
    application_id: int
    slot_id: int


class LabMoveIn(Schema):
    slot_id: int


class LabAnswerIn(Schema):
    answer: str  # "accept" or "decline"


class LabInvitationOut(Schema):
    """An invitation as the call's operators see it."""

    id: int
    application_id: int
    applicant_name: str
    slot_id: int | None
    status: str
    sequence: int
    responded_at: datetime | None
    updated_at: datetime

    @staticmethod
    def resolve_applicant_name(obj):
        applicant = obj.application.applicant
        return applicant.full_name or applicant.email


class MyLabInvitationOut(Schema):
    """The applicant's own invitation: the time, and where; the video link and the note only
    while the invitation stands."""

    id: int
    application_id: int
    call_id: int
    call_title: str
    status: str
    sequence: int
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    video_url: str
    note: str
    calendar_url: str

    @staticmethod
    def resolve_call_id(obj):
        return obj.application.call_id

    @staticmethod
    def resolve_call_title(obj):
        return obj.application.call.title

    @staticmethod
    def resolve_starts_at(obj):
        return obj.slot.starts_at if obj.slot else None

    @staticmethod
    def resolve_ends_at(obj):
        return obj.slot.ends_at if obj.slot else None

    @staticmethod
    def resolve_place(obj):
        return obj.slot.place if obj.slot else ""

    @staticmethod
    def resolve_video_url(obj):
        return obj.slot.video_url if obj.slot and obj.is_open else ""

    @staticmethod
    def resolve_note(obj):
        return obj.slot.note if obj.slot and obj.is_open else ""

    @staticmethod
    def resolve_calendar_url(obj):
        return f"/recruitment/invitations/{obj.pk}/invitation.ics" if obj.slot else ""


class FunnelCellOut(Schema):
    """One figure: `shown` is "exact", "fewer_than_5" (1–4 people, count and share withheld)
    or "hidden" (withheld so that a small group cannot be worked out)."""

    stage: str
    shown: str
    count: int | None
    share: float | None


class FunnelRowOut(Schema):
    code: str
    label: str
    cells: list[FunnelCellOut]


class FunnelTableOut(Schema):
    code: str
    title: str
    rows: list[FunnelRowOut]


class FunnelStageOut(Schema):
    code: str
    label: str


class FunnelOut(Schema):
    exact: bool
    stages: list[FunnelStageOut]
    totals: list[FunnelCellOut]
    tables: list[FunnelTableOut]


class FunnelSnapshotOut(Schema):
    """The funnel as stored at a decision, suppressed as the current one is for the caller."""

    id: int
    taken_at: datetime
    reason: str
    funnel: FunnelOut

    @staticmethod
    def resolve_funnel(obj, context):
        from samskapa.accounts import permissions
        from samskapa.recruitment import funnel

        exact = permissions.can(context["request"].user, "call.view_funnel_exact", obj.call)
        return funnel.as_json(obj.figures, exact=exact)
