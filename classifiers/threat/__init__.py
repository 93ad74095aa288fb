"""The violent-threat layer: the patterns (``patterns``) and the one decision that turns
every signal into a label and a severity (``decision``)."""
from classifiers.threat.decision import (ThreatDecision, ThreatSignals, ThreatVerdict, decides, model_decides,
                                         pages)
from classifiers.threat.patterns import (CORROBORATE, PAGES_ALONE, PATTERNS, corroborated, match, normalise,
                                         without_idioms)

__all__ = ["CORROBORATE", "PAGES_ALONE", "PATTERNS", "ThreatDecision", "ThreatSignals", "ThreatVerdict",
           "corroborated", "decides", "match", "model_decides", "normalise", "pages", "without_idioms"]
