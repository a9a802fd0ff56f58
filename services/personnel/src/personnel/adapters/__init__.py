"""asyncpg repositories and the outbox."""
