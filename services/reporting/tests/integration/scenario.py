"""A small province before and after the 2025 reorganisation, as personnel would publish it, and ways to
feed it to reporting: straight into process_batch, or onto real (fresh) Kafka topics."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer, ConsumerRecord

from cds_contracts import REGISTRY, Envelope, Event, Registry, TopicSpec
from cds_contracts.personnel_officers import (
    OfficerAppointedV1,
    OfficerAssignmentChanged,
    OfficerCertificateAdded,
    OfficerCorrectedV1,
    OfficerDeparted,
    OfficerQualificationAdded,
    OfficerTransferred,
)
from cds_contracts.personnel_org_units import (
    OrgUnitDissolved,
    OrgUnitMoved,
    OrgUnitRegistered,
    OrgUnitRenamed,
    OrgUnitsMerged,
)
from cds_contracts.personnel_teams import (
    CommunityTeamEstablished,
    CommunityTeamMemberJoined,
    CommunityTeamMemberLeft,
    CommunityTeamMoved,
)
from cds_plumbing.consumer import BatchResult, IdempotentConsumer
from cds_plumbing.deadletter import DeadLetterPublisher
from reporting.entrypoints.events.subscribers import ALL_SUBSCRIBERS

D = dt.date
START = D(2020, 1, 1)
REORG = D(2025, 7, 1)
BEFORE = D(2024, 12, 31)
EVENT_TIME = dt.datetime(2025, 8, 1, 8, 0, tzinfo=dt.UTC)


def _unit(unit_id: str, name: str, kind: str, level: str, parent: str | None, since: dt.date = START) -> Event:
    return OrgUnitRegistered.model_validate(
        {"unit_id": unit_id, "name_vi": name, "kind": kind, "level": level, "parent_id": parent, "valid_from": since}
    )


def _officer(officer_id: str, unit_id: str, assignment: str, functions: tuple[str, ...], since: dt.date) -> Event:
    # v1 records, with the name they carried: reporting reads them and never stores the name.
    return OfficerAppointedV1.model_validate(
        {
            "officer_id": officer_id,
            "full_name": f"Nguyễn Văn {officer_id}",
            "unit_id": unit_id,
            "employment_category": "civil_servant",
            "assignment": assignment,
            "functions": functions,
            "effective_date": since,
        }
    )


def _member(team: str, member: str, affiliation: str, role: str, since: dt.date) -> Event:
    return CommunityTeamMemberJoined.model_validate(
        {"team_id": team, "member_id": member, "affiliation": affiliation, "role": role, "joined_on": since}
    )


def history() -> list[Event]:
    """Province P with a science department, an association (kind other) and district D of three communes."""
    return [
        _unit("P", "UBND tỉnh Vĩnh Phúc", "peoples_committee", "province", None),
        _unit("P.SKHCN", "Sở Khoa học và Công nghệ", "state_agency", "province", "P"),
        _unit("P.HTH", "Hội Tin học tỉnh", "other", "province", "P"),
        _unit("D", "UBND huyện Tam Dương", "peoples_committee", "district", "P"),
        _unit("C1", "UBND xã Hợp Thịnh", "peoples_committee", "commune", "D"),
        _unit("C2", "UBND xã Đạo Tú", "peoples_committee", "commune", "D"),
        _unit("C3", "UBND xã Kim Long", "peoples_committee", "commune", "D"),
        _officer("O1", "P.SKHCN", "dedicated", ("it_leader", "information_security"), D(2021, 3, 1)),
        _officer("O2", "P.SKHCN", "concurrent", ("it_technical",), D(2021, 3, 1)),
        _officer("O3", "D", "dedicated", ("it_leader",), D(2022, 1, 1)),
        _officer("O4", "C1", "concurrent", ("it_technical",), D(2022, 1, 1)),
        _officer("O5", "C2", "concurrent", ("it_leader", "it_technical"), D(2022, 1, 1)),
        _officer("O6", "C3", "dedicated", ("information_security",), D(2023, 1, 1)),
        _officer("O7", "C3", "concurrent", ("cds_network_member",), D(2024, 6, 1)),
        _officer("O8", "P.HTH", "concurrent", (), D(2024, 6, 1)),
        OfficerQualificationAdded(officer_id="O1", degree_level="engineer", field="it", year=2010),
        OfficerCertificateAdded(
            officer_id="O1",
            certificate_id="CERT-1",
            name="An toàn thông tin",
            issuer="Cục ATTT",
            issued_on=D(2024, 1, 10),
            expires_on=D(2027, 1, 9),
        ),
        OfficerAssignmentChanged(
            officer_id="O7", assignment="dedicated", functions=("it_technical",), effective_date=D(2025, 1, 1)
        ),
        OfficerDeparted(officer_id="O6", unit_id="C3", effective_date=D(2025, 3, 15), reason="private_sector"),
        CommunityTeamEstablished(team_id="T1", commune_id="C1", village="Thôn Đông", established_on=D(2023, 5, 1)),
        CommunityTeamEstablished(team_id="T2", commune_id="C2", established_on=D(2023, 5, 1)),
        CommunityTeamEstablished(team_id="T3", commune_id="C3", established_on=D(2023, 6, 1)),
        _member("T1", "m1", "youth_union", "leader", D(2023, 5, 1)),
        _member("T1", "m2", "womens_union", "member", D(2023, 5, 1)),
        _member("T2", "m3", "youth_union", "leader", D(2023, 5, 1)),
        _member("T3", "m4", "police", "leader", D(2023, 6, 1)),
        _member("T3", "m5", "teachers", "member", D(2023, 6, 1)),
        CommunityTeamMemberLeft(team_id="T3", member_id="m5", left_on=D(2025, 1, 10)),
        CommunityTeamEstablished(team_id="T4", commune_id="C3", established_on=D(2025, 9, 1)),
        _member("T4", "m6", "health_workers", "leader", D(2025, 9, 1)),
    ]


def reorganisation() -> list[Event]:
    """1 July 2025: P renamed, C1 + C2 merged into C12, C3 moved under P, district D dissolved."""
    return [
        OrgUnitRenamed(unit_id="P", name_vi="UBND tỉnh Phú Thọ", effective_date=REORG),
        _unit("C12", "UBND xã Hợp Đạo", "peoples_committee", "commune", "P", REORG),
        OfficerTransferred(
            officer_id="O4", from_unit_id="C1", to_unit_id="C12", effective_date=REORG, reason="reorganisation"
        ),
        OfficerTransferred(
            officer_id="O5", from_unit_id="C2", to_unit_id="C12", effective_date=REORG, reason="reorganisation"
        ),
        OfficerTransferred(officer_id="O3", from_unit_id="D", to_unit_id="P", effective_date=REORG, reason="transfer"),
        CommunityTeamMoved(team_id="T1", commune_id="C12", effective_date=REORG),
        CommunityTeamMoved(team_id="T2", commune_id="C12", effective_date=REORG),
        OrgUnitsMerged(successor_id="C12", predecessor_ids=("C1", "C2"), effective_date=REORG),
        OrgUnitMoved(unit_id="C3", parent_id="P", level="commune", effective_date=REORG),
        OrgUnitDissolved(unit_id="D", effective_date=REORG),
    ]


def correction() -> list[Event]:
    """O6's departure was keyed in with the wrong date: it is 1 August 2025 (a v1 record, with personal data)."""
    return [
        OfficerCorrectedV1(
            officer_id="O6",
            full_name="Nguyễn Văn O6",
            employment_category="civil_servant",
            departure_date=D(2025, 8, 1),
            departure_reason="other_public_body",
            departure_destination="Sở Tài chính",
            note="wrong departure date",
        )
    ]


