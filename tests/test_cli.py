from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citywide import __version__, db
from citywide.cli import app
from citywide.sources import REGISTRY

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "sources", "geography", "gazetteer", "settings"):
        assert command in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.output.strip() == f"citywide {__version__}"


def test_options_override_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("CITYWIDE_DATA_DIR", str(tmp_path / "env-data"))
    clean_env.setenv("CITYWIDE_MAPS_DIR", str(tmp_path / "env-maps"))
    result = runner.invoke(app, ["--maps-dir", str(tmp_path / "cli-maps"), "settings"])
    assert result.exit_code == 0
    lines = dict(line.split(maxsplit=1) for line in result.output.splitlines())
    assert lines["maps_dir"] == str(tmp_path / "cli-maps")
    assert lines["duckdb_path"] == str(tmp_path / "env-data/processed/citywide.duckdb")
    assert lines["sources_dir"] == "(unset)"


def test_invalid_settings_exit_2(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CITYWIDE_DOWNLOAD_TIMEOUT_S", "soon")
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 2
    assert "download_timeout_s" in result.output


def test_sources_list_shows_origin_and_checksum() -> None:
    result = runner.invoke(app, ["sources", "list"])
    assert result.exit_code == 0
    for source in REGISTRY:
        for file in source.files:
            assert file.sha256 in result.output
            assert file.url in result.output


def test_sources_fetch_unknown_id_exit_2(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "sources", "fetch", "khets"])
    assert result.exit_code == 2
    assert "khet_boundaries" in result.output


def test_sources_fetch_missing_local_copy_exit_1(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(
        app,
        [
            "--data-dir",
            str(tmp_path / "data"),
            "--sources-dir",
            str(empty),
            "sources",
            "fetch",
            "khet_population",
        ],
    )
    assert result.exit_code == 1
    assert "khet_population" in result.output
    assert "population/khet_population.csv" in result.output
    assert "fix:" in result.output
    assert not (tmp_path / "data/raw/population").exists()


@pytest.mark.real_data
def test_sources_fetch_real(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, real_sources_dir: Path
) -> None:
    args = ["--data-dir", str(tmp_path), "--sources-dir", str(real_sources_dir), "sources", "fetch"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.output.count("copied") == 8
    second = runner.invoke(app, args)
    assert second.output.count("already present") == 8


def test_gazetteer_khet_resolves_and_flags_unknown() -> None:
    result = runner.invoke(app, ["gazetteer", "khet", "Yan na wa", "ป้อมปราบฯ", "TH1039"])
    assert result.exit_code == 0
    assert "1012 ยานนาวา (Yan Nawa)" in result.output
    assert "1008 ป้อมปราบศัตรูพ่าย (Pom Prap Sattru Phai)" in result.output
    assert "1039 วัฒนา (Watthana)" in result.output
    unknown = runner.invoke(app, ["gazetteer", "khet", "Pathum Wun"])
    assert unknown.exit_code == 1
    assert "unknown khet" in unknown.output
    assert "1007" in unknown.output


def test_gazetteer_khwaeng_within_a_khet() -> None:
    result = runner.invoke(app, ["gazetteer", "khwaeng", "แขวงวังใหม่", "--khet", "เขตปทุมวัน"])
    assert result.exit_code == 0
    assert "100702 วังใหม่ (Wang Mai)" in result.output
    bad_khet = runner.invoke(app, ["gazetteer", "khwaeng", "วังใหม่", "--khet", "Nowhere"])
    assert bad_khet.exit_code == 1


def test_query_without_a_database_says_how_to_build_it(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "query", "SELECT 1"])
    assert result.exit_code == 1
    assert "citywide run" in result.output


def test_ingest_with_an_invalid_round_label_exits_2_before_reading(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    survey = tmp_path / "dusit.csv"
    survey.write_text("เขต,ชื่อชุมชน\nดุสิต,A\n", encoding="utf-8")
    label = '=HYPERLINK("http://x","y")'
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path / "data"), "ingest", str(survey), "--round", label]
    )
    assert result.exit_code == 2, result.output
    assert "invalid survey round label" in result.output
    assert "expected: 1-40 characters" in result.output
    assert "fix:" in result.output
    assert not (tmp_path / "data").exists()  # nothing opened, nothing written


def test_query_prints_null_as_null_and_keeps_integers(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    database = tmp_path / "processed" / "citywide.duckdb"
    with db.connect(database, spatial=False) as connection:
        connection.execute(
            "CREATE TABLE t AS SELECT * FROM (VALUES "
            "('ดุสิต', 120::BIGINT, 0.5::DOUBLE), (NULL, NULL, NULL), ('x', -3, -1.25)"
            ") v(name, households, share)"
        )
    result = runner.invoke(
        app, ["--duckdb-path", str(database), "query", "SELECT * FROM t ORDER BY households"]
    )
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert lines == [
        ["name", "households", "share"],
        ["x", "-3", "-1.25"],
        ["ดุสิต", "120", "0.5"],
        ["NULL", "NULL", "NULL"],
    ]
    assert "NaN" not in result.output
    assert "120.0" not in result.output


def test_duckdb_prints_the_offline_load_statement_that_plain_duckdb_accepts(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import duckdb

    result = runner.invoke(app, ["duckdb"])
    assert result.exit_code == 0, result.output
    statement = result.output.strip()
    assert statement == f"LOAD '{db.spatial_extension_file()}';"
    plain = duckdb.connect(config={"autoinstall_known_extensions": False})  # as an analyst would
    try:
        plain.execute(statement)
        assert plain.execute("SELECT ST_AsText(ST_Point(100.5, 13.7))").fetchone() == (
            "POINT (100.5 13.7)",
        )
    finally:
        plain.close()


def test_analysis_open_database_reads_with_spatial(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from citywide.analysis import open_database

    database = tmp_path / "citywide.duckdb"
    with db.connect(database) as connection:
        connection.execute("CREATE TABLE p AS SELECT ST_Point(1, 2) AS geom")
    connection = open_database(database)
    try:
        assert connection.execute("SELECT ST_X(geom) FROM p").fetchone() == (1.0,)
    finally:
        connection.close()


@pytest.mark.parametrize(
    "proxy",
    ["http://127.0.0.1:{port}", "http://citywide-proxy.invalid:3128"],
    ids=["connection-refused", "unresolvable-host"],
)
def test_sources_fetch_without_network_fails_fast_with_one_message(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, proxy: str
) -> None:
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        clean_env.setenv(name, proxy.format(port=port))  # every origin is behind a dead proxy
    clean_env.delenv("no_proxy", raising=False)
    clean_env.delenv("NO_PROXY", raising=False)
    started = time.monotonic()
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "sources", "fetch"])
    assert time.monotonic() - started < 5
    assert result.exit_code == 1, result.output
    assert result.output.count("no network") == 1
    assert result.output.count("fix:") == 1
    for source in REGISTRY:
        assert f"source {source.id}" in result.output
    assert "CITYWIDE_SOURCES_DIR" in result.output
    assert "Traceback" not in result.output
