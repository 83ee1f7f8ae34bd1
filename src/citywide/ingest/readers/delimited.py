"""CSV, TSV and TXT returns: header scan in Python on the file's head, parsing by DuckDB.

The encoding is detected from the head (:mod:`.encoding`), the delimiter sniffed, the header
found with :mod:`citywide.ingest.layout`; DuckDB's ``read_csv`` then reads the mapped columns of
the whole file, and ``source_row`` is the file line (:mod:`.lines`).
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy
import pandas as pd

from citywide.ingest.columns import Vocabulary, vocabulary
from citywide.ingest.layout import SCAN_ROWS, Layout, find_layout
from citywide.ingest.readers.encoding import (
    CODEC,
    UTF8,
    detect_encoding,
    encoding_changes,
    unknown_encoding,
)
from citywide.ingest.readers.kobo import is_kobo
from citywide.ingest.readers.lines import count_lines, longest_line, odd_quote_lines, record_lines
from citywide.ingest.readers.table import FileUnreadable, RawTable, no_header, temp_table

_HEAD_BYTES = 256 * 1024
_DELIMITERS = ",;\t|"
# DuckDB's read_csv refuses a line longer than this (its default max_line_size); a file with
# longer lines is read again with a limit set from its longest line.
_DUCKDB_MAX_LINE = 2 * 1024 * 1024
# The header scan reads at most the head of the file: no cell of it can be longer than the head.
# (Python's csv module refuses cells over 131,072 characters by default.)
csv.field_size_limit(max(csv.field_size_limit(), _HEAD_BYTES + 1))


def _cannot_parse(path: Path, error: UnicodeDecodeError) -> FileUnreadable:
    """DuckDB's CSV error quotes the line; cut inside a Thai character, it cannot be decoded."""
    return FileUnreadable(
        f"{path.name}: a line of the file could not be read as CSV",
        problem_th=f"{path.name}: อ่านบางบรรทัดของไฟล์เป็น CSV ไม่ได้",
        fix_th="เปิดไฟล์ในเครื่องที่สร้างไฟล์ บันทึกใหม่เป็น CSV UTF-8 แล้วส่งอีกครั้ง",
        expected="rows of cells separated by the delimiter, with matching quotes",
        found=f"a line DuckDB's CSV reader stopped at ({type(error).__name__} in its message)",
        where=str(path),
        fix="open the file on the computer that made it, save it again as CSV UTF-8, and resend",
    )


def read_csv(path: Path, vocab: Vocabulary) -> RawTable:
    with path.open("rb") as file:
        head = file.read(_HEAD_BYTES)
        complete = not file.read(1)
    encoding = detect_encoding(head, complete=complete)
    if encoding == "unknown":
        raise unknown_encoding(path)
    text = head.decode(CODEC[encoding], errors="ignore").removeprefix("\ufeff")
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
        raise no_header(path, None, grid, vocab)
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
    fmt = "kobo-csv" if is_kobo(layout) else "csv"
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
        if self.encoding in UTF8 and not self.cr_only:
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
        text = data.decode(CODEC[self.encoding]).removeprefix("\ufeff")
        if self.cr_only:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        with tempfile.TemporaryDirectory(prefix="citywide-csv-") as folder:
            utf8_copy = Path(folder) / "utf8.csv"
            utf8_copy.write_text(text, encoding="utf-8", newline="")
            self._load(connection, table, utf8_copy)

    def _judge_whole_file(self, data: bytes, invalid: UnicodeDecodeError) -> None:
        """The head was UTF-8 and the whole file is not: Windows-874 throughout, or a mix."""
        encoding = detect_encoding(data)
        if encoding in UTF8 or encoding == "unknown":
            if invalid.start >= _HEAD_BYTES:  # the head was sound UTF-8, with Thai or not
                raise encoding_changes(self.path, data, invalid.start) from invalid
            raise unknown_encoding(self.path) from invalid
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
                    longest = longest_line(path)
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
            flagged = numpy.intersect1d(suspects, odd_quote_lines(path))
        if not len(flagged):  # the common case: no join on every row for nothing
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
                f"SELECT *, false AS unclosed_quote FROM {numbered}"
            )
            return
        temp_table(connection, f"{table}_unclosed", pd.DataFrame({"source_row": flagged}))
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
                problem_th=f"{self.path.name}: ข้ามแถวหัวเรื่องเหนือแถวชื่อคอลัมน์ได้ไม่แน่นอน",
                fix_th="ลบแถวหัวเรื่องเหนือแถวชื่อคอลัมน์ แล้วส่งไฟล์อีกครั้ง",
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
        lines = count_lines(path) - self.header_lines
        if lines == records:  # one record per line: the line is the record number
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
                f"SELECT rowid + {first_line} AS source_row, * FROM {cells}"
            )
            return
        line_numbers = record_lines(path, self.header_lines)
        if len(line_numbers) != records:  # quoted line breaks: fall back to record numbers
            line_numbers = numpy.arange(records, dtype=numpy.int64) + first_line
        temp_table(
            connection,
            f"{table}_numbers",
            pd.DataFrame({"record": numpy.arange(records), "source_row": line_numbers}),
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "  # noqa: S608
            f"SELECT l.source_row, c.* FROM {cells} c JOIN {table}_numbers l ON l.record = c.rowid"
        )
