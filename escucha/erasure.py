"""What forgetting a person blanks in what others wrote and in what escucha wrote about them.

Their handle, with its @ or without (in a link to their profile), becomes "[borrado]";
their words, wherever they are quoted, whole or cut short with "…" (as incident
explanations quote a post), become "[texto borrado]".
"""
from __future__ import annotations

import re

HANDLE, WORDS = "[borrado]", "[texto borrado]"
KEY = 24  # characters of a text that, found again, mark a quotation of it


class Blanker:
    def __init__(self, handle: str, texts: list[str]):
        self.name = handle.lstrip("@")
        self.handle = re.compile(r"(?<![\w])" + re.escape(self.name) + r"(?!\w)", re.IGNORECASE)
        self.texts = sorted({" ".join(t.split()) for t in texts if len(" ".join(t.split())) >= 12},
                            key=len, reverse=True)

    def _words(self, value: str, text: str) -> str:
        key = text[:KEY].lower()
        out, at = [], 0
        low = value.lower()
        while (p := low.find(key, at)) >= 0:
            end = p + len(key)
            while end < len(value) and end - p < len(text) and low[end] == text[end - p].lower():
                end += 1
            if value[end:end + 1] == "…":
                end += 1
            out += [value[at:p], WORDS]
            at = end
        return "".join(out) + value[at:]

    def __call__(self, value: str | None) -> str | None:
        if not value:
            return value
        for text in self.texts:
            value = self._words(value, text)
        return self.handle.sub(HANDLE, value)

    def needles(self) -> list[str]:
        """What to look for in raw payloads: the handle, and the start of each text."""
        return [self.name, *(t[:KEY] for t in self.texts)]
