"""Files -> raw tables: the mapped columns of each table in a file, as text, with row numbers.

Every reader finds the header with :mod:`citywide.ingest.layout` and keeps only the columns that
name a field: personal-data columns are never read past the header. ``source_row`` is the row
number a person sees when opening the file (spreadsheet row, CSV line, feature number).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy
import pandas as pd
import pyogrio
import python_calamine
import shapely

from citywide.errors import CitywideError, describe_error
from citywide.ingest.columns import PERSONAL, Vocabulary, vocabulary
from citywide.ingest.layout import SCAN_ROWS, Layout, find_layout

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
SUPPORTED = CSV_SUFFIXES | SHEET_SUFFIXES | GEO_SUFFIXES
_HEAD_BYTES = 256 * 1024
_DELIMITERS = ",;\t|"
_KOBO_MARKERS = ("_uuid", "_submission_time", "_id", "_index", "meta/instanceid")
_REPEAT_GROUP_MARKERS = ("_parent_index", "_parent_table_name")
_THAI = re.compile("[\u0e01-\u0e5b]")
# DuckDB's read_csv refuses a line longer than this (its default max_line_size); a file with
# longer lines is read again with a limit set from its longest line.
_DUCKDB_MAX_LINE = 2 * 1024 * 1024
# The header scan reads at most the head of the file: no cell of it can be longer than the head.
# (Python's csv module refuses cells over 131,072 characters by default.)
csv.field_size_limit(max(csv.field_size_limit(), _HEAD_BYTES + 1))


class FileUnreadable(CitywideError):
    """A file (or every table in it) cannot be read as a survey return."""


@dataclass
class RawTable:
    """One table of a file, ready to be materialised into DuckDB."""

    path: Path
    format: str
    encoding: str | None
    sheet: str | None
    layout: Layout
    materialise: Callable[[duckdb.DuckDBPyConnection, str], None]
    has_geometry: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        return list(self.layout.mapped)


def read_tables(path: Path, vocab: Vocabulary | None = None) -> list[RawTable]:
    """Every table in the file; raises FileUnreadable if there is none.

    Each raw table has ``source_row``, one text column per mapped field, ``unclosed_quote`` (a CSV
    record that a quote never closed ran over: its cells cannot be trusted) and ``first_cell`` (the
    row's first non-empty cell, whatever its column: only used to recognise summary rows).
    """
    vocab = vocab or vocabulary()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise FileUnreadable(
            f"{path.name}: not a survey file citywide can read",
            expected=f"one of {', '.join(sorted(SUPPORTED))}",
            found=f"a {suffix or 'suffix-less'} file",
            where=str(path),
            fix="save the return as .xlsx or .csv (UTF-8) and send it again",
        )
    try:
        if suffix in CSV_SUFFIXES:
            return [_read_csv(path, vocab)]
        if suffix in SHEET_SUFFIXES:
            return _read_workbook(path, vocab)
        return _read_geo(path, vocab)
    except FileUnreadable:
        raise
    except Exception as error:  # a corrupt file raises whatever its parser raises
        raise FileUnreadable(
            f"{path.name}: the file is damaged or not what its name says",
            expected=f"a readable {suffix} file",
            found=describe_error(error),
            where=str(path),
            fix="open the file on the computer that made it, save it again, and resend it",
        ) from error


def _no_header(
    path: Path, sheet: str | None, first_rows: Sequence[Sequence[str]], vocab: Vocabulary
) -> FileUnreadable:
    """No row names two survey columns. Says which header cells were recognised, never the
    cells themselves: the rows scanned are data as often as headers, and may be personal."""
    recognised = [
        f"{cell.strip()} (row {row_index + 1})"
        for row_index, row in enumerate(first_rows[:SCAN_ROWS])
        for cell in row
        if cell and vocab.field_for(cell.strip()) not in (None, PERSONAL)
    ]
    listed = ", ".join(recognised[:10])
    seen = (
        f"no row naming two survey columns; recognised as column names: {listed}"
        if recognised
        else f"no cell of the first {SCAN_ROWS} rows names a survey column"
    )
    place = f"{path}, sheet {sheet}" if sheet else str(path)
    return FileUnreadable(
        f"{path.name}: no header row found",
        expected=(
            f"within the first {SCAN_ROWS} rows, a row naming at least two survey columns, "
            "e.g. เขต / District, ชื่อชุมชน / Community, ครัวเรือน / Households"
        ),
        found=seen,
        where=place,
        fix="put one header row above the data, with column names as in docs/ingestion.md",
    )


# ---------------------------------------------------------------------------------------------
# CSV


def detect_encoding(data: bytes, *, complete: bool = True) -> str:
    """utf-8-sig, utf-8, utf-16 (BOM), utf-16-le / utf-16-be (no BOM) or windows-874 (TIS-620).

    With ``complete=False`` the bytes are the head of a longer file, which may end inside a
    character: only what they hold is judged. Text in UTF-8 or Windows-874 never holds a NUL
    byte; UTF-16 without a BOM is told by where its NUL bytes fall (see :func:`_utf16_order`).
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data:
        return _utf16_order(data)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return "unknown"
    return "windows-874" if _THAI.search(text) else "unknown"


def _utf16_order(data: bytes) -> str:
    """utf-16-le or utf-16-be for UTF-16 text without a BOM, else unknown.

    Every character of a Thai or English CSV is below U+0E80, so the high byte of each 16-bit
    unit is 0x00 (ASCII: digits, delimiters, line ends) or 0x0E (Thai), and it is the second
    byte of each pair in little-endian order, the first in big-endian order.
    """
    pairs = numpy.frombuffer(data[: len(data) // 2 * 2], dtype=numpy.uint8).reshape(-1, 2)
    if not len(pairs):
        return "unknown"
    for order, high in (("utf-16-le", pairs[:, 1]), ("utf-16-be", pairs[:, 0])):
        if numpy.isin(high, (0x00, 0x0E)).mean() >= 0.95 and (high == 0).any():
            return order
    return "unknown"


_CODEC = {
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
    "windows-874": "cp874",
    "utf-8": "utf-8",
}
_UTF8 = ("utf-8", "utf-8-sig")


def _unknown_encoding(path: Path) -> FileUnreadable:
    return FileUnreadable(
        f"{path.name}: the text encoding is not recognised",
        expected="UTF-8 (with or without BOM), UTF-16, or Windows-874 / TIS-620 Thai",
        found="bytes that are none of these",
        where=str(path),
        fix="in Excel choose Save As > CSV UTF-8 (Comma delimited), and resend",
    )


def _encoding_changes(path: Path, data: bytes, start: int) -> FileUnreadable:
    line = data.count(b"\n", 0, start) + 1
    return FileUnreadable(
        f"{path.name}: the text encoding changes part-way through the file",
        expected="one encoding for the whole file: UTF-8, UTF-16 or Windows-874 / TIS-620 Thai",
        found=f"UTF-8 up to line {line - 1}, then bytes that are not UTF-8 on line {line}",
        where=f"{path}, line {line}",
        fix="the file joins two exports: open it, choose Save As > CSV UTF-8 "
        "(Comma delimited), and resend",
    )


def _cannot_parse(path: Path, error: UnicodeDecodeError) -> FileUnreadable:
    """DuckDB's CSV error quotes the line; cut inside a Thai character, it cannot be decoded."""
    return FileUnreadable(
        f"{path.name}: a line of the file could not be read as CSV",
        expected="rows of cells separated by the delimiter, with matching quotes",
        found=f"a line DuckDB's CSV reader stopped at ({type(error).__name__} in its message)",
        where=str(path),
        fix="open the file on the computer that made it, save it again as CSV UTF-8, and resend",
    )


def _read_csv(path: Path, vocab: Vocabulary) -> RawTable:
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
        complete = not file.read(1)
    encoding = detect_encoding(head, complete=complete)
    if encoding == "unknown":
        raise _unknown_encoding(path)
    text = head.decode(_CODEC[encoding], errors="ignore").removeprefix("\ufeff")
    # old Mac exports end lines with CR alone: DuckDB and the line numbers need LF
    cr_only = "\r" in text and "\n" not in text
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    grid: list[list[str]] = []
    lines_after_row: list[int] = []
    for row in reader:
        grid.append(row)
        lines_after_row.append(reader.line_num)
        if len(grid) >= SCAN_ROWS:
            break
    else:
        if not complete and grid:  # the head ends inside its last row: that row is cut short
            grid.pop()
            lines_after_row.pop()
    layout = find_layout(grid, vocab)
    if layout is None:
        raise _no_header(path, None, grid, vocab)
    width = max((len(row) for row in grid), default=0)
    source = _CsvSource(
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        width=max(width, max(layout.mapped.values()) + 1),
        layout=layout,
        header_lines=lines_after_row[layout.header_row],
        first_data_row=next((row for row in grid[layout.header_row + 1 :] if row), None),
        cr_only=cr_only,
    )
    fmt = "kobo-csv" if _is_kobo(layout) else "csv"
    table = RawTable(path, fmt, encoding, None, layout, source.materialise)
    source.table = table
    return table


def _sniff_delimiter(head: str) -> str:
    sample = "\n".join(head.splitlines()[:SCAN_ROWS])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in _DELIMITERS}
        return max(counts, key=lambda d: counts[d])


@dataclass
class _CsvSource:
    """How to load one CSV into DuckDB: DuckDB's reader does the parsing, in parallel.

    UTF-8 files are read in place; other encodings, and files whose lines end with CR alone,
    are converted to a temporary UTF-8 copy with LF line ends. ``source_row`` is the file line:
    DuckDB skips empty lines and a quoted cell may span lines, so when the records do not match
    the lines one to one, the line of each record is found from the bytes.
    """

    path: Path
    encoding: str
    delimiter: str
    width: int
    layout: Layout
    header_lines: int  # physical lines up to and including the header row
    first_data_row: list[str] | None  # to check that DuckDB starts where the header ends
    cr_only: bool = False  # lines end with CR alone (old Mac exports)
    table: RawTable | None = None

    def materialise(self, connection: duckdb.DuckDBPyConnection, table: str) -> None:
        if self.encoding in _UTF8 and not self.cr_only:
            try:
                self._load(connection, table, self.path)
                return
            except UnicodeDecodeError as error:  # DuckDB's message quotes a line it cannot read
                failure: Exception = error
            except duckdb.InvalidInputException as error:
                if "unicode" not in str(error).casefold():
                    raise
                failure = error
            data = self.path.read_bytes()
            try:  # valid UTF-8 at the head: judge the whole file
                data.decode("utf-8")
            except UnicodeDecodeError as invalid:
                self._judge_whole_file(data, invalid)
            else:
                if isinstance(failure, UnicodeDecodeError):
                    raise _cannot_parse(self.path, failure) from failure
                raise failure
        else:
            data = self.path.read_bytes()
        text = data.decode(_CODEC[self.encoding]).removeprefix("\ufeff")
        if self.cr_only:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        with tempfile.TemporaryDirectory(prefix="citywide-csv-") as folder:
            utf8_copy = Path(folder) / "utf8.csv"
            utf8_copy.write_text(text, encoding="utf-8", newline="")
            self._load(connection, table, utf8_copy)

    def _judge_whole_file(self, data: bytes, invalid: UnicodeDecodeError) -> None:
        """The head was UTF-8 and the whole file is not: Windows-874 throughout, or a mix."""
        encoding = detect_encoding(data)
        if encoding in _UTF8 or encoding == "unknown":
            if invalid.start >= _HEAD_BYTES:  # the head was sound UTF-8, with Thai or not
                raise _encoding_changes(self.path, data, invalid.start) from invalid
            raise _unknown_encoding(self.path) from invalid
        self.encoding = encoding
        if self.table is not None:
            self.table.encoding = encoding

    def _load(self, connection: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
        cells = f"{table}_cells"
        mapped = self.layout.mapped
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(self.width)) + "}"
        selected = ", ".join(f"c{index} AS {name}" for name, index in mapped.items())
        # CASE, not coalesce(trim(...)): it stops at the first written cell without copying
        first_cell = " ".join(
            f"WHEN c{i} IS NOT NULL AND NOT regexp_full_match(c{i}, '\\s*') THEN c{i}"
            for i in range(self.width)
        )
        parallel, max_line_size, measured = True, _DUCKDB_MAX_LINE, False
        while True:
            try:
                connection.execute(
                    f"CREATE OR REPLACE TEMP TABLE {cells} AS "  # noqa: S608 (names built here)
                    f"SELECT {selected}, CASE {first_cell} END AS first_cell FROM read_csv("
                    "$path, auto_detect = false, header = false, skip = $skip, "
                    "delim = $delimiter, quote = '\"', escape = '\"', null_padding = true, "
                    "strict_mode = false, parallel = $parallel, max_line_size = $max_line_size, "
                    f"columns = {columns})",
                    {
                        "path": str(path),
                        "skip": self.layout.header_row + 1,
                        "delimiter": self.delimiter,
                        "parallel": parallel,
                        "max_line_size": max_line_size,
                    },
                )
                break
            except (duckdb.InvalidInputException, UnicodeDecodeError) as error:
                # a line longer than DuckDB's limit (a long note): raise the limit to fit it;
                # measured only now, so that ordinary files are not read twice
                if not measured and path.stat().st_size > _DUCKDB_MAX_LINE:
                    measured = True
                    longest = _longest_line(path)
                    if longest >= max_line_size:
                        max_line_size = longest + 1
                        continue
                # quoted line breaks inside cells need the single-threaded reader (a message
                # that cannot be decoded may be that one too: the retry costs little)
                if not parallel or (
                    isinstance(error, duckdb.InvalidInputException) and "parallel" not in str(error)
                ):
                    raise
                parallel = False
        self._check_start(connection, cells)
        self._number_rows(connection, f"{table}_numbered", cells, path)
        self._flag_unclosed_quotes(connection, table, path)

    def _flag_unclosed_quotes(
        self, connection: duckdb.DuckDBPyConnection, table: str, path: Path
    ) -> None:
        """The raw view, with ``unclosed_quote`` true on records that an unclosed quote ran on.

        A quote that opens a cell and never closes makes DuckDB read the rest of the line (the
        columns to its right, personal ones included) into that one cell. Such a record has a
        kept text cell holding the delimiter or a line break, and its line holds an odd number
        of quotes; only files with such a cell are counted, so ordinary files pay one scan of
        their text columns.
        """
        numbered = f"{table}_numbered"
        catalogue = vocabulary()
        kept_text = {*catalogue.fields_of_kind("text"), *catalogue.fields_of_kind("code")}
        text = [f for f in self.layout.mapped if f in kept_text]
        suspect = " OR ".join(
            f"contains({f}, $delimiter) OR contains({f}, chr(10)) OR contains({f}, chr(13))"
            for f in text
        )
        rows = (
            connection.execute(
                f"SELECT source_row FROM {numbered} WHERE {suspect}",  # noqa: S608
                {"delimiter": self.delimiter},
            ).fetchall()
            if text
            else []
        )
        flagged = numpy.empty(0, dtype=numpy.int64)
        if rows:  # only then is the file read again, to count each line's quotes
            suspects = numpy.array([r[0] for r in rows], dtype=numpy.int64)
            flagged = numpy.intersect1d(suspects, _odd_quote_lines(path))
        if not len(flagged):  # the common case: no join on every row for nothing
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
                f"SELECT *, false AS unclosed_quote FROM {numbered}"
            )
            return
        _temp_table(connection, f"{table}_unclosed", pd.DataFrame({"source_row": flagged}))
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
            f"SELECT n.*, u.source_row IS NOT NULL AS unclosed_quote FROM {numbered} n "
            f"LEFT JOIN {table}_unclosed u USING (source_row)"
        )

    def _check_start(self, connection: duckdb.DuckDBPyConnection, cells: str) -> None:
        if self.first_data_row is None:
            return
        names = list(self.layout.mapped)
        found = connection.execute(
            f"SELECT {', '.join(names)} FROM {cells} WHERE rowid = 0"  # noqa: S608
        ).fetchone()
        row = self.first_data_row
        expected = tuple(
            (row[i] if i < len(row) else "") or None for i in self.layout.mapped.values()
        )
        if found is not None and tuple(found) != expected:
            differ = [n for n, a, b in zip(names, found, expected, strict=True) if a != b]
            raise FileUnreadable(
                f"{self.path.name}: the rows above the header could not be skipped reliably",
                expected=f"data starting on line {self.header_lines + 1}",
                found=f"a first row that differs from line {self.header_lines + 1} in the "
                f"columns {', '.join(differ)}",
                where=str(self.path),
                fix="delete the title rows above the header row and send the file again",
            )

    def _number_rows(
        self, connection: duckdb.DuckDBPyConnection, table: str, cells: str, path: Path
    ) -> None:
        first_line = self.header_lines + 1
        row = connection.execute(f"SELECT count(*) FROM {cells}").fetchone()  # noqa: S608
        records = int(row[0]) if row else 0
        lines = _count_lines(path) - self.header_lines
        if lines == records:  # one record per line: the line is the record number
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
                f"SELECT rowid + {first_line} AS source_row, * FROM {cells}"
            )
            return
        line_numbers = _record_lines(path, self.header_lines)
        if len(line_numbers) != records:  # quoted line breaks: fall back to record numbers
            line_numbers = numpy.arange(records, dtype=numpy.int64) + first_line
        _temp_table(
            connection,
            f"{table}_numbers",
            pd.DataFrame({"record": numpy.arange(records), "source_row": line_numbers}),
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
            f"SELECT l.source_row, c.* FROM {cells} c JOIN {table}_numbers l ON l.record = c.rowid"
        )