def sectors() -> list[Event]:
    """For the slice tests, fed after the three batches above (the base figures stay as they are): a
    provincial Party office, the district's Party committee dissolved with the district (its officer moves
    to the provincial office), and a digital transformation centre under the science department."""
    return [
        _unit("P.TU", "Văn phòng Tỉnh ủy", "party_agency", "province", "P"),
        _unit("D.HU", "Huyện ủy Tam Dương", "party_agency", "district", "D"),
        _unit("P.TTCDS", "Trung tâm Chuyển đổi số tỉnh", "centre", "province", "P.SKHCN"),
        _officer("O21", "P.TU", "dedicated", ("it_leader", "it_technical"), D(2022, 1, 1)),
        _officer("O22", "D.HU", "concurrent", ("it_leader",), D(2022, 1, 1)),
        _officer("O23", "P.TTCDS", "dedicated", ("it_technical", "information_security"), D(2023, 1, 1)),
        OfficerTransferred(
            officer_id="O22", from_unit_id="D.HU", to_unit_id="P.TU", effective_date=REORG, reason="reorganisation"
        ),
        OrgUnitDissolved(unit_id="D.HU", effective_date=REORG),
    ]


def envelope(event: Event, registry: Registry = REGISTRY, *, at: dt.datetime = EVENT_TIME) -> Envelope:
    spec = registry.spec_for(type(event))
    return Envelope(
        type=spec.type,
        version=spec.version,
        source="/personnel",
        subject=str(getattr(event, spec.key_field)),
        occurred_at=at,
    )


