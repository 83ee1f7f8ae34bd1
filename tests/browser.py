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


_LAYOUT = """
const edges = r => [r.left, r.top, r.right, r.bottom];
const boxOf = selector => {
  const element = document.querySelector(selector);
  if (!element) { return null; }
  const r = element.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? edges(r) : null;
};
const labels = [];
const hidden = [];
for (const label of document.querySelectorAll('.khet-label')) {
  const spans = Array.from(label.children);
  const rects = spans.map(s => s.getBoundingClientRect()).filter(r => r.width > 0);
  const box = [Math.min(...rects.map(r => r.left)), Math.min(...rects.map(r => r.top)),
               Math.max(...rects.map(r => r.right)), Math.max(...rects.map(r => r.bottom))];
  // the label's anchor (its point inside its own khet) is the icon's top left corner
  const anchor = label.getBoundingClientRect();
  const under = document.elementsFromPoint(anchor.left, anchor.top)
    .find(e => e.matches && e.matches('path.khet-shape'));
  const found = {text: label.textContent, box: box, colour: getComputedStyle(spans[0]).color,
                 fill: under ? under.getAttribute('fill') : null,
                 priority: Number(label.dataset.priority)};
  if (getComputedStyle(label).visibility === 'visible') {
    found.text = label.innerText;
    labels.push(found);
  } else {
    hidden.push(found);
  }
}
const frame = document.querySelector('.leaflet-container').getBoundingClientRect();
return {labels: labels, hidden: hidden, width: window.innerWidth, frame: edges(frame),
        header: boxOf('.cw-header'), legend: boxOf('.citywide-legend'),
        layers: boxOf('.leaflet-control-layers'), zoom: boxOf('.leaflet-control-zoom'),
        scale: boxOf('.leaflet-control-scale')};
"""


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def padded(self, x: float, y: float) -> Box:
        return Box(self.left - x, self.top - y, self.right + x, self.bottom + y)

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def _box(edges: list[float] | None) -> Box | None:
    return None if edges is None else Box(*edges)


@dataclass(frozen=True)
class Label:
    """A khet label as drawn: its text, box, text colour (CSS rgb()) and its own khet's fill
    (the shape under the label's anchor point)."""

    text: str
    box: Box  # where it is drawn, or would be when hidden
    colour: str
    fill: str | None
    priority: int  # 0 is placed first


def _label(item: dict[str, Any]) -> Label:
    return Label(
        item["text"], Box(*item["box"]), item["colour"], item["fill"], int(item["priority"])
    )


@dataclass(frozen=True)
class Layout:
    """Where a map page's labels and controls are on screen (None: not shown)."""

    width: int
    frame: Box  # the map's own box
    labels: list[Label]
    hidden: list[Label]  # hidden for lack of room
    header: Box | None
    legend: Box | None
    layers: Box | None
    zoom: Box | None
    scale: Box | None

    @property
    def controls(self) -> list[Box]:
        found = (self.header, self.legend, self.layers, self.zoom, self.scale)
        return [box for box in found if box is not None]


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

    def viewport(self, width: int, height: int) -> None:
        """Lay pages out at ``width`` x ``height`` CSS pixels, a phone below 600 px wide (the
        window alone cannot be made narrower than Chromium's minimum)."""
        self.driver.set_window_size(max(width, 500), height)
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )

    def layout(self) -> Layout:
        """The labels shown (with their boxes) and the controls' boxes of the open page."""
        found = self.driver.execute_script(_LAYOUT)
        return Layout(
            width=int(found["width"]),
            frame=Box(*found["frame"]),
            labels=[_label(item) for item in found["labels"]],
            hidden=[_label(item) for item in found["hidden"]],
            header=_box(found["header"]),
            legend=_box(found["legend"]),
            layers=_box(found["layers"]),
            zoom=_box(found["zoom"]),
            scale=_box(found["scale"]),
        )

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
