"""The weekly report for communications directors: HTML with inline charts, and PDF.

Rendered from the same query functions the analyst view uses; text written by
strangers is escaped by the template engine everywhere it appears.
"""
from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from escucha.i18n import TEXT, period_words
from dashboards.queries import summary, volume
from escucha.errors import EscuchaError, InputError

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def _weeks(store, until, n=8) -> list[tuple[str, float, float]]:
    """(week's end, mentions, negative) for the trend chart; a week with nothing stored is NaN, a gap."""
    from escucha.frames import weekly

    w = weekly(store, until, n)
    return [(end.strftime("%m-%d"), row.mentions, row.negative) for end, row in w.iterrows()]


def executive_summary(data, prev, period, t) -> list[str]:
    """The report's first lines, in plain words: volume against the period before,
    incidents and how fast they were acknowledged, narratives and whether clarified, answers."""
    if prev["total"]:
        change = f"{(data['total'] - prev['total']) / prev['total']:+.0%}".replace("-", "−")
    else:
        change = t["summary_no_previous"].format(previous=period["previous"])
    lines = [t["summary_mentions"].format(total=data["total"], change=change, previous=period["previous"])]
    incidents = data["incidents"]
    if incidents:
        ack = data["median_ack_minutes"]
        lines.append(t["summary_incidents"].format(
            n=len(incidents), critical=sum(i.severity == "critical" for i in incidents),
            ack=t["minutes"].format(n=round(ack)) if ack is not None else t["summary_no_ack"]))
    else:
        lines.append(t["summary_no_incidents"])
    if data["narratives"]:
        lines.append(t["summary_narratives"].format(n=len(data["narratives"]),
                                                    clarified=sum(bool(n["clarified"]) for n in data["narratives"])))
    a = data["answers"]
    if a["asked"]:
        lines.append(t["summary_answers"].format(answered=a["answered"], asked=a["asked"], within=a["within_deadline"]))
    return lines


def render_html(config, store, since, until, lang="es", charts=True, attach_to: Path | None = None) -> str:
    """The report as HTML. Its charts are inline ``data:`` images, or, with ``attach_to`` (an
    e-mail's body), PNG files written beside that path and referenced as ``cid:`` attachments:
    Gmail and Outlook block ``data:`` images in mail."""
    from dashboards.reports import charts as ch

    t = TEXT[lang]
    data = summary(store, since, until, config.tz)
    prev = volume(store, since - (until - since), since)
    period = period_words(since, until, config.tz, lang)
    images = {}
    if charts and data["total"]:
        pngs = {"by_day": ch.volume_by_day(data["by_day"], t), "trend": ch.trend(_weeks(store, until), t)}
        for name, png in pngs.items():
            if attach_to is None:
                images[name] = "data:image/png;base64," + base64.b64encode(png).decode()
            else:
                file = attach_to.with_name(f"{attach_to.stem}-{name}.png")
                file.write_bytes(png)
                images[name] = f"cid:{file.name}"
    return _ENV.get_template("weekly.html").render(c=config, d=data, prev=prev, t=t, lang=lang, images=images,
                                                   period=period, brief=executive_summary(data, prev, period, t),
                                                   local=lambda when: when.astimezone(config.tz))


def render_pdf(html: str, out: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: Pango or a font library is missing
        raise EscuchaError(f"PDF output needs WeasyPrint and Pango: {exc}") from None
    HTML(string=html).write_pdf(out)
    return out


def write_report(config, store, since, until, out: Path, fmt="html", lang="es") -> Path:
    """``fmt``: html, pdf, or email (HTML whose charts are PNG files beside it, named
    ``{stem}-by_day.png``…, for the message's cid: attachments)."""
    if fmt not in ("html", "pdf", "email"):
        raise InputError(f"report format must be html or pdf; got {fmt!r}")
    if lang not in TEXT:
        raise InputError(f"report language must be one of {', '.join(TEXT)}; got {lang!r}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(config, store, since, until, lang, attach_to=out if fmt == "email" else None)
    if fmt == "pdf":
        return render_pdf(html, out)
    out.write_text(html, encoding="utf-8")
    return out
