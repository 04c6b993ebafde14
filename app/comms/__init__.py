"""Communications: redaction (situation updates, briefings and customer updates to come)."""
