"""Maps of the published need indicators: layers (data), pages (HTML), static (PNG), build."""
