"""The fixtures of training's integration tests (defined with their helpers in test_api.py)."""

from services.training.tests.integration.test_api import api, settings

__all__ = ["api", "settings"]
