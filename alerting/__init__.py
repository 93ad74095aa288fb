"""Crisis detection and escalation through the crisis committee's contact chain."""
