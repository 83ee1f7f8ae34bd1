"""Survey ingestion: district returns of any realistic shape -> the community tables in DuckDB.

Stages, one module each: ``readers`` (files -> raw string tables), ``layout`` (where the header
is), ``columns`` (which column means what, from ``aliases.toml``), ``values`` (dates, enums,
names: parsed once per distinct value), ``rules`` (the normalising SQL and each row's outcome) and
``load`` (lineage, idempotency, one record per community per round).
"""
