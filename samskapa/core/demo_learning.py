"""The demo's learning log: a few lessons of the demo programme, one approved for the public
lessons library, one for the programme, one private, one awaiting the operator's approval.
Written through the services, as a programme's people would (permissions and audit included)."""

from samskapa.accounts.models import Role
from samskapa.learning import services
from samskapa.learning.models import Lesson, Visibility
from samskapa.programmes.models import PhaseKind

LESSONS = [
    {
        "title": "Bjud in målgruppen innan utmaningen skrivs",
        "what_happened": (
            "Vi formulerade utmaningen om ensamhet bland äldre i förvaltningen och bjöd in "
            "pensionärsföreningarna först när den var publicerad. De kände inte igen sig i "
            "beskrivningen, och flera innovatörer ställde frågor vi inte kunde svara på."
        ),
        "what_we_learned": (
            "Behovsägarens bild av behovet räcker inte. De som berörs ser andra orsaker och "
            "andra lösningar, och de ger utmaningen trovärdighet när den sprids."
        ),
        "what_we_would_do_differently": (
            "Hålla en behovsworkshop med målgruppen och deras organisationer innan utmaningen "
            "skrivs, och låta dem läsa utkastet."
        ),
        "phase": PhaseKind.IDENTIFY_AND_RECRUIT,
        "themes": ["Ensamhet", "Samskapande", "Behovsanalys"],
        "concerns": "Behovsägare och processledare",
        "visibility": Visibility.PUBLIC,
        "approve": True,
    },
    {
        "title": "Dataskyddet tog längre tid än testet",
        "what_happened": (
            "Testmiljön på fritidsgården väntade sju veckor på ett personuppgiftsbiträdesavtal. "
            "Innovatören hann tappa två av sina tre testpersoner under tiden."
        ),
        "what_we_learned": (
            "Avtal om personuppgifter måste påbörjas samtidigt som matchningen, inte när testet "
            "ska starta."
        ),
        "what_we_would_do_differently": (
            "Ta med dataskyddsombudet i urvalet och ha en mall för avtalet klar."
        ),
        "phase": PhaseKind.TEST_ENVIRONMENT,
        "themes": ["Testmiljö", "Dataskydd"],
        "concerns": "Värdförvaltningar och innovatörer",
        "visibility": Visibility.PUBLIC,
        "approve": False,
    },
    {
        "title": "Styrgruppen behöver underlag en vecka före mötet",
        "what_happened": (
            "Underlaget till fasbeslutet skickades dagen före mötet. Två ledamöter bad om "
            "att skjuta beslutet, och innovatören fick vänta en månad."
        ),
        "what_we_learned": "Ett uppskjutet beslut kostar innovatören mer än oss.",
        "what_we_would_do_differently": "Skicka underlaget senast en vecka före varje möte.",
        "phase": PhaseKind.CONCEPT_DEVELOPMENT,
        "themes": ["Styrning"],
        "concerns": "Styrgruppen",
        "visibility": Visibility.PROGRAMME,
        "approve": False,
    },
    {
        "title": "Jag lovade för mycket i pitchen",
        "what_happened": (
            "I rekryteringslabbet lovade jag en färdig app till sommaren. Vi hade inte räknat "
            "med tiden för tillgänglighetsgranskning."
        ),
        "what_we_learned": "Hellre en mindre pilot som håller än ett löfte som spricker.",
        "what_we_would_do_differently": "Beskriva piloten i steg med en tidsbuffert.",
        "phase": PhaseKind.IDENTIFY_AND_RECRUIT,
        "themes": ["Pitch"],
        "concerns": "",
        "visibility": Visibility.PRIVATE,
        "approve": False,
    },
]


def add_lessons(programme) -> list[Lesson]:
    """Record the demo lessons in `programme` (its first innovator writes the private one, its
    operator the others) and approve the first for the public lessons library."""
    memberships = programme.memberships.select_related("user").order_by("pk")
    operator = memberships.filter(role=Role.OPERATOR).first().user
    innovator = memberships.filter(role=Role.INNOVATOR).first()
    lessons = []
    for entry in LESSONS:
        fields = dict(entry)
        approve = fields.pop("approve")
        private = fields["visibility"] == Visibility.PRIVATE
        author = innovator.user if private and innovator else operator
        lesson = services.create_lesson(programme, by=author, **fields)
        if approve:
            lesson = services.decide(lesson, by=operator, approve=True)
        lessons.append(lesson)
    return lessons
