"""How the world reaches reporting, by kind: `http/` (routes, the view registry, response models, the
dashboard), `events/` (the Kafka consumer and its subscribers), `cli/` (reporting-rebuild); `app.py`
assembles the service (ASGI entry point `reporting.entrypoints.app:app`)."""
