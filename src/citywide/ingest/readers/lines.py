"""Line arithmetic on a text file's bytes, in numpy: line ends, counts, odd quotes.

Used by the CSV reader to number records by file line and to find unclosed quotes without a
Python loop over rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy


def odd_quote_lines(path: Path) -> numpy.ndarray:
    """Line numbers (from 1) of the lines holding an odd number of double quotes."""
    array, ends = _line_ends(path)
    quotes = numpy.flatnonzero(array == ord('"'))
    line_of_quote = numpy.searchsorted(ends, quotes) + 1
    lines, counts = numpy.unique(line_of_quote, return_counts=True)
    odd: numpy.ndarray = lines[counts % 2 == 1].astype(numpy.int64)
    return odd


def _line_ends(path: Path) -> tuple[numpy.ndarray, numpy.ndarray]:
    """The file's bytes, and the positions of its line feeds."""
    array = numpy.frombuffer(path.read_bytes(), dtype=numpy.uint8)
    return array, numpy.flatnonzero(array == 10)


def count_lines(path: Path) -> int:
    """Lines in a text file: newline characters, plus a last line without one."""
    count, last = 0, b""
    with path.open("rb") as file:
        while chunk := file.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk
    return count + (1 if last and not last.endswith(b"\n") else 0)


def longest_line(path: Path) -> int:
    """Bytes in the file's longest line (line end included)."""
    array, ends = _line_ends(path)
    return int(numpy.diff(numpy.concatenate(([-1], ends, [len(array) - 1]))).max())


def record_lines(path: Path, header_lines: int) -> numpy.ndarray:
    """File line numbers of the non-empty lines after the header (DuckDB skips empty lines)."""
    array, ends = _line_ends(path)
    if len(array) and array[-1] != 10:
        ends = numpy.append(ends, len(array))
    starts = numpy.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    carriage = (lengths == 1) & (array[numpy.minimum(starts, max(len(array) - 1, 0))] == 13)
    non_empty = (lengths > 0) & ~carriage
    line_numbers = numpy.flatnonzero(non_empty).astype(numpy.int64) + 1
    return line_numbers[line_numbers > header_lines]
