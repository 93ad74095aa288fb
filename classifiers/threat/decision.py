"""The one threat decision: every signal in, ``(label, severity, reasons)`` out.

The scorer asks it, training's validation and the scoreboards ask it, and alerting reads
the severity it gave (through the flag's label): nothing else decides what a threat is or
whether it pages. The signals:

- the threat model's probability (``p``): the primary signal, a head trained on real
  posts and on the generated grammar of threats and their harmless twins
  (``lab/threat_grammar.py``), where every kind of target is used on both sides, so the
  group or person a sentence names weighs nothing;
- the patterns that match (``hits``): a small audited core for forms the model must never
  miss; a hit counts only where the model does not rule the text out;
- the share of threats among the nearest written examples (``neighbours``);
- the confirming model's probability (``confirm``; None where the model has none).

Severity is "critical" (it pages the committee), "high" (a possible threat, reviewed)
or "" (no threat). It never depends on which group or person is named: no rule reads the
target.
"""
from __future__ import annotations

from dataclasses import dataclass

from classifiers.threat.patterns import CORROBORATE, PAGES_ALONE, match


@dataclass(frozen=True)
class ThreatSignals:
    p: float
    hits: tuple[str, ...] = ()
    neighbours: float = 0.0
    confirm: float | None = None
    unscorable: bool = False


@dataclass(frozen=True)
class ThreatVerdict:
    label: str  # "threat" or "not_threat"
    severity: str  # "critical" (pages), "high" (for review) or ""
    reasons: tuple[str, ...] = ()
    hits: tuple[str, ...] = ()  # the patterns that counted

    @property
    def pages(self) -> bool:
        return self.severity == "critical"


class ThreatDecision:
    """``decide(signals)`` under the configured thresholds (escucha.config.Thresholds):
    ``threat`` (the model flags), ``threat_pattern_min_score`` (a pattern pages only where
    the model gives at least this), ``threat_confirm`` (the confirming model pages),
    ``threat_neighbours`` and ``threat_neighbours_min_score`` (the written-examples vote).
    The head alone never pages where a confirming model ships: measured on grammar families
    it never saw, a head at 0.9 still flagged 16% of the harmless twins."""

    def __init__(self, thresholds):
        self.th = thresholds

    def counted(self, hits, p: float) -> tuple[str, ...]:
        """The pattern hits that count at the model's score: words as often a figure of speech
        as a threat ("the debate was a massacre") count only where the model leans that way."""
        return tuple(h for h in hits if p >= CORROBORATE.get(h, 0.0))

    def decide(self, s: ThreatSignals) -> ThreatVerdict:
        th = self.th
        hits = self.counted(s.hits, s.p)
        if s.unscorable and not hits:
            return ThreatVerdict("not_threat", "")
        confirmed = s.confirm is not None and s.confirm >= th.threat_confirm
        head = s.p >= th.threat
        near = s.neighbours >= th.threat_neighbours and s.p >= th.threat_neighbours_min_score
        if not (hits or head or confirmed or near):
            return ThreatVerdict("not_threat", "")
        # What pages: a pattern the model does not rule out (or one that pages alone), or the
        # confirming model; a model without one pages on the head. The rest is reviewed.
        if hits:
            pages = s.p >= th.threat_pattern_min_score or any(h in PAGES_ALONE for h in hits) or confirmed
            why = f"matched threat pattern(s): {', '.join(hits)}"
            if not pages:
                why += f", but the threat model gives {s.p:.2f} < {th.threat_pattern_min_score}: for review"
        elif s.confirm is None:
            pages = head
            why = (f"model score {s.p:.2f} >= {th.threat}" if head else
                   f"{s.neighbours:.0%} of its nearest written examples are threats (model score {s.p:.2f})")
        elif confirmed:
            pages = True
            why = f"confirming threat model {s.confirm:.2f} >= {th.threat_confirm} (head {s.p:.2f})"
        else:
            pages = False
            why = (f"model score {s.p:.2f} >= {th.threat}, but the confirming threat model gives {s.confirm:.2f} < "
                   f"{th.threat_confirm}: for review" if head else
                   f"{s.neighbours:.0%} of its nearest written examples are threats (>= {th.threat_neighbours:.0%}; "
                   f"model score {s.p:.2f}): for review")
        return ThreatVerdict("threat", "critical" if pages else "high", (why,), hits)


def decides(text: str, p_threat: float, thresholds, neighbours: float = 0.0, confirm: float = 0.0,
            hits=None) -> bool:
    """Whether :class:`ThreatDecision` calls ``text`` a threat (training's validation, scoreboards)."""
    hits = tuple(match(text) if hits is None else hits)
    return ThreatDecision(thresholds).decide(ThreatSignals(p_threat, hits, neighbours, confirm)).label == "threat"


def model_decides(p_threat: float, thresholds, neighbours: float = 0.0, confirm: float = 0.0) -> bool:
    """:func:`decides` without patterns."""
    return ThreatDecision(thresholds).decide(ThreatSignals(p_threat, (), neighbours, confirm)).label == "threat"


def pages(hits, p_threat: float, thresholds, confirm: float | None) -> bool:
    """Whether a threat with these signals pages (critical) rather than going to review."""
    v = ThreatDecision(thresholds).decide(ThreatSignals(p_threat, tuple(hits or ()), 0.0, confirm))
    return v.pages
