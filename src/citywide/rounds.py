"""Survey rounds as people read them: the BMA registry and the district rounds, Thai first."""

from __future__ import annotations

REGISTRY_ROUND = "bma_registry"
REGISTRY_NAME = ("ทะเบียนชุมชน กทม.", "BMA community registry")


def display_name(label: str) -> tuple[str, str]:
    """A round's name (Thai, English): ``bma_registry`` is the registry, others a survey round."""
    if label == REGISTRY_ROUND:
        return REGISTRY_NAME
    return (f"รอบสำรวจ {label}", f"survey round {label}")
