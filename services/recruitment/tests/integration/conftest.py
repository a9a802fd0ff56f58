"""The `api` fixture of recruitment's integration tests (defined with its helpers in test_api.py)."""

from services.recruitment.tests.integration.test_api import api

__all__ = ["api"]
