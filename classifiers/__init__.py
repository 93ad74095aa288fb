"""Scoring of mentions: encoders, task heads, the threat layer and claim matching."""
