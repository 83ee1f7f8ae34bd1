"""Survey ingestion: district returns of any realistic shape -> the community tables in DuckDB.

Stages, one module each, in the order a file meets them: ``discovery`` (which files, which
round), ``readers`` (files -> raw string tables; a package, one module per format), ``layout``
(where the header is), ``columns`` (which column means what, from ``aliases.toml``), ``staging``
(one DuckDB query per table, a dbt-style skeleton in ``sql/staged.sql``; it joins the
``value_tables`` and applies the ``rules``, whose texts are in ``messages``), then ``load``
(idempotency, one transaction per table), which looks the record kind up in ``kinds`` and hands
the rows to ``communities`` or ``households`` (each kind's merge, over the row SQL in
``records``), with the ``lineage`` row of every table; ``outcome`` holds what a table came to.
"""
