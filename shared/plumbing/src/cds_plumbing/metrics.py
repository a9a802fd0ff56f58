"""Prometheus metrics shared by the plumbing; each service exposes them on /metrics (deploy/README.md
describes each one). Labels stay bounded: route templates rather than paths, event types, consumer names."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUEST_SECONDS = Histogram(
    "cds_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ["method", "route", "status"],
)
OUTBOX_PUBLISHED = Counter(
    "cds_outbox_published_total", "Outbox rows published to Kafka and acknowledged, by event type.", ["type"]
)
OUTBOX_PENDING = Gauge("cds_outbox_pending", "Unpublished outbox rows seen by the relay's last pass.")
OUTBOX_OLDEST_AGE = Gauge(
    "cds_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row at the relay's last pass."
)
EVENTS_APPLIED = Counter("cds_consumer_events_applied_total", "Events applied by a consumer.", ["consumer", "type"])
EVENTS_DUPLICATE = Counter("cds_consumer_events_duplicate_total", "Redelivered events skipped.", ["consumer"])
DEAD_LETTERS = Counter("cds_consumer_dead_letters_total", "Records sent to a .dlq topic.", ["consumer", "topic"])
CONSUMER_LAG = Gauge(
    "cds_consumer_lag",
    "Records between the consumer's position and the partition's end, for the partitions it owns now.",
    ["consumer", "topic", "partition"],
)
BATCH_APPLY_SECONDS = Histogram(
    "cds_consumer_batch_apply_seconds",
    "Time to apply one fetched batch to the projections and commit it (one transaction).",
    ["consumer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
BACKGROUND_TASK_RESTARTS = Counter(
    "cds_background_task_restarts_total",
    "Restarts of a background task (outbox relay, consumer) after it crashed.",
    ["task"],
)
DLQ_PENDING = Gauge(
    "cds_dlq_pending",
    "Dead letters this consumer left on <topic>.dlq that no `dlq replay` has handled yet.",
    ["consumer", "topic"],
)