def _odd_quote_lines(path: Path) -> numpy.ndarray:
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


def _count_lines(path: Path) -> int:
    """Lines in a text file: newline characters, plus a last line without one."""
    count, last = 0, b""
    with path.open("rb") as file:
        while chunk := file.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk
    return count + (1 if last and not last.endswith(b"\n") else 0)


def _longest_line(path: Path) -> int:
    """Bytes in the file's longest line (line end included)."""
    array, ends = _line_ends(path)
    return int(numpy.diff(numpy.concatenate(([-1], ends, [len(array) - 1]))).max())


def _record_lines(path: Path, header_lines: int) -> numpy.ndarray:
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


# ---------------------------------------------------------------------------------------------
# Workbooks


def _read_workbook(path: Path, vocab: Vocabulary) -> list[RawTable]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    tables: list[RawTable] = []
    skipped: list[str] = []
    first_grid: list[list[str]] = []
    for sheet_name in workbook.sheet_names:
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        grid = [[_cell_text(value) for value in row] for row in cells]
        first_grid = first_grid or grid
        layout = find_layout(grid, vocab)
        if layout is None or _is_repeat_group(layout):
            skipped.append(sheet_name)
            continue
        frame = _grid_frame(grid, layout)
        fmt = "kobo-xlsx" if _is_kobo(layout) else path.suffix.lower().lstrip(".")
        tables.append(RawTable(path, fmt, None, sheet_name, layout, _frame_loader(frame)))
    if not tables:
        raise _no_header(path, ", ".join(skipped) or None, first_grid, vocab)
    for table in tables:
        if skipped:
            table.notes.append(f"sheets without a survey table, skipped: {', '.join(skipped)}")
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _grid_frame(grid: list[list[str]], layout: Layout) -> pd.DataFrame:
    first = layout.header_row + 1
    data = grid[first:]
    columns = {
        name: pd.Series([row[index] if index < len(row) else "" for row in data], dtype="string")
        for name, index in layout.mapped.items()
    }
    first_cells = pd.Series(
        [next((cell for cell in row if cell.strip()), "") for row in data], dtype="string"
    )
    return pd.DataFrame(
        {
            "source_row": numpy.arange(first + 1, first + 1 + len(data), dtype=numpy.int64),
            **columns,
            "first_cell": first_cells,
            "unclosed_quote": numpy.zeros(len(data), dtype=bool),
        }
    )


