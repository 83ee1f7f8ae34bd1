"""Bilingual row messages: reason and warning codes, their Thai and English templates, the field
labels they quote, and the SQL that renders them for the rejected rows, the warnings and `check`.

docs/ingestion.md explains each code. The staged table (:mod:`citywide.ingest.rules`) carries a
``rejection`` struct or a list of ``warnings`` per row; the queries here join them with the
``{raw}_message_template`` and ``{raw}_field_label`` frames to fill message_th and message_en.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from citywide.ingest import privacy

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "khet": ("เขต", "khet"),
    "khwaeng": ("แขวง", "khwaeng"),
    "community_name": ("ชื่อชุมชน", "community name"),
    "community_code": ("รหัสชุมชน", "community code"),
    "community_type": ("ประเภทชุมชน", "community type"),
    "houses": ("จำนวนบ้าน", "houses"),
    "households": ("จำนวนครัวเรือน", "households"),
    "population": ("จำนวนประชากร", "population"),
    "male": ("จำนวนชาย", "male"),
    "female": ("จำนวนหญิง", "female"),
    "coordinates": ("พิกัด", "coordinates"),
    "survey_date": ("วันที่สำรวจ", "survey date"),
    "submission_time": ("เวลาส่งแบบสำรวจ", "submission time"),
    "record_uuid": ("รหัสแบบสำรวจ (_uuid)", "submission id (_uuid)"),
    "land_owner": ("เจ้าของที่ดิน", "land owner"),
    "tenure": ("สถานะการอยู่อาศัย", "tenure"),
    "eviction_threat": ("การไล่รื้อ", "eviction threat"),
    "housing_condition": ("สภาพบ้าน", "housing condition"),
    "water": ("น้ำประปา", "water"),
    "electricity": ("ไฟฟ้า", "electricity"),
    "drainage": ("ระบบระบายน้ำ", "drainage"),
    "walkway": ("ทางเดิน", "walkway"),
    "flood_risk": ("น้ำท่วม", "flood risk"),
    "baan_mankong_status": ("บ้านมั่นคง", "Baan Mankong status"),
    "savings_group": ("กลุ่มออมทรัพย์", "savings group"),
    "household_code": ("รหัสครัวเรือน", "household code"),
    "members": ("จำนวนสมาชิกในครัวเรือน", "household members"),
    "monthly_income": ("รายได้ครัวเรือนต่อเดือน (บาท)", "monthly household income (baht)"),
    "wants_baan_mankong": ("ต้องการเข้าร่วมโครงการบ้านมั่นคง", "wants Baan Mankong"),
    "years_in_community": ("จำนวนปีที่อยู่ในชุมชน", "years in the community"),
    "water_source": ("แหล่งน้ำดื่ม", "drinking water source"),
    "toilet_type": ("ประเภทส้วม", "toilet type"),
    "toilet_shared": ("การใช้ส้วมร่วมกับครัวเรือนอื่น", "toilet shared with other households"),
    "rooms": ("จำนวนห้องที่อยู่อาศัย", "habitable rooms"),
    "floor_area": ("พื้นที่ใช้สอย (ตร.ม.)", "floor area (m²)"),
    "wall_material": ("วัสดุผนัง", "wall material"),
    "roof_material": ("วัสดุหลังคา", "roof material"),
    "floor_material": ("วัสดุพื้น", "floor material"),
    "tenure_document": ("เอกสารสิทธิ์การอยู่อาศัย", "tenure document"),
}

# The longest value a survey field keeps, in characters. No name, code, date or coordinate comes
# near it; a longer cell is a paste into the wrong column, and its row is rejected
# (field_too_long) before any other rule quotes the value. Columns that are not survey fields
# (notes, remarks) are never read, whatever their length.
MAX_FIELD_LENGTH = 1000

# code -> (Thai template, English template); {field_th}/{field_en}/{value}/{detail_th}/{detail_en}
MESSAGES: dict[str, tuple[str, str]] = {
    # rejections
    "unclosed_quote": (
        'เครื่องหมายคำพูด (") เปิดช่องข้อมูลแล้วไม่ได้ปิดในบรรทัดนี้ ข้อมูลที่เหลือของบรรทัด (และบรรทัดถัดไปจนถึงเครื่องหมายคำพูดตัวต่อไป) '
        "จึงถูกอ่านรวมเป็นช่องเดียว ไม่ได้บันทึกแถวนี้ กรุณาปิดหรือลบเครื่องหมายคำพูด",
        'a quote (") opens a cell and does not close on this line, so the rest of the line (and '
        "the lines after it up to the next quote) was read as one cell; row not loaded: close "
        "the quote or remove it",
    ),
    "field_too_long": (
        "{field_th} ยาว {value} ตัวอักษร เกิน {detail_th} ตัวอักษรที่รับได้ "
        "กรุณาตรวจสอบว่าข้อมูลอยู่ในคอลัมน์ที่ถูกต้อง",
        "{field_en} is {value} characters long, more than the {detail_en} accepted; "
        "check that the cell is in the right column",
    ),
    "summary_row": ("แถวผลรวม ไม่ใช่ชุมชน", "a summary (total) row, not a community"),
    "missing_community": ("ไม่มีชื่อชุมชนหรือรหัสชุมชน", "no community name or code"),
    "missing_household": (
        "ไม่มีรหัสครัวเรือน กรุณาใส่รหัสครัวเรือน",
        "no household code; write the household code",
    ),
    "non_numeric_amount": (
        '{field_th} "{value}" ไม่ใช่ตัวเลข ต้องเป็นจำนวนตั้งแต่ 0',
        '{field_en} "{value}" is not a number; expected a number from 0',
    ),
    "negative_amount": (
        "{field_th} ติดลบ ({value}) ต้องเป็นจำนวนตั้งแต่ 0",
        "{field_en} is negative ({value}); expected a number from 0",
    ),
    "non_numeric_count": (
        '{field_th} "{value}" ไม่ใช่ตัวเลข ต้องเป็นจำนวนเต็มตั้งแต่ 0',
        '{field_en} "{value}" is not a number; expected a whole number from 0',
    ),
    "negative_count": (
        "{field_th} ติดลบ ({value}) ต้องเป็นจำนวนเต็มตั้งแต่ 0",
        "{field_en} is negative ({value}); expected a whole number from 0",
    ),
    "non_integer_count": (
        "{field_th} ต้องเป็นจำนวนเต็ม ไม่ใช่ {value}",
        "{field_en} must be a whole number, found {value}",
    ),
    "missing_khet": (
        "ไม่ระบุเขต และไม่มีพิกัดในกรุงเทพฯ ที่ใช้หาเขตได้ กรุณาระบุเขต",
        "no khet written and no coordinates in Bangkok to find it; write the khet",
    ),
    "unknown_khet": (
        "{detail_th} และไม่มีพิกัดในกรุงเทพฯ กรุณาแก้ชื่อเขต",
        "{detail_en}; no coordinates in Bangkok either; correct the khet",
    ),
    "ambiguous_khet": (
        "{detail_th} และไม่มีพิกัดในกรุงเทพฯ กรุณาเขียนชื่อเขตเต็ม",
        "{detail_en}; no coordinates in Bangkok either; write the khet in full",
    ),
    "duplicate_submission": (
        "แบบสำรวจซ้ำ (_uuid {value} มีในแถวก่อนหน้าแล้ว) นับครั้งเดียว",
        "duplicate submission (_uuid {value} is in an earlier row); counted once",
    ),
    # warnings
    "geometry_repaired": (
        "รูปแปลงของแถวนี้ไม่ถูกต้อง (เช่น เส้นขอบตัดกันเอง) แก้ให้แล้ว",
        "the feature's geometry was invalid (e.g. a boundary crossing itself); repaired",
    ),
    "geometry_unusable": (
        "รูปแปลงของแถวนี้ใช้ไม่ได้ ({value}) บันทึกไว้โดยไม่มีตำแหน่ง",
        "the feature's geometry cannot be used ({value}); loaded without a location",
    ),
    "coordinates_swapped": (
        "ละติจูดและลองจิจูดสลับกัน ({value}) แก้ให้แล้ว",
        "latitude and longitude were swapped ({value}); repaired",
    ),
    "coordinates_outside_bangkok": (
        "พิกัด {value} อยู่นอกกรุงเทพฯ ไม่ได้ใช้พิกัดนี้",
        "coordinates {value} fall outside Bangkok; not used",
    ),
    "coordinates_unreadable": (
        'อ่านพิกัด "{value}" ไม่ได้ ไม่ได้ใช้พิกัดนี้',
        'cannot read the coordinates "{value}"; not used',
    ),
    "khet_from_location": (
        "ใช้เขต {detail_th} จากพิกัด ({value})",
        "khet {detail_en} taken from the coordinates ({value})",
    ),
    "khet_mismatch": (
        "พิกัดอยู่ในเขต {detail_th} ไม่ใช่เขตที่ระบุ ({value}) ใช้เขตที่ระบุ",
        "the point lies in khet {detail_en}, not in the khet written ({value}); kept the khet written",
    ),
    "unknown_khwaeng": ("{detail_th} ไม่ได้บันทึกแขวง", "{detail_en}; khwaeng left empty"),
    "unknown_value": (
        '{field_th}: ไม่รู้จักค่า "{value}" ไม่ได้บันทึก',
        '{field_en}: unknown value "{value}" (expected one of: {detail_en}); left empty',
    ),
    "unreadable_date": (
        'อ่าน{field_th} "{value}" ไม่ได้ (เช่น 15/12/2567 หรือ 2024-12-15) ไม่ได้บันทึก',
        'cannot read the {field_en} "{value}" (e.g. 15/12/2567 or 2024-12-15); left empty',
    ),
    "population_mismatch": (
        "ชาย + หญิง = {detail_th} ไม่เท่ากับประชากร {value}",
        "male + female = {detail_en}, not the population {value}",
    ),
    "implausible_value": (
        "{field_th} {value} สูงผิดปกติ (เกิน {detail_th}) บันทึกไว้ กรุณาตรวจสอบ",
        "{field_en} {value} is implausibly high (above {detail_en}); loaded, please check",
    ),
    "personal_id": (
        "{field_th}เป็น{detail_th} ซึ่งเป็นข้อมูลส่วนบุคคล ไม่ได้บันทึกแถวนี้ กรุณาใช้รหัสที่ไม่ใช่เลขบัตรหรือเบอร์โทรศัพท์",
        "the {field_en} is {detail_en}, which is personal data; row not loaded: "
        "use a code that is not an ID card or phone number",
    ),
    "personal_data_masked": (
        "{field_th}มี{detail_th} ซึ่งเป็นข้อมูลส่วนบุคคล ลบออกแล้ว กรุณาอย่าใส่ข้อมูลส่วนบุคคลในช่องนี้",
        "the {field_en} held {detail_en}, which is personal data; removed it: "
        "keep personal data out of this column",
    ),
    "unknown_community": (
        'ไม่พบชุมชน "{value}" ในเขต {detail_th} ในรอบสำรวจนี้ บันทึกครัวเรือนไว้ กรุณาตรวจสอบรหัสหรือชื่อชุมชน',
        'community "{value}" matches no community of khet {detail_en} in this round; '
        "household loaded, check the community code or name",
    ),
}
REJECTIONS = frozenset(
    {
        "unclosed_quote",
        "field_too_long",
        "summary_row",
        "missing_community",
        "missing_household",
        "non_numeric_count",
        "non_numeric_amount",
        "negative_amount",
        "negative_count",
        "non_integer_count",
        "missing_khet",
        "unknown_khet",
        "ambiguous_khet",
        "duplicate_submission",
        "personal_id",
    }
)
WARNINGS = frozenset(MESSAGES) - REJECTIONS


_RENDER = """
    replace(replace(replace(replace(replace({template},
        '{{field_th}}', coalesce(l.th, '')), '{{field_en}}', coalesce(l.en, '')),
        '{{value}}', coalesce({item}.value, '')),
        '{{detail_th}}', coalesce({item}.detail_th, '')),
        '{{detail_en}}', coalesce({item}.detail_en, ''))
