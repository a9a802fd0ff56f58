"""The one declaration of Kafka topics. Topics are named <producer>.<aggregate>; `make up` creates them
(auto-creation is off on the broker) together with a `<topic>.dlq` dead-letter topic each."""

from __future__ import annotations

from dataclasses import dataclass, field

DLQ_SUFFIX = ".dlq"
# Events are the system of record and projections are rebuilt from offset 0: keep everything.
UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 3
    config: dict[str, str] = field(default_factory=lambda: dict(UNLIMITED_RETENTION))

    @property
    def dlq(self) -> TopicSpec:
        return TopicSpec(self.name + DLQ_SUFFIX, self.partitions, dict(self.config))


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


# Source topics, by producing service and aggregate.
PERSONNEL_ORG_UNIT = TopicSpec("personnel.org-unit")
PERSONNEL_OFFICER = TopicSpec("personnel.officer")
PERSONNEL_COMMUNITY_TEAM = TopicSpec("personnel.community-team")
PERSONNEL_RESPONSE_TEAM = TopicSpec("personnel.response-team")
TRAINING_PROGRAMME = TopicSpec("training.programme")
TRAINING_PLAN = TopicSpec("training.plan")
TRAINING_CLASS = TopicSpec("training.class")
TRAINING_DRILL = TopicSpec("training.drill")
RECRUITMENT_STAFFING_PLAN = TopicSpec("recruitment.staffing-plan")
RECRUITMENT_POLICY = TopicSpec("recruitment.incentive-policy")
RECRUITMENT_VACANCY = TopicSpec("recruitment.vacancy")
RECRUITMENT_APPLICATION = TopicSpec("recruitment.application")
RECRUITMENT_EXIT_INTERVIEW = TopicSpec("recruitment.exit-interview")

SOURCE_TOPICS: tuple[TopicSpec, ...] = (
    PERSONNEL_ORG_UNIT,
    PERSONNEL_OFFICER,
    PERSONNEL_COMMUNITY_TEAM,
    PERSONNEL_RESPONSE_TEAM,
    TRAINING_PROGRAMME,
    TRAINING_PLAN,
    TRAINING_CLASS,
    TRAINING_DRILL,
    RECRUITMENT_STAFFING_PLAN,
    RECRUITMENT_POLICY,
    RECRUITMENT_VACANCY,
    RECRUITMENT_APPLICATION,
    RECRUITMENT_EXIT_INTERVIEW,
)


def all_topics() -> tuple[TopicSpec, ...]:
    """Every topic the platform needs: each source topic followed by its dead-letter topic."""
    return tuple(t for spec in SOURCE_TOPICS for t in (spec, spec.dlq))
