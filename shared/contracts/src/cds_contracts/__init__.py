"""Event contracts of the CĐS workforce platform.

Importing this package registers every event model in `REGISTRY`.
"""

from . import personnel_officers as personnel_officers
from . import personnel_org_units as personnel_org_units
from . import personnel_response_teams as personnel_response_teams
from . import personnel_teams as personnel_teams
from . import profiles as profiles
from . import recruitment as recruitment
from . import training as training
from .base import Event
from .envelope import Envelope, EnvelopeError
from .registry import REGISTRY, EventSpec, Registry, UnknownEventError
from .topics import SOURCE_TOPICS, TopicSpec, all_topics, dlq_topic

__all__ = [
    "REGISTRY",
    "SOURCE_TOPICS",
    "Envelope",
    "EnvelopeError",
    "Event",
    "EventSpec",
    "Registry",
    "TopicSpec",
    "UnknownEventError",
    "all_topics",
    "dlq_topic",
    "personnel_officers",
    "personnel_org_units",
    "personnel_response_teams",
    "personnel_teams",
    "profiles",
    "recruitment",
    "training",
]
