"""The blocks of the social business model canvas: the nine classic blocks of the business
model canvas and four social ones. Each has a key (stored in a version's `blocks`), a label,
a question that helps fill it in, and its area on the wide-screen grid (canvas.css)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Block:
    key: str
    label: Promise
    question: Promise
    social: bool = False


BLOCKS = (
    Block(
        "key_partners",
        _("Key partners"),
        _("Who do we work with, and what do they bring?"),
    ),
    Block(
        "key_activities",
        _("Key activities"),
        _("What must we do well to deliver the value?"),
    ),
    Block(
        "key_resources",
        _("Key resources"),
        _("What people, knowledge, premises or money do we depend on?"),
    ),
    Block(
        "value_propositions",
        _("Value propositions"),
        _("What do we offer the paying customer, and which problem does it solve?"),
    ),
    Block(
        "customer_relationships",
        _("Customer relationships"),
        _("How do we get, keep and grow our relationships with customers?"),
    ),
    Block(
        "channels",
        _("Channels"),
        _("How do we reach customers and beneficiaries?"),
    ),
    Block(
        "customer_segments",
        _("Customer segments"),
        _("Who pays: which municipalities, regions, companies or people?"),
    ),
    Block(
        "cost_structure",
        _("Cost structure"),
        _("What are the largest costs?"),
    ),
    Block(
        "revenue_streams",
        _("Revenue streams"),
        _("What do customers pay for, how, and how much?"),
    ),
    Block(
        "beneficiaries",
        _("Beneficiaries"),
        _("Who benefits, when they are not the paying customer?"),
        social=True,
    ),
    Block(
        "social_value_proposition",
        _("Social value proposition"),
        _("What social value do we create for the beneficiaries?"),
        social=True,
    ),
    Block(
        "impact",
        _("Impact / intended effect"),
        _("What change do we want to see, and how will we know?"),
        social=True,
    ),
    Block(
        "use_of_surplus",
        _("Use of surplus"),
        _("What happens with a surplus: reinvested, shared, given to the mission?"),
        social=True,
    ),
)

BLOCK_KEYS = tuple(block.key for block in BLOCKS)
BY_KEY = {block.key: block for block in BLOCKS}

# The most a block may hold (characters): a canvas is a one-page overview.
BLOCK_MAX_LENGTH = 4000
