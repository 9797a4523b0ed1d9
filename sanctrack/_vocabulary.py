"""The model's vocabularies: the actions, statuses, confidences and bases as enumerations, and the
kinds an entity, a measure or an instrument may be.

Each enumeration is a :class:`enum.StrEnum`: a member compares equal to its text, so records built
from YAML and records built in code agree.
"""

from __future__ import annotations

import enum

__all__ = ["Action", "Status", "Confidence", "Basis", "ENTITY_KINDS", "MEASURE_KINDS", "INSTRUMENT_KINDS",
           "IN_FORCE"]


class Action(enum.StrEnum):
    """What a transition does to a measure (see :mod:`sanctrack._statemachine`)."""

    IMPOSE = "impose"
    AMEND = "amend"
    RELIEVE = "relieve"
    REVOKE_RELIEF = "revoke_relief"
    EXTEND = "extend"
    SUSPEND = "suspend"
    RESUME = "resume"
    LIFT = "lift"
    REIMPOSE = "reimpose"


class Status(enum.StrEnum):
    """The status of a measure on a date.

    ``in_force`` and ``relieved`` (in force with licensed exceptions) count as
    *in force*; ``suspended``, ``lifted`` and ``expired`` do not.
    """

    IN_FORCE = "in_force"
    RELIEVED = "relieved"
    SUSPENDED = "suspended"
    LIFTED = "lifted"
    EXPIRED = "expired"


IN_FORCE = frozenset({Status.IN_FORCE, Status.RELIEVED})


class Confidence(enum.StrEnum):
    """How sure the registry is of a record: a primary legal source, press, or analysis."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    INFERRED = "inferred"


class Basis(enum.StrEnum):
    """Why a release is linked to a transition."""

    STATED = "stated"  # an official tied them explicitly
    REPORTED = "reported"  # credible press tied them
    INFERRED = "inferred"  # analysis only


ENTITY_KINDS = frozenset(
    {"organisation", "person", "aircraft", "vessel", "sector", "country", "government_body"}
)
MEASURE_KINDS = frozenset(
    {
        "blocking",
        "sectoral",
        "export_control",
        "airspace",
        "aviation",
        "travel",
        "trade",
        "transit",
        "diplomatic",
        "financial",
        "programme",
    }
)
INSTRUMENT_KINDS = frozenset(
    {
        "executive_order",
        "general_licence",
        "licence",
        "sdn_action",
        "directive",
        "denial_order",
        "regulation",
        "decision",
        "statute",
        "statement",
        "rule",
        "notice",
    }
)
