"""The demo's business model canvas: three versions of the canvas of the demo innovator (Ida
Berg's journey, begun by the test-environment demo) and a facilitator's comment. Written through
the services, as the innovator and the operator would (permissions and audit included)."""

from samskapa.accounts.models import Role
from samskapa.canvas import services
from samskapa.journeys.models import Journey

FIRST = {
    "customer_segments": "Kommunernas äldreomsorg (hemtjänst och träffpunkter).",
    "value_propositions": (
        "Ett enkelt sätt att koppla ihop äldre som vill ha sällskap med frivilliga i närområdet."
    ),
    "channels": "Hemtjänstpersonalen tipsar; affischer på träffpunkter och bibliotek.",
    "customer_relationships": "Personlig introduktion vid första träffen.",
    "revenue_streams": "Licensavgift per kommun och år.",
    "key_resources": "Plattformen, volontärsamordnare, avtal med föreningar.",
    "key_activities": "Rekrytera och introducera volontärer; matcha; följa upp.",
    "key_partners": "Pensionärsföreningar, Svenska kyrkan, studieförbund.",
    "cost_structure": "Utveckling och drift av plattformen; samordnarens lön.",
    "beneficiaries": "Äldre som lever i ofrivillig ensamhet.",
    "social_value_proposition": "Fler meningsfulla möten i vardagen.",
    "impact": "Minskad upplevd ensamhet.",
    "use_of_surplus": "Återinvesteras i verksamheten.",
}

SECOND = FIRST | {
    "customer_segments": (
        "Kommunernas äldreomsorg (hemtjänst och träffpunkter) och regionernas primärvård."
    ),
    "value_propositions": (
        "Ett tryggt sätt att koppla ihop äldre som vill ha sällskap med frivilliga i "
        "närområdet, med bakgrundskontroll och uppföljning."
    ),
    "channels": (
        "Hemtjänstpersonalen och vårdcentralernas fysioterapeuter tipsar; affischer på "
        "träffpunkter och bibliotek."
    ),
    "impact": (
        "Minskad upplevd ensamhet, mätt med UCLA-skalan före och efter sex månader i testmiljön."
    ),
}

THIRD = SECOND | {
    "revenue_streams": (
        "Licensavgift per kommun och år; avgiftsfritt för föreningar. Pilot i testmiljön "
        "finansieras av programmet."
    ),
    "use_of_surplus": (
        "Minst 70 procent återinvesteras i verksamheten; resten går till föreningarnas "
        "volontärarbete."
    ),
}


def add_canvases(programme) -> None:
    """Three versions of the demo innovator's canvas and a comment by its facilitator;
    nothing when the innovator has no journey in the programme."""
    journey = (
        Journey.objects.filter(programme=programme, innovator__email__startswith="innovator@")
        .select_related("programme", "innovator")
        .first()
    )
    if journey is None:
        return
    facilitator = (
        journey.facilitator or programme.memberships.filter(role=Role.OPERATOR).first().user
    )
    innovator = journey.innovator
    services.save_version(
        journey, by=innovator, blocks=FIRST, base_version=0, note="Första utkastet"
    )
    second = services.save_version(
        journey,
        by=innovator,
        blocks=SECOND,
        base_version=1,
        note="Efter behovsworkshopen med hemtjänsten",
    )
    services.add_comment(
        second,
        by=facilitator,
        block="revenue_streams",
        text=(
            "Fundera på vem som betalar under piloten och efter den – kommunen köper sällan "
            "en licens innan effekten är visad."
        ),
    )
    services.save_version(
        journey, by=innovator, blocks=THIRD, base_version=2, note="Intäkter och överskott"
    )