"""


def _rendered(item: str) -> str:
    """Thai and English messages of a rejection or warning struct, from the templates."""
    th = _RENDER.format(template="t.th", item=item)
    en = _RENDER.format(template="t.en", item=item)
    return f"{th} AS message_th, {en} AS message_en"


def rejections_sql(staged: str, fields: list[str]) -> str:
    """Rejected rows: source_row, reason, field, value, message_th, message_en, row_values.

    ``row_values`` holds the row as written (trimmed), from the raw table (the staged table
    keeps only the typed columns), without the personal numbers of ``{raw}_personal``.
    """
    raw = staged.removesuffix("_staged")
    written = [f for f in fields if f != "record_uuid"]
    # each value cut at the longest a field keeps (field_too_long rejects longer ones)
    pairs = ", ".join(
        f"'{f}', left(nullif(trim({privacy.masked_value('r', f)}), ''), {MAX_FIELD_LENGTH})"
        for f in written
    )
    # a record an unclosed quote ran over holds other columns' cells: none is kept
    row_values = (
        f"CASE WHEN r.unclosed_quote THEN '{{}}'::JSON ELSE json_object({pairs}) END"
        if written
        else "'{}'::JSON"
    )
    masked = "\n        ".join(privacy.masked_join(raw, "r", f) for f in written)
    return f"""
        SELECT s.source_row, s.rejection.reason AS code, s.rejection.field AS field,
            s.rejection.value AS value, {_rendered("s.rejection")}, {row_values} AS row_values
        FROM {staged} s
        JOIN {raw} r ON r.source_row = s.source_row
        {masked}
        JOIN {raw}_message_template t ON t.code = s.rejection.reason
        LEFT JOIN {raw}_field_label l ON l.field = s.rejection.field
        WHERE s.rejection IS NOT NULL
    """


def warnings_sql(staged: str) -> str:
    """Warnings of loaded rows: source_row, code, field, value, message_th, message_en."""
    raw = staged.removesuffix("_staged")
    return f"""
        SELECT w.source_row, w.w.code AS code, w.w.field AS field, w.w.value AS value,
            {_rendered("w.w")}
        FROM (
            SELECT s.source_row, unnest(s.warnings) AS w FROM {staged} s
            WHERE s.rejection IS NULL AND s.warnings IS NOT NULL
        ) w
        JOIN {raw}_message_template t ON t.code = w.w.code
        LEFT JOIN {raw}_field_label l ON l.field = w.w.field
    """


def problems(cursor: duckdb.DuckDBPyConnection, staged: str, fields: list[str]) -> pd.DataFrame:
    """Per-row rejections and warnings with rendered messages, for `citywide check`."""
    return cursor.execute(
        f"""
        SELECT source_row, 'rejected' AS outcome, code, field, message_th, message_en
        FROM ({rejections_sql(staged, fields)})
        UNION ALL
        SELECT source_row, 'warning', code, field, message_th, message_en
        FROM ({warnings_sql(staged)})
        ORDER BY 1, 2 DESC
        """
    ).df()
