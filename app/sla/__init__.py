"""SLA: business-time arithmetic, a ticket's targets and timers, escalation on what falls due."""
