"""Slack going out: what each event posts (`ticket_effects`), the registry of effect kinds
(`kinds`) and the outbox that delivers them (`outbox`)."""
