"""The one declaration of Kafka topics. Topics are named <producer>.<aggregate>; `make up` creates them
(auto-creation is off on the broker) together with a `<topic>.dlq` dead-letter topic each."""

from __future__ import annotations

from dataclasses import dataclass, field

DLQ_SUFFIX = ".dlq"
# Events are the system of record and projections are rebuilt from offset 0: keep everything.
UNLIMITED_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


# Profile topics hold a person's current personal data, keyed by the person's id, for the few consumers
# that must show it. Compaction keeps only the latest value per key; the owner's erasure writes a
# tombstone (null value) that makes every consumer delete its copy and the cleaner drop the older values.
# Bounds: the active segment rolls every hour and a dirty key is compacted at the latest an hour later
# (max.compaction.lag.ms), so an overwritten or erased value is physically gone within about two hours;
# tombstones stay 7 days, so a consumer stopped for less than that still reads them.
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
COMPACTED_PROFILE = {
    "cleanup.policy": "compact",
    "segment.ms": str(HOUR_MS),
    "max.compaction.lag.ms": str(HOUR_MS),
    "min.cleanable.dirty.ratio": "0.01",
    "delete.retention.ms": str(7 * DAY_MS),
}
# Dead letters of profile records would otherwise keep personal data for ever: they expire after 7 days.
EXPIRING_DEAD_LETTERS = {"cleanup.policy": "delete", "retention.ms": str(7 * DAY_MS), "retention.bytes": "-1"}


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 3
    config: dict[str, str] = field(default_factory=lambda: dict(UNLIMITED_RETENTION))
    dlq_config: dict[str, str] | None = None  # the dead-letter topic's; None: the same as the topic's
    tombstone_type: str | None = None  # compacted topics: the CloudEvents type a tombstone's headers carry

    @property
    def dlq(self) -> TopicSpec:
        return TopicSpec(self.name + DLQ_SUFFIX, self.partitions, dict(self.dlq_config or self.config))

    @property
    def compacted(self) -> bool:
        return self.config.get("cleanup.policy") == "compact"


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
PERSONNEL_OFFICER_PROFILE = TopicSpec(
    "personnel.officer-profile",
    config=dict(COMPACTED_PROFILE),
    dlq_config=dict(EXPIRING_DEAD_LETTERS),
    tombstone_type="vn.cds.personnel.officer_profile.erased",
)
RECRUITMENT_CANDIDATE_PROFILE = TopicSpec(
    "recruitment.candidate-profile",
    config=dict(COMPACTED_PROFILE),
    dlq_config=dict(EXPIRING_DEAD_LETTERS),
    tombstone_type="vn.cds.recruitment.candidate_profile.erased",
)

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
    PERSONNEL_OFFICER_PROFILE,
    RECRUITMENT_CANDIDATE_PROFILE,
)


def all_topics() -> tuple[TopicSpec, ...]:
    """Every topic the platform needs: each source topic followed by its dead-letter topic."""
    return tuple(t for spec in SOURCE_TOPICS for t in (spec, spec.dlq))
