"""Prefect flows: short recipes over citywide's functions. No logic lives here.

- ``citywide.citywide``: the whole pipeline (``citywide run``).
- ``geography.build_geography``: khet and khwaeng tables (``citywide geography build``).
"""
