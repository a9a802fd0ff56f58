"""Kafka subscribers: the consumer and its batch steps writing the projections (functions on_<event>)."""
