"""The geography builders on a two-khet, three-khwaeng Bangkok in miniature."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from citywide.errors import GeographyError
from citywide.gazetteer import Gazetteer
from citywide.geography import CodeCorrection, build_khet, build_khwaeng, khwaeng_code_corrections

LEFT = shapely.box(100.50, 13.75, 100.51, 13.76)
RIGHT = shapely.box(100.51, 13.75, 100.52, 13.76)


@pytest.fixture
def gazetteer() -> Gazetteer:
    khets = pd.DataFrame(
        {
            "khet_code": ["1001", "1002"],
            "name_th": ["พระนคร", "ดุสิต"],
            "name_en": ["Phra Nakhon", "Dusit"],
        },
        dtype="string",
    )
    khwaengs = pd.DataFrame(
        {
            "khwaeng_code": ["100101", "100102", "100201"],
            "khet_code": ["1001", "1001", "1002"],
            "name_th": ["พระบรมมหาราชวัง", "วังบูรพาภิรมย์", "ดุสิต"],
            "name_en": ["Phra Borom Maha Ratchawang", "Wang Burapha Phirom", "Dusit"],
        },
        dtype="string",
    )
    no_aliases = pd.DataFrame({"khet_code": [], "alias": []}, dtype="string")
    return Gazetteer(
        khets, khwaengs, no_aliases, no_aliases.rename(columns={"khet_code": "khwaeng_code"})
    )


def khet_boundaries(**changes: list[object]) -> gpd.GeoDataFrame:
    columns: dict[str, list[object]] = {
        "dcode": ["1002", "1001"],
        "dname": ["เขตดุสิต", "เขตพระนคร"],
        "dname_e": ["Dusit", "Phra Nakhon"],
        "geometry": [RIGHT, LEFT],
    }
    columns.update(changes)
    return gpd.GeoDataFrame(columns, crs="EPSG:4326")


def population(**changes: list[object]) -> pd.DataFrame:
    columns: dict[str, list[object]] = {
        "dcode": ["1001", "1002"],
        "dname": ["เขตพระนคร", "เขตดุสิต"],
        "population": [100, 250],
    }
    columns.update(changes)
    return pd.DataFrame(columns)


def khwaeng_boundaries(**changes: list[object]) -> gpd.GeoDataFrame:
    columns: dict[str, list[object]] = {
        "SUBDISTRIC": ["100101", "100102", "100201"],
        "SUBDISTR_1": ["พระบรมมหาราช", "วังบูรพาภิรม", "ดุสิต"],  # cut short, as in the real DBF
        "DISTRICT_I": ["1001", "1001", "1002"],
        # 100101 strays a little over the khet edge, as real khwaeng from another survey do
        "geometry": [
            shapely.box(100.4995, 13.75, 100.505, 13.76),
            shapely.box(100.505, 13.75, 100.51, 13.76),
            RIGHT,
        ],
    }
    columns.update(changes)
    return gpd.GeoDataFrame(columns, crs="EPSG:4326").to_crs("EPSG:32647")


@pytest.fixture
def khet(gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    return build_khet(khet_boundaries(), population(), gazetteer)


def test_khet_rows_use_gazetteer_names_and_computed_areas(khet: gpd.GeoDataFrame) -> None:
    assert list(khet.columns) == [
        "khet_code",
        "name_th",
        "name_en",
        "area_km2",
        "population",
        "geom",
    ]
    assert list(khet["khet_code"]) == ["1001", "1002"]
    assert list(khet["name_en"]) == ["Phra Nakhon", "Dusit"]
    assert list(khet["population"]) == [100, 250]
    # 0.01 deg x 0.01 deg at 13.75 N: about 1.081 km x 1.106 km
    assert khet["area_km2"].to_numpy() == pytest.approx([1.196, 1.196], abs=0.01)
    assert khet.crs == "EPSG:4326"
    assert set(khet.geom_type) == {"MultiPolygon"}


def test_khet_name_that_contradicts_its_code_is_an_error(gazetteer: Gazetteer) -> None:
    with pytest.raises(GeographyError, match="do not match their codes") as caught:
        build_khet(khet_boundaries(dname_e=["Dusit", "Bang Rak"]), population(), gazetteer)
    assert "Bang Rak" in str(caught.value)
    assert "dname_e" in str(caught.value)


def test_missing_and_duplicated_khets_are_listed(gazetteer: Gazetteer) -> None:
    with pytest.raises(GeographyError, match=r"duplicated \['1001'\], missing \['1002'\]"):
        build_khet(
            khet_boundaries(
                dcode=["1001", "1001"], dname=["พระนคร", "พระนคร"], dname_e=["Phra Nakhon"] * 2
            ),
            population(),
            gazetteer,
        )


def test_population_must_cover_every_khet_with_a_count(gazetteer: Gazetteer) -> None:
    with pytest.raises(GeographyError, match="missing"):
        build_khet(khet_boundaries(), population().iloc[:1], gazetteer)
    with pytest.raises(GeographyError, match="negative"):
        build_khet(khet_boundaries(), population(population=[100, -1]), gazetteer)


def test_missing_columns_are_named(gazetteer: Gazetteer) -> None:
    with pytest.raises(GeographyError, match="dname_e"):
        build_khet(khet_boundaries().drop(columns="dname_e"), population(), gazetteer)


def test_invalid_khet_geometry_is_repaired(gazetteer: Gazetteer) -> None:
    bowtie = shapely.Polygon([(100.50, 13.75), (100.51, 13.76), (100.51, 13.75), (100.50, 13.76)])
    khet = build_khet(khet_boundaries(geometry=[RIGHT, bowtie]), population(), gazetteer)
    assert khet.is_valid.all()
    assert khet.loc[0, "area_km2"] == pytest.approx(1.196 / 2, abs=0.01)


def test_khwaeng_are_clipped_inside_their_khet(
    khet: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    khwaeng = build_khwaeng(khwaeng_boundaries(), khet, gazetteer, [])
    assert list(khwaeng.columns) == [
        "khwaeng_code",
        "khet_code",
        "name_th",
        "name_en",
        "area_km2",
        "geom",
    ]
    assert list(khwaeng["name_th"]) == ["พระบรมมหาราชวัง", "วังบูรพาภิรมย์", "ดุสิต"], (
        "full names, not the cut ones"
    )
    parents = khet.set_index("khet_code").geometry.loc[khwaeng["khet_code"]].to_numpy()
    assert shapely.within(khwaeng.geometry.to_numpy(), parents).all()
    assert khwaeng.is_valid.all()
    # the stray 0.0005 deg over the edge is gone: 100101 is half its khet, not 0.55 of it
    assert khwaeng.loc[0, "area_km2"] == pytest.approx(1.196 / 2, abs=0.01)
    assert khwaeng.crs == "EPSG:4326"


def test_declared_code_correction_is_applied(khet: gpd.GeoDataFrame, gazetteer: Gazetteer) -> None:
    wrong = khwaeng_boundaries(SUBDISTRIC=["100101", "100199", "100201"])
    with pytest.raises(GeographyError, match="100199"):
        build_khwaeng(wrong, khet, gazetteer, [])
    fix = CodeCorrection("100199", "วังบูรพาภิรม", "100102", "test")
    assert "100102" in set(build_khwaeng(wrong, khet, gazetteer, [fix])["khwaeng_code"])


def test_khwaeng_code_outside_its_khet_code_is_an_error(
    khet: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    with pytest.raises(GeographyError, match="disagree with their khet codes"):
        build_khwaeng(khwaeng_boundaries(DISTRICT_I=["1001", "1002", "1002"]), khet, gazetteer, [])


def test_khwaeng_lying_in_another_khet_is_an_error(
    khet: gpd.GeoDataFrame, gazetteer: Gazetteer
) -> None:
    moved = khwaeng_boundaries(
        geometry=[
            shapely.box(100.51, 13.75, 100.515, 13.76),
            shapely.box(100.505, 13.75, 100.51, 13.76),
            RIGHT,
        ]
    )
    with pytest.raises(GeographyError, match=r"100101 \(100% outside 1001\)"):
        build_khwaeng(moved, khet, gazetteer, [])


def test_packaged_errata_fix_the_bang_na_nuea_code() -> None:
    (erratum,) = khwaeng_code_corrections()
    assert (erratum.source_code, erratum.correct_code) == ("104701", "104702")
