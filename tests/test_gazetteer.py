from __future__ import annotations

import geothai
import pandas as pd
import pytest

from citywide.gazetteer import Gazetteer, load_gazetteer, match_key, resolve_khet, resolve_khwaeng


def test_all_50_khets_with_dopa_codes_and_both_names() -> None:
    khets = load_gazetteer().khets
    assert list(khets["khet_code"]) == [str(code) for code in range(1001, 1051)]
    assert khets["name_th"].str.len().min() > 0
    assert khets["name_en"].str.len().min() > 0
    assert not khets["name_th"].str.startswith("เขต").any()


@pytest.mark.parametrize(
    ("code", "name_en"),
    [
        ("1007", "Pathum Wan"),
        ("1039", "Watthana"),
        ("1012", "Yan Nawa"),
        ("1024", "Rat Burana"),
        ("1008", "Pom Prap Sattru Phai"),
        ("1030", "Chatuchak"),
        ("1021", "Bang Khun Thian"),
    ],
)
def test_official_english_names(code: str, name_en: str) -> None:
    assert load_gazetteer().khet(code).name_en == name_en


def test_khet_thai_names_agree_with_geothai() -> None:
    ours = load_gazetteer().khets.set_index("khet_code")["name_th"].to_dict()
    theirs = {d.code: d.name_th.removeprefix("เขต") for d in geothai.districts("10")}
    assert ours == theirs


def test_all_180_khwaeng_each_in_a_known_khet() -> None:
    gazetteer = load_gazetteer()
    khwaengs = gazetteer.khwaengs
    assert len(khwaengs) == 180
    assert khwaengs["khwaeng_code"].is_unique
    assert set(khwaengs["khet_code"]) == set(gazetteer.khet_codes)
    assert (khwaengs["khwaeng_code"].str[:4] == khwaengs["khet_code"]).all()
    assert khwaengs["name_th"].str.len().min() > 0
    assert khwaengs["name_en"].str.len().min() > 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Thai, with and without the prefix, spaces and invisible characters
        ("ปทุมวัน", "1007"),
        ("เขตปทุมวัน", "1007"),
        ("เขต ปทุมวัน", "1007"),
        ("สำนักงานเขตปทุมวัน", "1007"),
        ("ปทุม วัน", "1007"),
        ("\ufeffเขตปทุมวัน\u200b", "1007"),
        ("ป้อมปราบศัตรูพ่าย", "1008"),
        ("ป้อมปราบฯ", "1008"),
        ("เขตป้อมปราบฯ", "1008"),
        ("ป้อมปราบ ฯ", "1008"),
        ("ราษฎร์บูรณะ", "1024"),
        ("ราษฏร์บูรณะ", "1024"),  # ฏ for ฎ, as in the khet boundary file
        ("เขตราษฏร์บูรณะ", "1024"),
        ("สัมพันธ์วงศ์", "1013"),
        ("วัฒนา", "1039"),
        # English: official, prefixes and suffixes, case and spacing
        ("Pathum Wan", "1007"),
        ("Khet Pathum Wan", "1007"),
        ("Pathum Wan District", "1007"),
        ("district pathum wan", "1007"),
        ("PATHUMWAN", "1007"),
        ("  pathum   wan ", "1007"),
        ("Pom Prap Sattru Phai", "1008"),
        ("Pom Prap Sattru-Phai", "1008"),
        ("Watthana", "1039"),
        ("Yan Nawa", "1012"),
        ("Rat Burana", "1024"),
        # non-standard English spellings in the khet boundary file
        ("Parthum Wan", "1007"),
        ("Yan na wa", "1012"),
        ("Vadhana", "1039"),
        ("Chatu Chak", "1030"),
        ("Pra Wet", "1032"),
        ("Bang Khun thain", "1021"),
        ("Bang Kho laen", "1031"),
        ("Thon buri", "1015"),
        ("Wang Thong Lang", "1045"),
        # other common romanisations
        ("Sathorn", "1028"),
        ("Klong Toey", "1033"),
        ("Huay Kwang", "1017"),
        ("Don Muang", "1036"),
        # Thai typing errors: sara e typed twice for sara ae, a tone mark before the upper
        # vowel or after the following vowel, a vowel typed twice
        ("บางเเค", "1040"),
        ("บางซ\u0e48\u0e37อ", "1029"),
        ("ลาดพรา\u0e49ว", "1038"),
        ("ลาดกระบ\u0e31\u0e31ง", "1011"),
        # codes: DOPA, P-code, Thai digits
        ("1007", "1007"),
        (" 1007 ", "1007"),
        ("TH1007", "1007"),
        ("th1007", "1007"),
        ("TH-1007", "1007"),
        ("๑๐๐๗", "1007"),
        ("TH๑๐๕๐", "1050"),
    ],
)
def test_resolve_khet_spellings(text: str, code: str) -> None:
    answer = resolve_khet(text)
    assert answer.code == code, answer.message()
    assert answer.resolved


def test_every_khet_resolves_by_its_own_names_and_geothai_names() -> None:
    gazetteer = load_gazetteer()
    for district in geothai.districts("10"):
        assert gazetteer.resolve_khet(district.name_th).code == district.code
        assert gazetteer.resolve_khet(district.name_en).code == district.code
    for row in gazetteer.khets.itertuples():
        assert gazetteer.resolve_khet(str(row.name_en)).code == row.khet_code
        assert gazetteer.resolve_khet(f"เขต{row.name_th}").code == row.khet_code


