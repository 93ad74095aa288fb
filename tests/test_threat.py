import csv
from pathlib import Path

import pytest

from classifiers.threat import match, normalise

EXAMPLES = Path(__file__).resolve().parent.parent / "classifiers" / "data" / "threat_examples.csv"


@pytest.mark.parametrize("text", [
    "el sábado va a haber sangre en la catedral",
    "Voy a balacear la casilla el domingo",
    "I'm going to shoot up the cathedral",
    "Je vais faire sauter le bureau de vote",
    "v4m0s a m4t4r a los consejeros",
    "les vamos a poner una bomba en la sede",
])
def test_threats_in_three_languages(text):
    assert match(text), text


@pytest.mark.parametrize("text", [
    "me mata de risa el consejero", "the chairwoman killed it in the debate", "esta elección es un fraude",
    "ese debate fue una bomba", "vamos a votar el domingo", "Je suis mort de rire",
])
def test_idioms_and_criticism_are_not_threats(text):
    assert match(text) == []


def test_written_examples_recall():
    rows = list(csv.DictReader(EXAMPLES.open(encoding="utf-8")))
    threats = [r["text"] for r in rows if r["label"] == "threat"]
    missed = [t for t in threats if not match(t)]
    assert missed == []


def test_normalise_handles_leet_and_stretching():
    assert normalise("MÁTEEEENLOS a t0d0s") == "matenlos a todos"
    assert normalise("casilla 1234") == "casilla 1234"
