"""Package data: the khet table, declared aliases and boundary-file errata (CSV)."""