@pytest.mark.parametrize("text", ["Bang Xyz", "บางรักษ์ใหม่", "Pathum", "9999", "TH1099", "1051"])
def test_unknown_khet_is_never_guessed(text: str) -> None:
    answer = resolve_khet(text)
    assert answer.code is None
    assert answer.method == "unknown"
    assert "unknown khet" in answer.message()
    assert "ไม่รู้จักเขต" in answer.message()


def test_unknown_khet_lists_closest_candidates() -> None:
    answer = resolve_khet("Pathum Wun")
    assert answer.code is None
    assert answer.candidates[0].code == "1007"
    assert "1007 ปทุมวัน (Pathum Wan)" in answer.message()


@pytest.mark.parametrize(
    ("text", "khet_code", "first", "then"),
    [
        # a letter off: the near-exact name first, not the one with the lower code (issue 15)
        ("คลองเตีย", None, "1033", "1018"),
        ("เขตคลองเตีย", None, "1033", "1018"),
        ("คลองตันเหนื", "1039", "103902", "103901"),
    ],
)
def test_suggestions_are_ranked_by_similarity(
    text: str, khet_code: str | None, first: str, then: str
) -> None:
    answer = resolve_khet(text) if khet_code is None else resolve_khwaeng(text, khet_code)
    assert answer.code is None
    codes = [place.code for place in answer.candidates]
    assert codes[:2] == [first, then]
    listed = answer.message_en().split("closest: ")[1]
    assert listed.startswith(first), listed


def test_ambiguous_abbreviation_lists_both() -> None:
    answer = resolve_khet("บางกอกฯ")
    assert answer.code is None
    assert answer.method == "ambiguous"
    assert {place.code for place in answer.candidates} == {"1016", "1020"}
    assert "ambiguous khet" in answer.message()


@pytest.mark.parametrize("text", ["", "   ", "เขต", "District"])
def test_empty_khet(text: str) -> None:
    answer = resolve_khet(text)
    assert answer.code is None
    assert answer.method == "empty"


@pytest.mark.parametrize(
    ("text", "khet", "code"),
    [
        ("วังใหม่", "1007", "100702"),
        ("แขวงวังใหม่", "1007", "100702"),
        ("Wang Mai", "1007", "100702"),
        ("khwaeng wang mai", "1007", "100702"),
        ("100702", "1007", "100702"),
        ("TH100702", "1007", "100702"),
        ("๑๐๐๗๐๒", "1007", "100702"),
        ("ป้อมปราบศัตรูพ่าย", "1008", "100801"),  # name in the BMA khwaeng shapefile
        ("ป้อมปราบ", "1008", "100801"),
        ("วัดบวรนิเวศ", "1001", "100107"),
        ("จักรวรรดิ์", "1013", "101301"),
        ("บางนาเหนือ", "1047", "104702"),
        ("ทุ่งมหาเมฆ", "1028", "102803"),
        ("คลองเตย", "1033", "103301"),
        ("Wang Mai", None, "100702"),
    ],
)
def test_resolve_khwaeng(text: str, khet: str | None, code: str) -> None:
    answer = resolve_khwaeng(text, khet)
    assert answer.code == code, answer.message()


def test_khwaeng_names_shared_by_two_khets_are_ambiguous_without_a_khet() -> None:
    names = load_gazetteer().khwaengs.groupby("name_th")["khet_code"].nunique()
    shared = names[names > 1].index
    assert len(shared) > 0, "Bangkok has khwaeng names used in more than one khet"
    answer = resolve_khwaeng(str(shared[0]))
    assert answer.code is None
    assert answer.method == "ambiguous"
    assert len(answer.candidates) > 1


def test_khwaeng_of_another_khet_is_unknown_and_names_the_real_one() -> None:
    answer = resolve_khwaeng("วังใหม่", "1001")
    assert answer.code is None
    assert [place.code for place in answer.candidates] == ["100702"]
    assert "ไม่รู้จักแขวง" in answer.message()


def test_unknown_khwaeng_lists_candidates_within_the_khet() -> None:
    answer = resolve_khwaeng("วังใหม", "1007")
    assert answer.code is None
    assert answer.candidates[0].code == "100702"


def test_resolve_khets_column_keeps_index_and_marks_missing() -> None:
    values = pd.Series(
        ["เขตบางรัก", None, "Vadhana", "nowhere", "เขตบางรัก"], index=[10, 11, 12, 13, 14]
    )
    resolved = load_gazetteer().resolve_khets(values)
    assert list(resolved.index) == [10, 11, 12, 13, 14]
    assert resolved["khet_code"].dtype == "string"
    assert resolved["khet_code"].isna().tolist() == [False, True, False, True, False]
    assert resolved.loc[10, "khet_code"] == "1004"
    assert resolved.loc[12, "khet_code"] == "1039"
    assert resolved.loc[13, "method"] == "unknown"
    assert resolved.loc[11, "method"] == "empty"
    assert resolved.loc[14, "khet_code"] == "1004"


def test_match_key_folds_prefix_case_spacing_and_digits() -> None:
    assert match_key("เขต ยาน นาวา", "khet") == match_key("ยานนาวา", "khet")
    assert match_key("Yan Nawa District", "khet") == "yannawa"
    assert match_key("แขวง วังใหม่", "khwaeng") == "วังใหม่"


def test_aliases_naming_two_places_are_rejected() -> None:
    base = load_gazetteer()
    clash = pd.DataFrame({"khet_code": ["1004"], "alias": ["Pathum Wan"]}, dtype="string")
    with pytest.raises(ValueError, match="more than one khet"):
        Gazetteer(
            base.khets,
            base.khwaengs,
            clash,
            clash.iloc[:0].rename(columns={"khet_code": "khwaeng_code"}),
        )
