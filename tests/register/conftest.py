"""The tiny geography's databases (tests/ingest/conftest.py), for the register's tests."""

from tests.ingest.conftest import tiny_geography_db, tiny_survey_db

__all__ = ["tiny_geography_db", "tiny_survey_db"]
