"""The linked community register: one stable community_id per community, across every round."""
