"""The weekly report for communications directors, rendered from the shared queries."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashboards.i18n import TEXT
from dashboards.queries import summary

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def render_html(config, store, since, until, lang="es") -> str:
    data = summary(store, since, until)
    return _ENV.get_template("weekly.html").render(c=config, d=data, t=TEXT[lang], lang=lang)


def write_report(config, store, since, until, out: Path, fmt="html", lang="es") -> Path:
    from escucha.errors import InputError

    if fmt != "html":
        raise InputError(f"report format must be html; got {fmt!r} (PDF output is not built yet)")
    if lang not in TEXT:
        raise InputError(f"report language must be one of {', '.join(TEXT)}; got {lang!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(config, store, since, until, lang), encoding="utf-8")
    return out
