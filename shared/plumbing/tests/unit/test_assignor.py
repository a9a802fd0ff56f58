"""The replica-ordered round-robin assignor: the same replicas get the same partitions whatever their
member ids (a restarted replica rejoins under a new one), every partition has exactly one owner, and
the subscription a member sends never changes (aiokafka's sticky one does, and two static members then
rebalance each other for ever)."""

from __future__ import annotations

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.protocol import ConsumerProtocolMemberMetadata

from cds_plumbing.membership import Membership


class _Cluster(ClusterMetadata):  # type: ignore[misc]
    def __init__(self, partitions: dict[str, int]) -> None:
        super().__init__()
        self._parts = partitions

    def partitions_for_topic(self, topic: str) -> set[int]:
        return set(range(self._parts[topic]))


TOPICS = {"personnel.officer": 3, "personnel.org-unit": 3, "training.class": 3}


def _assign(members: dict[str, str]) -> dict[str, set[tuple[str, int]]]:
    """member id -> instance id; returns instance id -> partitions."""
    metas = {}
    assignor = None
    for member, instance in members.items():
        assignor = Membership(instance).consumer_settings("reporting-projections")["partition_assignment_strategy"][0]
        metas[member] = ConsumerProtocolMemberMetadata(0, sorted(TOPICS), instance.encode())
    assert assignor is not None
    result = assignor.assign(_Cluster(TOPICS), metas)
    return {members[m]: {(t, p) for t, ps in a.assignment for p in ps} for m, a in result.items()}


def test_the_same_replicas_get_the_same_partitions_whatever_their_member_ids() -> None:
    first = _assign({"reporting-1-aaa": "1", "reporting-2-bbb": "2"})
    again = _assign({"reporting-2-000": "2", "reporting-1-zzz": "1"})  # both restarted, new member ids
    assert first == again
    assert first["1"] | first["2"] == {(t, p) for t, n in TOPICS.items() for p in range(n)}
    assert not first["1"] & first["2"] and abs(len(first["1"]) - len(first["2"])) <= 1


def test_a_lone_survivor_gets_everything_and_the_subscription_is_constant() -> None:
    assert len(_assign({"m": "2"})["2"]) == 9
    assignor = Membership("1").consumer_settings("c")["partition_assignment_strategy"][0]
    assert assignor.metadata({"b", "a"}) == assignor.metadata(["a", "b"])
    assert assignor.metadata(["a"]).user_data == b"1"


def test_one_assignor_is_offered() -> None:
    """aiokafka 0.14 sends one JoinGroup per offered assignor; with two, two members rebalance for ever."""
    assert len(Membership("1").consumer_settings("c")["partition_assignment_strategy"]) == 1
