"""Leaflet's JavaScript and CSS, read from an installed package, to be inlined into each page.

The pages must open from a USB stick with no network, so nothing is linked: Leaflet 1.9.4 comes
from the PyPI package ``django-js-lib-leaflet`` (static files only; Django is never imported),
and the few images its CSS names are embedded as data URIs.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

from citywide.errors import PublishError

_PACKAGE = "js_lib_leaflet"
_FOLDER = "static/js_lib_leaflet"


@cache
def leaflet_js() -> str:
    """leaflet.js without its source-map comment (a browser would try to fetch the map)."""
    text = _read("leaflet.js")
    text = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", text)
    if "</script" in text.lower():
        raise _broken("leaflet.js", "a '</script' text, which would end the inline script")
    return text


@cache
def leaflet_css() -> str:
    """leaflet.css with every ``url(images/...)`` replaced by the image itself."""

    def embed(match: re.Match[str]) -> str:
        image = _package().joinpath(f"{_FOLDER}/{match.group(1)}").read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

    text = re.sub(r"url\((images/[\w.-]+\.png)\)", embed, _read("leaflet.css"))
    if "</style" in text.lower():
        raise _broken("leaflet.css", "a '</style' text, which would end the inline style")
    return text


def _package() -> resources.abc.Traversable:
    try:
        return resources.files(_PACKAGE)
    except ModuleNotFoundError as error:
        raise PublishError(
            "Leaflet (the map library) is not installed",
            expected=f"the Python package django-js-lib-leaflet (module {_PACKAGE})",
            found=str(error),
            where="citywide.mapping.assets",
            fix="install citywide's dependencies: make venv (or pip install -e .)",
        ) from error


def _read(name: str) -> str:
    return _package().joinpath(f"{_FOLDER}/{name}").read_text(encoding="utf-8")


def _broken(name: str, found: str) -> PublishError:
    return PublishError(
        f"{name} cannot be inlined",
        expected=f"{name} of Leaflet 1.9 as django-js-lib-leaflet ships it",
        found=found,
        where=f"{_PACKAGE}/{_FOLDER}/{name}",
        fix="pin django-js-lib-leaflet to the version in constraints.txt",
    )
