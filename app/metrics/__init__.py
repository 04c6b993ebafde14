"""Metrics: definitions (pure); queries, reports and /metrics to come."""
