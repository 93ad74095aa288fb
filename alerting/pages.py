"""What a page says, written for the channel it goes through.

A page is composed once (:class:`Page`: the severity in words, what happened, the posts,
who was paged and who is next, the two links and until when they work) and written per
kind of channel, which its URL's scheme tells:
- e-mail: HTML with one large "Acusar recibo" button and a smaller "Resolver" one (each
  link also written out, for the plain-text part mail clients show without HTML);
- SMS: one message of 160 GSM-7 characters (accents outside that alphabet are folded,
  since one of them would turn the message into UCS-2 and 70 characters): the severity,
  the institution, the title and the acknowledge link;
- chat (Telegram, WhatsApp, Signal, …): a short message, under 1,000 characters, that
  reads on a lock screen;
- anything else (webhooks, Slack, …): the whole page as plain text.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

EMAIL = {"mailto", "mailtos", "ses", "sendgrid", "mailgun", "sparkpost", "resend", "smtp2go", "postmark",
         "mailersend", "brevo", "o365", "sendpulse"}
SMS = {"46elks", "elks", "bulksms", "bulkvs", "burstsms", "clickatell", "clicksend", "cm", "d7sms", "exotel",
       "freemobile", "httpsms", "kaleyra", "kavenegar", "kudosity", "mobilemessage", "mobilemsg", "msg91", "msgbird",
       "nexmo", "notifyre", "octopush", "plivo", "serwersms", "seven", "sfr", "sinch", "smpp", "smpps", "smsc",
       "smseagle", "smseagles", "smsmanager", "smsmgr", "smstunnel", "sns", "telesign", "telnyx", "twilio", "voipms",
       "vonage", "eight00com", "ringc"}
CHAT = {"tgram", "whatsapp", "whapi", "signal", "signals", "threema", "viber", "line", "kakao", "kakaotalk", "zalo"}
SMS_LIMIT = 160
CHAT_LIMIT = 1000

# The GSM 03.38 alphabet an SMS carries at 160 characters (its extension table costs two).
GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
          "abcdefghijklmnopqrstuvwxyzäöñüà")
_FOLD = {"«": '"', "»": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "·": "-", "…": "..."}

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))


def kind_of(url: str) -> str:
    """email, sms, chat or text, from a channel URL's scheme."""
    scheme = url.split("://", 1)[0].lower()
    return "email" if scheme in EMAIL else "sms" if scheme in SMS else "chat" if scheme in CHAT else "text"


@dataclass
class Page:
    t: dict  # the institution's words
    severity: str  # in words: CRÍTICO
    level: str  # critical, high...: the colour
    title: str
    institution: str
    short_name: str
    opened: str  # "Incidente #3, abierto el 2026-11-10 03:12 (America/Mexico_City)"
    explanation: str
    posts: list[str] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)
    ack: str = ""
    resolve: str = ""
    expires: str = ""
    before: list[str] = field(default_factory=list)  # lines said first (an assignment, a missing text)
    subject_prefix: str = "[escucha] "
    notice: str = ""  # a drill's notice, first and last
    colour: str = "#5b2a86"  # the institution's, for the button

    @property
    def level_colour(self) -> str:
        return {"critical": "#a40000", "high": "#b35900", "medium": "#7a6a00"}.get(self.level, "#333333")

    @property
    def subject(self) -> str:
        return f"{self.subject_prefix}{self.severity}: {self.title}"

    def text(self) -> str:
        t = self.t
        lines = [*self.before, *([""] if self.before else []), f"{self.severity} · {self.title}",
                 f"{self.institution} · {self.opened}", "", self.explanation, ""]
        if self.posts:
            lines += [f"{t['page_posts']}:", *(f"- {p}" for p in self.posts), ""]
        lines += [*self.chain, "", f"{t['page_ack']}: {self.ack}", f"{t['page_resolve']}: {self.resolve}",
                  self.expires]
        if self.notice:
            lines = [self.notice, "", *lines, "", self.notice]
        return "\n".join(lines)

    def html(self) -> str:
        return _ENV.get_template("page.html").render(p=self, t=self.t)

    def sms(self) -> str:
        return one_sms(f"{'SIMULACRO ' if self.notice else ''}{self.severity} {self.short_name}: ", self.title,
                       f" {self.t['page_ack']}: {self.ack}")

    def chat(self) -> str:
        t = self.t
        first = [f"{self.severity} · {self.title}", self.opened, "", self.explanation[:400]]
        if self.posts:
            first += ["", self.posts[0][:300]]
        last = ["", f"{t['page_ack']}: {self.ack}", f"{t['page_resolve']}: {self.resolve}"]
        if self.notice:
            first, last = [self.notice[:120], "", *first], [*last, "", self.notice[:120]]
        body = "\n".join(first + last)
        return body if len(body) <= CHAT_LIMIT else "\n".join(first[:4] + last)[:CHAT_LIMIT]

    def render(self, kind: str) -> tuple[str, str, str]:
        """(title, body, format) for a channel of ``kind``."""
        if kind == "email":
            return self.subject, self.html(), "html"
        if kind == "sms":
            return "", self.sms(), "text"  # an SMS has no subject: Apprise would put it before the body
        if kind == "chat":
            return "", self.chat(), "text"
        return self.subject, self.text(), "text"