def _frame_loader(frame: pd.DataFrame) -> Callable[[duckdb.DuckDBPyConnection, str], None]:
    def materialise(connection: duckdb.DuckDBPyConnection, table: str) -> None:
        _temp_table(connection, table, frame)

    return materialise


def _temp_table(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """A temporary table of the connection holding ``frame``'s rows (a copy: the frame may go)."""
    connection.register(f"{table}_frame", frame)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {table}_frame")  # noqa: S608
    connection.unregister(f"{table}_frame")


# ---------------------------------------------------------------------------------------------
# GeoJSON, GeoPackage, shapefile


def _read_geo(path: Path, vocab: Vocabulary) -> list[RawTable]:
    tables: list[RawTable] = []
    layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    headers: list[list[str]] = []  # each layer's attribute names, for the no-header error
    for layer in layers:
        # a feature whose geometry GEOS cannot build (a ring of two points) is repaired as far
        # as GEOS can, or read as no geometry: never the whole layer lost (see _locations)
        with warnings.catch_warnings(record=True) as caught:  # GDAL's: kept as the table's notes
            warnings.simplefilter("always")
            frame = pyogrio.read_dataframe(path, layer=layer, on_invalid="fix")
        names = [str(c) for c in frame.columns if c != "geometry"]
        headers.append(names)
        layout = find_layout([names], vocab)
        if layout is None:
            continue
        attributes = pd.DataFrame(
            {name: frame[names[index]].astype("string") for name, index in layout.mapped.items()}
        )
        attributes.insert(0, "source_row", numpy.arange(1, len(frame) + 1, dtype=numpy.int64))
        attributes["first_cell"] = pd.Series(pd.NA, index=frame.index, dtype="string")
        attributes["unclosed_quote"] = False
        has_geometry = frame.geometry is not None and frame.crs is not None
        # a household's geometry is its home: personal, never read
        private = has_geometry and layout.record_kind == "household"
        has_geometry = has_geometry and not private
        if has_geometry:
            attributes = attributes.join(_locations(frame))
        sheet = layer if len(layers) > 1 else None
        table = RawTable(
            path,
            path.suffix.lower().lstrip("."),
            None,
            sheet,
            layout,
            _frame_loader(attributes),
            has_geometry,
        )
        if private:
            table.notes.append("household locations (the layer's geometry) not read: personal data")
        table.notes += dict.fromkeys(f"GDAL: {str(w.message).split('.')[0]}" for w in caught)
        tables.append(table)
    if not tables:
        raise _no_header(path, None, headers, vocab)
    return tables


_POLYGONAL = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
_GEOMETRY_NAMES = numpy.array(  # by shapely.GeometryType id
    ["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
     "MultiPolygon", "GeometryCollection"]
)  # fmt: skip


def _locations(frame: pd.DataFrame) -> pd.DataFrame:
    """A point per feature (representative point of a footprint) and the footprint itself.

    An invalid geometry is repaired with ``make_valid``; ``geom_issue`` says so (``repaired``).
    A feature without a usable geometry (none, empty, or a polygon whose repair is no polygon,
    such as a ring of two points) has no location and no footprint: ``geom_issue`` names what
    was found, and the row is judged on its other columns (its khet as written).
    """
    original = frame.geometry.to_crs("EPSG:4326").to_numpy()
    missing = shapely.is_missing(original) | shapely.is_empty(original)
    invalid = ~missing & ~shapely.is_valid(original)
    shapes = numpy.where(invalid, shapely.make_valid(original), original)
    was_polygonal = numpy.isin(shapely.get_type_id(original), _POLYGONAL)
    polygonal = numpy.isin(shapely.get_type_id(shapes), _POLYGONAL) & ~shapely.is_empty(shapes)
    unusable = missing | (invalid & was_polygonal & ~polygonal)
    shapes = numpy.where(unusable, None, shapes)
    points = shapely.point_on_surface(shapes)
    footprint = numpy.where(polygonal & ~unusable, shapely.to_wkb(shapes), None)
    kind = shapely.get_type_id(original)
    found = numpy.where(
        kind < 0,
        "none",
        numpy.char.add(
            numpy.where(shapely.is_empty(original), "empty ", "degenerate "),
            _GEOMETRY_NAMES[numpy.maximum(kind, 0)],
        ),
    )
    issue = numpy.full(len(original), None, dtype=object)
    issue[invalid] = "repaired"
    issue[unusable] = found[unusable]
    return pd.DataFrame(
        {
            "geom_lon": pd.Series(shapely.get_x(points), index=frame.index).astype("string"),
            "geom_lat": pd.Series(shapely.get_y(points), index=frame.index).astype("string"),
            "footprint_wkb": pd.Series(footprint, index=frame.index, dtype="object"),
            "geom_issue": pd.Series(issue, index=frame.index, dtype="string"),
        }
    )


def _is_kobo(layout: Layout) -> bool:
    headers = [c.header.casefold() for c in layout.columns]
    return any(h in _KOBO_MARKERS for h in headers) or any("/" in h for h in headers)


def _is_repeat_group(layout: Layout) -> bool:
    return any(c.header.casefold() in _REPEAT_GROUP_MARKERS for c in layout.columns)
