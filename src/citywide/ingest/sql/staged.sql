CREATE OR REPLACE TEMP TABLE {raw}_staged AS
WITH base AS (
    SELECT r.source_row, r.first_cell, r.unclosed_quote, {base_columns}
    FROM {raw} r
    {base_joins}
    WHERE {base_where}
),
parsed AS (
    SELECT b.*, {parsed_columns}
    FROM base b
    {parsed_joins}
),
counted AS (SELECT *, {counted_columns} FROM parsed),
measured AS (SELECT *, {measured_columns} FROM counted),
checked AS (SELECT *, {checked_columns} FROM measured),
located AS (
    SELECT *,
        {located_columns}
    FROM checked
),
repaired AS (
    SELECT *,
        (lat_in IS NOT NULL AND lon_in IS NOT NULL
            AND NOT (lat_in BETWEEN {lat_lo} AND {lat_hi} AND lon_in BETWEEN {lon_lo} AND {lon_hi})
            AND lon_in BETWEEN {lat_lo} AND {lat_hi} AND lat_in BETWEEN {lon_lo} AND {lon_hi})
            AS swapped
    FROM located
),
bounded AS (
    SELECT *,
        CASE WHEN swapped THEN lon_in ELSE lat_in END AS lat_fixed,
        CASE WHEN swapped THEN lat_in ELSE lon_in END AS lon_fixed
    FROM repaired
),
celled AS (
    SELECT *,
        CASE WHEN {in_box} THEN floor(lon_fixed * {cells})::INTEGER END AS cell_x,
        CASE WHEN {in_box} THEN floor(lat_fixed * {cells})::INTEGER END AS cell_y
    FROM bounded
),
wanted AS (
    SELECT DISTINCT cell_x, cell_y FROM celled WHERE cell_x IS NOT NULL
),
khet_cells AS (
    SELECT l.cell_x, l.cell_y,
        min(l.khet_code) FILTER (WHERE l.covers_cell) AS whole_khet,
        list({{'khet_code': l.khet_code, 'geom': l.geom}} ORDER BY l.khet_code)
            FILTER (WHERE NOT l.covers_cell) AS pieces
    FROM {lookup_table} l
    SEMI JOIN wanted w ON w.cell_x = l.cell_x AND w.cell_y = l.cell_y
    GROUP BY l.cell_x, l.cell_y
),
placed AS (
    SELECT c.*,
        CASE WHEN g.whole_khet IS NOT NULL THEN g.whole_khet
             WHEN g.pieces IS NOT NULL THEN list_min(list_transform(list_filter(g.pieces,
                 lambda p: ST_Intersects(p.geom, ST_Point(c.lon_fixed, c.lat_fixed))),
                 lambda p: p.khet_code)) END AS spatial_khet
    FROM celled c
    LEFT JOIN khet_cells g ON g.cell_x = c.cell_x AND g.cell_y = c.cell_y
),
khet_found AS (
    SELECT *, coalesce(written_khet, spatial_khet) AS khet_code FROM placed
),
named AS (
    SELECT x.*, {named_columns},
        n.label_th AS spatial_label_th, n.label_en AS spatial_label_en
    FROM khet_found x
    LEFT JOIN {raw}_khet_name n ON n.khet_code = x.spatial_khet
    {named_joins}
),
flagged AS (SELECT *, {flagged_columns} FROM named),
judged AS (
    SELECT *,
        {judged_columns}
    FROM flagged
)
SELECT source_row, rejection, warnings, {final_columns}
FROM judged
