"""The community register: one entity per community across the registry, every round and the
household enumerations; coverage of each round; change over time (docs/linking.md)."""