@dataclass
class Digest:
    """Several pages due to one member at once, as one message: each incident with its own links,
    the most severe first."""

    pages: list[Page]

    @property
    def t(self) -> dict:
        return self.pages[0].t

    @property
    def summary(self) -> str:
        counts: dict[str, int] = {}
        for p in self.pages:
            counts[p.severity] = counts.get(p.severity, 0) + 1
        return ", ".join(f"{n} {sev}" for sev, n in counts.items())

    @property
    def subject(self) -> str:
        first = self.pages[0]
        return first.subject_prefix + self.t["digest_subject"].format(n=len(self.pages), summary=self.summary)

    def text(self, brief: bool = False) -> str:
        t, first = self.t, self.pages[0]
        lines = [t["digest_intro"].format(n=len(self.pages)), ""]
        for p in self.pages:
            lines += [f"{p.severity} · {p.title}"] + ([] if brief else [p.opened]) + \
                     [f"{t['page_ack']}: {p.ack}"] + ([] if brief else [f"{t['page_resolve']}: {p.resolve}"]) + [""]
        lines.append(first.expires)
        if first.notice:
            lines = [first.notice, "", *lines, "", first.notice]
        return "\n".join(lines)

    def sms(self) -> str:
        first = self.pages[0]
        head = f"{'SIMULACRO ' if first.notice else ''}{first.short_name}: " + \
            self.t["digest_subject"].format(n=len(self.pages), summary=self.summary) + ". "
        return one_sms(head, first.title, f" {self.t['page_ack']}: {first.ack}")

    def render(self, kind: str) -> tuple[str, str, str]:
        if kind == "email":
            return self.subject, _ENV.get_template("digest.html").render(d=self, t=self.t), "html"
        if kind == "sms":
            return "", self.sms(), "text"
        if kind == "chat":
            body = self.text()
            return "", body if len(body) <= CHAT_LIMIT else self.text(brief=True)[:CHAT_LIMIT], "text"
        return self.subject, self.text(), "text"


def one_sms(head: str, title: str, tail: str) -> str:
    """``head``, ``title`` and ``tail`` in GSM-7 within one SMS: the title is cut ("...") to fit."""
    head, title, tail = gsm(head), gsm(title), gsm(tail)
    room = SMS_LIMIT - len(head) - len(tail)
    if len(title) > room:
        title = title[:max(room - 3, 0)].rstrip() + "..."
    return head + title + tail


def gsm(text: str) -> str:
    """``text`` in the GSM-7 basic alphabet: accents it lacks folded (Í → I), quotes and dashes
    made plain, anything else a question mark."""
    out = []
    for ch in text:
        if ch in GSM:
            out.append(ch)
            continue
        ch = _FOLD.get(ch, ch)
        plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append("".join(c if c in GSM else "?" for c in plain) or "?")
    return "".join(out)
