"""Built-ins are registered like plugins: entry-point groups keyed by the short config name.

``escucha.collectors`` (x, file), ``escucha.classifiers`` (default), ``escucha.channels``
(apprise), ``escucha.detectors`` (detect), ``escucha.escalation`` (tick),
``escucha.reporters`` (weekly). Third-party packages add their own the same way.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.metadata import entry_points

from escucha.errors import EscuchaError


@lru_cache(maxsize=None)
def names(group: str) -> tuple[str, ...]:
    return tuple(sorted(ep.name for ep in entry_points(group=f"escucha.{group}")))


@lru_cache(maxsize=None)
def load(group: str, name: str):
    eps = {ep.name: ep for ep in entry_points(group=f"escucha.{group}")}
    if name not in eps:
        known = ", ".join(sorted(eps)) or "none installed"
        raise EscuchaError(f"{group[:-1] if group.endswith('s') else group} must be one of {known}; got {name!r} "
                           f"(is escucha installed with `pip install -e .`?)")
    try:
        return eps[name].load()
    except ImportError as exc:
        raise EscuchaError(f"{group} {name!r} needs a package that is not installed: {exc.name}; "
                           f"install it with pip install -e '.[{name}]'") from None
