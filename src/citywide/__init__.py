"""citywide: Bangkok's city-wide housing survey pipeline."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("citywide")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
