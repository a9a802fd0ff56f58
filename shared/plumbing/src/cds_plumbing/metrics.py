"""Prometheus metrics shared by the plumbing; each service exposes them on /metrics."""

from prometheus_client import Counter, Gauge

OUTBOX_PUBLISHED = Counter("cds_outbox_published_total", "Outbox rows published to Kafka and acknowledged.")
OUTBOX_PENDING = Gauge("cds_outbox_pending", "Unpublished outbox rows seen by the relay's last pass.")
EVENTS_APPLIED = Counter("cds_consumer_events_applied_total", "Events applied by a consumer.", ["consumer", "type"])
EVENTS_DUPLICATE = Counter("cds_consumer_events_duplicate_total", "Redelivered events skipped.", ["consumer"])
DEAD_LETTERS = Counter("cds_consumer_dead_letters_total", "Records sent to a .dlq topic.", ["consumer", "topic"])
CONSUMER_LAG = Gauge("cds_consumer_lag", "Records behind the partition's end.", ["consumer", "topic", "partition"])
