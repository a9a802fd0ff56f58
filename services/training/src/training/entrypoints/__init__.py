"""FastAPI app and event subscribers (on_<event>)."""
