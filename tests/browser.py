"""Headless Chromium for the map tests: pages opened from disk with the network blocked.

Debian's ``chromium`` and ``chromium-driver`` (installed by ``make system-deps``, which
``.ci/run`` calls) are driven through Selenium. Every request that is not a ``file:`` or
``data:`` URL is refused by Chromium itself, so a page that needs the network fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]

_MEASURE = """
const shapes = document.querySelectorAll('path.khet-shape');
const legend = document.querySelector('.citywide-legend');
return {
  shapes: shapes.length,
  filled: Array.from(shapes).filter(p => (p.getAttribute('fill') || 'none') !== 'none').length,
  labels: Array.from(document.querySelectorAll('.khet-label')).map(e => e.innerText),
  legend: legend ? legend.innerText : null,
  layers: Array.from(document.querySelectorAll('.leaflet-control-layers-base label'))
            .map(e => e.innerText.trim()),
  requests: performance.getEntriesByType('resource').map(e => e.name),
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
};
"""


@dataclass(frozen=True)
class Rendered:
    shapes: int
    filled: int
    labels: list[str]
    legend: str | None
    layers: list[str]
    requests: list[str]
    console_errors: list[str]
    pwned: str | None

    @property
    def network_requests(self) -> list[str]:
        """Requests for anything but the page's own file and inline data (must be none)."""
        return [r for r in self.requests if not r.startswith(("file:", "data:"))]


class Browser:
    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def render(self, page: Path) -> Rendered:
        """Open ``page``, wait for the khet shapes, measure what is drawn and the console."""
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.get_log("browser")  # drop what earlier pages logged
        self.driver.get(page.resolve().as_uri())
        WebDriverWait(self.driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )
        measured = self.driver.execute_script(_MEASURE)
        errors = [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] in ("SEVERE", "ERROR")
        ]
        return Rendered(console_errors=errors, **measured)

    def run(self, script: str) -> Any:
        return self.driver.execute_script(script)

    def screenshot(self, target: Path) -> None:
        self.driver.save_screenshot(str(target))


def chromium_or_skip() -> None:
    """Chromium is required in CI (``CI`` set): there a missing browser fails, never skips."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if missing:
        message = f"headless map tests need {', '.join(missing)}: run make system-deps"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@contextmanager
def chromium() -> Iterator[Browser]:
    chromium_or_skip()
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager must not phone home
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})
        yield Browser(driver)
    finally:
        driver.quit()
