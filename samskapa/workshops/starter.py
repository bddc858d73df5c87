"""The toolbox's starter set, written by us and offered to every programme.

The texts live here, marked for translation, so that each reader gets them in their own
language; the database holds one row per tool (`Tool.key`, seeded by migration 0002) so that
workshops can refer to a starter tool like to any other. A tool's `sections` are the headings
of its downloadable worksheet (a PDF with room to write under each).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class StarterTool:
    key: str
    phases: str  # the PhaseKind values, e.g. "12"
    name: str
    purpose: str
    how_to: str
    duration: str
    materials: str
    sections: tuple


STARTER_TOOLS = {
    tool.key: tool
    for tool in [
        StarterTool(
            key="needs_mapping",
            phases="1",
            name=_("Needs mapping"),
            purpose=_(
                "Find and describe the needs of a target group before anyone proposes a "
                "solution: what is hard today, for whom, how often, and what it costs."
            ),
            how_to=_(
                "1. Invite staff who meet the target group and, where possible, people from it.\n"
                "2. Everyone writes observed problems on sticky notes, one per note (10 min).\n"
                "3. Group the notes into themes on the wall and name each theme (20 min).\n"
                "4. For each theme: who is affected, how often, what it costs today.\n"
                "5. Vote for the three most important needs and formulate each one as a "
                'challenge: "How might we … for … so that …?"'
            ),
            duration=_("2–3 hours"),
            materials=_("Sticky notes, markers, a large wall or whiteboard, the worksheet."),
            sections=(
                _("Target group"),
                _("Observed problems"),
                _("Themes"),
                _("Who is affected, how often, at what cost"),
                _("The three most important needs"),
                _("How might we …?"),
            ),
        ),
        StarterTool(
            key="stakeholder_map",
            phases="12",
            name=_("Stakeholder map"),
            purpose=_(
                "See everyone who affects or is affected by the challenge or the solution, how "
                "much influence and interest they have, and how to involve them."
            ),
            how_to=_(
                "1. List every person, group and organisation with a stake (10 min).\n"
                "2. Place each on a grid: influence (low–high) against interest (low–high).\n"
                "3. Mark the relations: who decides, who pays, who uses, who can stop it.\n"
                "4. Choose for each quadrant how to involve them: keep satisfied, manage "
                "closely, keep informed, monitor.\n"
                "5. Name an owner and a next step for the five most important stakeholders."
            ),
            duration=_("1–1.5 hours"),
            materials=_("The worksheet or a large grid on paper, sticky notes in two colours."),
            sections=(
                _("Stakeholders"),
                _("High influence, high interest: manage closely"),
                _("High influence, low interest: keep satisfied"),
                _("Low influence, high interest: keep informed"),
                _("Low influence, low interest: monitor"),
                _("Next steps and owners"),
            ),
        ),
        StarterTool(
            key="social_canvas",
            phases="23",
            name=_("Social business model canvas"),
            purpose=_(
                "Describe how the innovation creates, delivers and captures value — economic "
                "and social — on one page, and iterate it as you learn."
            ),
            how_to=_(
                "1. Start with the beneficiaries and the customer segments: who pays is not "
                "always who benefits.\n"
                "2. Fill in the value propositions and the social value proposition.\n"
                "3. Continue with channels, relationships, revenue streams; then resources, "
                "activities, partners and costs.\n"
                "4. Describe the intended impact and how any surplus is used.\n"
                "5. Mark the three riskiest assumptions and plan how to test them in the test "
                "environment. Save a new version after each test."
            ),
            duration=_("2 hours, then revisited at each phase"),
            materials=_("The canvas printed in A3 or larger, sticky notes, markers."),
            sections=(
                _("Customer segments"),
                _("Beneficiaries"),
                _("Value propositions"),
                _("Social value proposition"),
                _("Channels"),
                _("Customer relationships"),
                _("Revenue streams"),
                _("Key resources"),
                _("Key activities"),
                _("Key partners"),
                _("Cost structure"),
                _("Impact / intended effect"),
                _("Use of surplus"),
            ),
        ),
        StarterTool(
            key="pitch_training",
            phases="134",
            name=_("Pitch training"),
            purpose=_(
                "Practise telling the idea in three minutes to a needs owner, a steering group "
                "or a buyer: the need, the solution, the evidence, and what you ask for."
            ),
            how_to=_(
                "1. Each innovator writes their pitch with the worksheet (20 min).\n"
                "2. Pitch in pairs, three minutes each; the listener notes what stuck (15 min).\n"
                "3. Rewrite: cut jargon, lead with the need, end with a clear ask (15 min).\n"
                '4. Pitch to the whole group; give feedback as "I liked … / I wonder …".\n'
                "5. Record the questions you got: they are the next pitch's content."
            ),
            duration=_("1.5–2 hours"),
            materials=_("A timer, the worksheet, a room where the group can stand in front."),
            sections=(
                _("The need (who, what, how big)"),
                _("The solution in one sentence"),
                _("Evidence so far"),
                _("Why us"),
                _("What we ask for"),
                _("Questions we got"),
            ),
        ),
        StarterTool(
            key="pilot_plan",
            phases="23",
            name=_("Pilot plan"),
            purpose=_(
                "Agree with the host department what the pilot tests, with whom, where, for how "
                "long, what success looks like, and who does what."
            ),
            how_to=_(
                "1. Write the hypothesis the pilot tests and the measure that will show it.\n"
                "2. Decide the participants, the place, the period and what the host offers "
                "(target group, premises, data, staff time).\n"
                "3. Go through personal data and consent: is a data-sharing agreement needed?\n"
                "4. List the risks and what you do if they happen; agree when to stop.\n"
                "5. Set check-in dates and who reports what to whom."
            ),
            duration=_("2 hours with the innovator and the host contact"),
            materials=_("The worksheet, the test environment's agreement, a calendar."),
            sections=(
                _("Hypothesis and measure of success"),
                _("Participants and place"),
                _("Period and check-ins"),
                _("What the host department offers"),
                _("Personal data and consent"),
                _("Risks and when to stop"),
                _("Roles and responsibilities"),
            ),
        ),
        StarterTool(
            key="effect_chain",
            phases="234",
            name=_("Effect chain"),
            purpose=_(
                "Connect what the innovation does to the change it aims for: activities, "
                "outputs, outcomes and impact, with an indicator for each step."
            ),
            how_to=_(
                "1. Start at the end: the long-term impact for the target group.\n"
                "2. Work backwards: which outcomes lead there, in the short and medium term?\n"
                "3. Which outputs (what is delivered) lead to those outcomes, and which "
                "activities produce them?\n"
                "4. Write an indicator and a data source for each step.\n"
                "5. Mark the assumptions between the steps; they are what the evaluation tests."
            ),
            duration=_("1.5–2 hours"),
            materials=_("The worksheet, sticky notes in four colours (one per step)."),
            sections=(
                _("Activities"),
                _("Outputs"),
                _("Short-term outcomes"),
                _("Long-term impact"),
                _("Indicators and data sources"),
                _("Assumptions"),
            ),
        ),
        StarterTool(
            key="user_journey",
            phases="12",
            name=_("User journey map"),
            purpose=_(
                "Follow one person of the target group through a service step by step, to see "
                "where it works, where it fails, and where an innovation could help."
            ),
            how_to=_(
                "1. Choose a persona and a situation (e.g. an older person coming home from "
                "hospital).\n"
                "2. Write the steps they go through, from the first contact to the last.\n"
                "3. For each step: what they do, whom they meet, what they feel.\n"
                "4. Mark the low points and the moments that matter most.\n"
                "5. Pick one low point and turn it into a challenge."
            ),
            duration=_("1.5 hours"),
            materials=_("A long sheet of paper, sticky notes, the worksheet."),
            sections=(
                _("Persona and situation"),
                _("Steps"),
                _("What they do, whom they meet"),
                _("What they feel"),
                _("Low points and opportunities"),
            ),
        ),
        StarterTool(
            key="retrospective",
            phases="1234",
            name=_("Learning retrospective"),
            purpose=_(
                "Look back together on a period or a test and turn what happened into lessons "
                "for the learning log: what worked, what did not, what we would do differently."
            ),
            how_to=_(
                "1. Draw a timeline of the period and mark the events everyone remembers.\n"
                "2. Each person writes: what went well, what was hard, what surprised them.\n"
                "3. Discuss the patterns without looking for someone to blame.\n"
                "4. Agree on at most three things to change and who owns each.\n"
                "5. Record the lessons — and the instructive mistakes — in the learning log."
            ),
            duration=_("1 hour"),
            materials=_("A whiteboard, sticky notes in three colours, the worksheet."),
            sections=(
                _("Timeline"),
                _("What went well"),
                _("What was hard"),
                _("What surprised us"),
                _("What we will do differently, and who owns it"),
            ),
        ),
    ]
}
