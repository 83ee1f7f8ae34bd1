"""The district offices' survey template (.xlsx) and XLSForm (Kobo/ODK), both derived from the
field catalogue the ingestion reads (docs/district-offices.md)."""
