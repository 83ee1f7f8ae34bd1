"""The project's own errors and the helpers that describe others."""

from __future__ import annotations

import pytest

from citywide.errors import reraise_interruption


class Stop(BaseException):
    pass


def test_an_error_caused_by_a_stop_raises_the_stop() -> None:
    try:
        try:
            raise Stop
        except Stop as stop:
            raise RuntimeError("Query interrupted") from stop
    except RuntimeError as error:
        with pytest.raises(Stop):
            reraise_interruption(error)


def test_an_ordinary_error_is_left_to_its_handler() -> None:
    try:
        try:
            raise ValueError("bad cell")
        except ValueError as cause:
            raise RuntimeError("could not convert") from cause
    except RuntimeError as error:
        reraise_interruption(error)  # nothing raised: the file's failure is recorded
    reraise_interruption(RuntimeError("no cause"))
