from __future__ import annotations

import pytest

from citywide.ingest.columns import PERSONAL, Vocabulary, vocabulary


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("เขต", "khet"),
        ("สำนักงานเขต", "khet"),
        ("District", "khet"),
        ("Khet", "khet"),
        ("DNAME", "khet"),
        ("แขวง", "khwaeng"),
        ("Subdistrict", "khwaeng"),
        ("Khwaeng", "khwaeng"),
        ("SNAME", "khwaeng"),
        ("ชื่อชุมชน", "community_name"),
        ("Community", "community_name"),
        ("COMMU_AD_1", "community_name"),
        ("ประเภทชุมชน", "community_type"),
        ("ประเภท", "community_type"),
        ("Community type", "community_type"),
        ("CMT_TYPE", "community_type"),
        ("จำนวนบ้าน", "houses"),
        ("หลังคาเรือน", "houses"),
        ("Houses", "houses"),
        ("NHOUSE", "houses"),
        ("จำนวนบ้าน (หลัง)", "houses"),
        ("จำนวนครัวเรือน", "households"),
        ("ครัวเรือน", "households"),
        ("Households", "households"),
        ("HOUSEHOLD", "households"),
        ("profile/households", "households"),
        ("group_a:households", "households"),
        ("จำนวนประชากร", "population"),
        ("ประชากร", "population"),
        ("Population", "population"),
        ("POP", "population"),
        ("ชาย", "male"),
        ("Male", "male"),
        ("MALE", "male"),
        ("หญิง", "female"),
        ("Female", "female"),
        ("ละติจูด", "lat"),
        ("Latitude", "lat"),
        ("lat", "lat"),
        ("LAT", "lat"),
        ("_gps_latitude", "lat"),
        ("ลองจิจูด", "lon"),
        ("Longitude", "lon"),
        ("lon", "lon"),
        ("lng", "lon"),
        ("LON", "lon"),
        ("_gps_longitude", "lon"),
        ("พิกัด", "coordinates"),
        ("Coordinates", "coordinates"),
        ("Easting", "easting"),
        ("Northing", "northing"),
        ("วันที่สำรวจ", "survey_date"),
        ("Survey date", "survey_date"),
        ("_submission_time", "submission_time"),
        ("_uuid", "record_uuid"),
        ("รหัสชุมชน", "community_code"),
        ("Community code", "community_code"),
        ("COMMU_ADMI", "community_code"),
        ("RAI", "area_rai"),
        ("NGAN", "area_ngan"),
        ("WA", "area_wa"),
        ("Land owner", "land_owner"),
        ("เจ้าของที่ดิน", "land_owner"),
        ("Tenure", "tenure"),
        ("Eviction threat", "eviction_threat"),
        ("สภาพบ้าน", "housing_condition"),
        ("Water", "water"),
        ("ไฟฟ้า", "electricity"),
        ("Drainage", "drainage"),
        ("ทางเดิน", "walkway"),
        ("Flood risk", "flood_risk"),
        ("บ้านมั่นคง", "baan_mankong_status"),
        ("Savings group", "savings_group"),
        ("  ชื่อ ชุมชน ", "community_name"),
        ("HOUSE-HOLDS", "households"),
    ],
)
def test_headers_name_fields(header: str, field: str) -> None:
    assert vocabulary().field_for(header) == field


@pytest.mark.parametrize(
    "header",
    [
        "CHAIRMAN",
        "ประธานชุมชน",
        "ชื่อประธานชุมชน",
        "หัวหน้าครอบครัว",
        "ชื่อ-นามสกุล",
        "เบอร์โทร",
        "โทรศัพท์",
        "Phone",
        "Mobile number",
        "เลขบัตรประชาชน",
        "เลขประจำตัวประชาชน",
        "National ID",
        "_submitted_by",
        "profile/chairman_phone",
        "ผู้ให้ข้อมูล",
        "e-mail",
    ],
)
def test_personal_headers_are_recognised(header: str) -> None:
    assert vocabulary().field_for(header) == PERSONAL


@pytest.mark.parametrize("header", ["ลำดับ", "หมายเหตุ", "ADDRESS", "REMARK", "FID", ""])
def test_other_headers_name_no_field(header: str) -> None:
    assert vocabulary().field_for(header) is None


def test_group_header_gives_meaning_to_a_bare_total() -> None:
    assert vocabulary().field_for("รวม") is None
    assert vocabulary().field_for("รวม", group="จำนวนประชากร") == "population"
    assert vocabulary().field_for("ชาย", group="จำนวนประชากร") == "male"


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("community_type", "ชุมชนแออัด", "slum"),
        ("community_type", "Slum / crowded community", "slum"),
        ("community_type", "crowded community", "slum"),
        ("community_type", "ชุมชนเมือง", "urban"),
        ("community_type", "ชุมชนชานเมือง", "suburban"),
        ("community_type", "หมู่บ้านจัดสรร", "housing_estate"),
        ("community_type", "เคหะชุมชน", "nha_housing"),
        ("community_type", "NHA housing", "nha_housing"),
        ("community_type", "ชุมชนอาคารสูง", "high_rise"),
        ("community_type", "High-rise", "high_rise"),
        ("tenure", "เช่าไม่มีสัญญา", "rent_no_contract"),
        ("tenure", "Rent without contract", "rent_no_contract"),
        ("tenure", "บุกรุก", "squatter"),
        ("tenure", "squatter", "squatter"),
        ("tenure", "own", "own"),
        ("land_owner", "การรถไฟแห่งประเทศไทย", "state"),
        ("land_owner", "วัด", "temple"),
        ("eviction_threat", "in court", "in_court"),
        ("housing_condition", "ทรุดโทรม", "poor"),
        ("water", "มีบางส่วน", "partial"),
        ("drainage", "ไม่มี", "no"),
        ("savings_group", "มี", "yes"),
        ("baan_mankong_status", "เสร็จแล้ว", "completed"),
    ],
)
def test_enum_values(field: str, text: str, code: str) -> None:
    assert vocabulary().enum_value(field, text) == code


def test_unknown_enum_value_is_none() -> None:
    assert vocabulary().enum_value("community_type", "castle") is None


def test_an_alias_naming_two_fields_is_refused() -> None:
    table = {
        "fields": {
            "a": {"kind": "text", "aliases": ["same"]},
            "b": {"kind": "text", "aliases": ["Same"]},
        },
        "personal": {"aliases": [], "contains": []},
    }
    with pytest.raises(ValueError, match="names both a and b"):
        Vocabulary(table)
