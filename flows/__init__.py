"""Prefect flows: short recipes over citywide's functions. No logic lives here.

- ``citywide.citywide``: the whole pipeline (``citywide run``).
- ``geography.build_geography``: khet and khwaeng tables (``citywide geography build``).

Importing this package sets Prefect's environment before Prefect is imported (Prefect reads
its settings once, at import; its temporary server inherits them): see :data:`PREFECT_DEFAULTS`.
"""

from __future__ import annotations

import logging
import os

# Prefect must never phone home from a district office's machine (prefect 3.8.8 sends two kinds
# of telemetry). A value the operator set is kept.
PREFECT_DEFAULTS = {
    # the server's heartbeat to Prefect (prefect.server.services.telemetry, every 10 minutes;
    # offline it logs "Failed to send telemetry"), also read by the SDK's analytics
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # the SDK's usage events, started when prefect is imported (prefect._internal.analytics)
    "DO_NOT_TRACK": "1",
    # Prefect's temporary server (no PREFECT_API_URL) migrates a new database on its first
    # start, which takes longer than Prefect's default 20 s on a busy 2-core machine
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}
# citywide's own log records (logger "citywide" and children) go to the Prefect run's log
CITYWIDE_LOGGER = "citywide"


def configure_prefect_environment(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Set :data:`PREFECT_DEFAULTS` where unset, and add citywide's logger to Prefect's."""
    for name, value in PREFECT_DEFAULTS.items():
        environ.setdefault(name, value)
    extra = [name.strip() for name in environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "").split(",")]
    if CITYWIDE_LOGGER not in extra:
        environ["PREFECT_LOGGING_EXTRA_LOGGERS"] = ",".join([*filter(None, extra), CITYWIDE_LOGGER])


configure_prefect_environment()
if logging.getLogger(CITYWIDE_LOGGER).level == logging.NOTSET:  # an operator's level is kept
    logging.getLogger(CITYWIDE_LOGGER).setLevel(logging.INFO)