class RaisingDeadLetters(DeadLetterPublisher):
    """In these tests every event must apply: a dead letter fails the test with its cause."""

    def __init__(self) -> None:
        pass

    async def send(self, record: ConsumerRecord[bytes, bytes], error: BaseException, **_: object) -> None:
        raise AssertionError(f"{record.topic}@{record.offset} was dead-lettered: {error!r}")


class Feeder:
    """Hands events to a consumer as Kafka-like records (one partition per topic, consecutive offsets)."""

    def __init__(self, consumer: IdempotentConsumer, registry: Registry = REGISTRY) -> None:
        self.consumer, self.registry = consumer, registry
        self.offsets: dict[str, int] = defaultdict(int)
        self.clock = EVENT_TIME

    async def feed(self, events: Iterable[Event]) -> BatchResult:
        records = []
        for event in events:
            spec = self.registry.spec_for(type(event))
            self.clock += dt.timedelta(seconds=1)
            key = str(getattr(event, spec.key_field)).encode()
            value = event.model_dump_json().encode()
            topic = spec.topic.name
            headers = envelope(event, self.registry, at=self.clock).to_headers()
            records.append(
                ConsumerRecord(topic, 0, self.offsets[topic], 0, 0, key, value, None, len(key), len(value), headers)
            )
            self.offsets[topic] += 1
        return await self.consumer.process_batch(records)


def fresh_registry() -> tuple[Registry, list[TopicSpec]]:
    """The events reporting reads, registered onto fresh per-test topics."""
    suffix = uuid.uuid4().hex[:8]
    topics: dict[str, TopicSpec] = {}
    registry = Registry()
    for model in ALL_SUBSCRIBERS:
        spec = REGISTRY.spec_for(model)
        topic = topics.setdefault(spec.topic.name, TopicSpec(f"test.{spec.topic.name}-{suffix}"))
        registry.register(spec.type, spec.version, topic, key=spec.key_field)(model)
    return registry, list(topics.values())


async def produce(bootstrap: str, registry: Registry, events: Iterable[Event]) -> int:
    """Publish events like personnel's relay does (CloudEvents headers, key = aggregate id)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    n = 0
    try:
        for event in events:
            spec = registry.spec_for(type(event))
            env = envelope(event, registry, at=EVENT_TIME + dt.timedelta(seconds=n))
            await producer.send(
                spec.topic.name, event.model_dump_json().encode(), key=env.subject.encode(), headers=env.to_headers()
            )
            n += 1
        await producer.flush()
    finally:
        await producer.stop()
    return n
