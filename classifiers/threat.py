"""The violent-threat layer: patterns with very high recall, in es/en/fr, beside the model.

One credible threat is a crisis by itself (a threat to shoot up a cathedral was
posted days before it happened), so a threat is never dropped because another
score is low, and every hit names the pattern that matched. Patterns look for a
violent act aimed at someone or somewhere, or for the oblique forms threats take
("el sábado va a haber sangre en la catedral"); weapon words alone do not fire.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Places and people a threat against the institution names.
_TARGET_ES = (r"(catedral|iglesia|templo|parroquia|misa|casillas?|urnas?|instituto|ine|ien|sede|oficinas?|"
              r"consejer[oa]s?|consejo|funcionari[oa]s?|presidenta|presidente|mitin|escuelas?|colegio|junta|"
              r"votacion|eleccion(es)?|capacitador(es|as)?|personal|edificio|modulo|plaza|marcha)")
_TARGET_EN = (r"(cathedral|church|mass|polling (station|place)|ballot|office|institute|headquarters|official|"
              r"officials|staff|workers|school|rally|election|building|counting|them all)")
_TARGET_FR = (r"(cathedrale|eglise|messe|bureau de vote|bureaux de vote|urnes?|institut|siege|bureau|"
              r"fonctionnaires?|agents?|ecole|meeting|election|batiment|mairie|prefecture)")

_KILL_ES = (r"(matar|mato|asesinar|balacear|balear|disparar|acribillar|quemar|incendiar|volar|explotar|degollar|"
            r"colgar|linchar|ejecutar|fusilar|ahorcar|rafaguear|apuñalar|apunalar|desaparecer|"
            r"tronar|plomear|masacrar|exterminar|eliminar)")
_KILL_EN = (r"(kill|shoot|bomb|burn|blow up|stab|murder|execute|slaughter|massacre|hang|lynch|gun down|"
            r"torch|behead|exterminate|wipe out|take out)")
_KILL_FR = (r"(tuer|buter|flinguer|abattre|egorger|bruler|faire sauter|exploser|mitrailler|descendre|tirer sur|"
            r"poignarder|massacrer|pendre|fusiller|executer|incendier|cramer|eliminer)")

PATTERNS: list[tuple[str, str, str]] = [
    # (name, language, regex over normalised text)
    ("es.amenaza_directa", "es",
     rf"\b(te|los|las|la|lo|les|le|nos|a)?\s*(voy|vamos|van|va|iremos|ire|hay que|tenemos que|deberiamos)\s+(a\s+)?"
     rf"(ir\s+a\s+)?{_KILL_ES}(l[oa]s?|te|les)?\b"),
    ("es.presente", "es", r"\b(quemamos|matamos|balaceamos|volamos|incendiamos|linchamos|colgamos|fusilamos)\b"),
    ("es.futuro", "es", r"\b(te|los|las|la|lo|les)\s+(matare|mataremos|quemaremos|quemare|balacearemos|volaremos)\b"),
    ("es.imperativo", "es",
     r"\b(maten|matenlos|matenlas|matenla|matenlo|quemen(los|la|lo)?|balaceen(los)?|disparen(les)?|"
     r"cuelguen(los|la|lo)?|linchen(los|la|lo)?|fusilen(los|la|lo)?|ahorquen(los|la|lo)?|revienten(los)?)\b"),
    ("es.deseo_muerte", "es",
     r"\b(ojala|deberian|merece[n]?|que)\s+(que\s+)?(alguien\s+)?(se\s+|los\s+|la\s+|lo\s+|le\s+|les\s+)?"
     r"(maten|matar|mate|quemen|quemar|queme|cuelguen|colgar|fusilen|fusilar|ahorquen|ahorcar|muera[n]?|morir|"
     r"dispare[n]?|disparar|balacee[n]?|"
     r"meta[n]?\s+un\s+(tiro|balazo|plomazo))\b"),
    ("es.fuego", "es", r"\b(prend\w*|pegar\w*|peg\w+|meter\w*|echar\w*)\s+(le\s+|les\s+)?fuego\b"),
    ("es.tiro", "es", r"\b(meter(le|les)?|dar(le|les)?|pegar(le|les)?|soltar(le|les)?)\s+(un|unos|varios)\s+"
                      r"(tiros?|balazos?|plomazos?|plomo|fierrazos?)\b"),
    ("es.bomba", "es",
     r"\b(poner|pondre|pondremos|ponemos|colocar|plantar|dejar|dejaremos|estallar|estallara|detonar|"
     r"hacer\s+estallar|hacer\s+explotar|volar|va a volar)\b.{0,40}\b(bombas?|explosivos?|dinamita|granadas?|"
     r"artefactos?)\b"),
    ("es.bomba_lugar", "es", rf"\b(bombas?|explosivos?|dinamita|granadas?|artefacto explosivo)\b.{{0,60}}\b{_TARGET_ES}\b"),
    ("es.lugar_bomba", "es", rf"\b{_TARGET_ES}\b.{{0,40}}\b(va a volar|volara|estallara|explotara|bombas?|explosivos?)\b"),
    ("es.sangre", "es",
     r"\b((va|van|vas)\s+a\s+(haber|correr|ver)|habra|correra|correr[aá]|corre)\s+(mucha\s+)?sangre\b|"
     r"\b(rios?|bano|mar)\s+de\s+sangre\b|\bmasacre\b|\bbalacera\b|\bmatanza\b"),
    ("es.no_saldran", "es", r"\b(nadie|no)\s+(saldra|saldran|va a salir|van a salir|llega|llegara|llegan|llegaran|sale|sales)\s+"
                            r"(\w+\s+)?viv[oa]s?\b|"
                            r"\b(se\s+)?(va|van|vas)\s+a\s+morir\b|\bllegara\s+(su|tu)\s+hora\b"),
    ("es.donde_vive", "es", r"\b(sabemos|se|ya se|ya sabemos|conozco)\s+(donde|en donde)\s+(vive|vives|viven|duerme|"
                            r"estudian? tus hijos)\b"),
    ("es.armas_lugar", "es",
     rf"\b(armas?|rifles?|cuernos? de chivo|ak-?47|pistolas?|fierros?|plomo|balas?|tiros?|balazos?|escopetas?|"
     rf"metralletas?|armados|machetes?|cuchillos?|navajas?)\b.{{0,60}}\b{_TARGET_ES}\b"),
    ("es.lugar_armas", "es",
     rf"\b{_TARGET_ES}\b.{{0,50}}\b(armas?|rifles?|cuernos? de chivo|ak-?47|pistolas?|balas?|tiros?|balazos?|fierros?|"
     rf"escopetas?|metralletas?|armados|machetes?|cuchillos?|navajas?)\b"),
    ("es.quemar_lugar", "es", rf"\b{_KILL_ES}\s+(el|la|los|las|esa|ese|esas|esos|su|sus)\s+{_TARGET_ES}\b"),
    ("en.direct", "en",
     rf"\b(i'?m|i am|we'?re|we are|gonna|going to|will|i'?ll|we'?ll|i'?d|let'?s|should|must|need to)\s+"
     rf"(\w+\s+){{0,2}}{_KILL_EN}\b"),
    ("en.shoot_up", "en", r"\b(shoot|shooting|shot)\s+up\b|\bblow(ing)?\s+(up|it up)\b|\bbomb\s+(the|this|that|it)\b"),
    ("en.blood", "en", r"\b(there will be|there'?ll be|gonna be|going to be|will be)\s+(\w+\s+)?(blood|bodies|a massacre|"
                       r"a bloodbath)\b|\bbloodbath\b|\bmassacre\b"),
    ("en.alive", "en", r"\b(nobody|no one|none of (you|them)|won'?t|will not|wont)\b.{0,40}\balive\b|"
                       r"\b(you'?re|you are|they'?re|they are)\s+(all\s+)?(dead|going to die|gonna die)\b|"
                       r"\b(is|are|will)\s+(going to\s+|gonna\s+)?die\s+(this|next|on|tonight|tomorrow|before)\b"),
    ("en.where_live", "en", r"\b(know|found|find out)\s+where\s+(\w+\s+){1,2}(live|lives|sleeps?)\b"),
    ("en.bullet", "en", r"\b(put|putting)\s+a\s+bullet\b|\bbullets?\s+(in|into|through)\b|"
                        r"\b(deserves?|should|ought)\s+(to\s+)?(be\s+)?(shot|killed|hanged|executed|lynched)\b"),
    ("en.weapon_place", "en", rf"\b(guns?|rifles?|ar-?15|ak-?47|bombs?|explosives?|pipe bombs?|armed)\b.{{0,60}}\b{_TARGET_EN}\b"),
    ("en.kill_target", "en", rf"\b{_KILL_EN}\s+(the|that|this|every|all|those)\s+(\w+\s+)?{_TARGET_EN}\b|"
                             rf"\b{_KILL_EN}\s+(them|him|her|you|all|everyone|everybody)\b"),
    ("fr.direct", "fr",
     rf"\b(je vais|j'vais|on va|nous allons|vous allez|ils vont|je vais te|on va te|on va les|il faut|faut)\s+"
     rf"(\w+\s+){{0,2}}{_KILL_FR}\b"),
    ("fr.futur", "fr", r"\b(je|on|nous)\s+(\w+\s+)?(tuerai|tuerons|tuera|buterai|butera|bruleront|brulerons|bruleras|"
                       r"fera sauter|ferons sauter)\b"),
    ("fr.bombe", "fr", rf"\b(bombes?|explosifs?|dynamite|grenades?)\b.{{0,60}}\b{_TARGET_FR}\b|"
                       r"\b(poser|placer|mettre|deposer)\s+(une|des)\s+(bombes?|explosifs?)\b|\bfaire sauter\b"),
    ("fr.mourir", "fr", r"\b(va|vont|allez|vas)\s+mourir\b"),
    ("fr.sang", "fr", r"\b(il y aura|y aura|va y avoir|coulera)\s+(du\s+)?sang\b|\bbain de sang\b|\bmassacre\b|"
                      r"\bcarnage\b"),
    ("fr.balle", "fr", r"\b(une\s+)?balle\s+dans\s+(la|ta|sa|leur)\s+tete\b|\b(merite|meritent)\s+(d'etre\s+)?"
                       r"(la mort|tue|tues|abattu|abattus|pendu|pendus)\b|\ba mort\b"),
    ("fr.habite", "fr", r"\b(on sait|je sais|nous savons)\s+ou\s+(tu habites|vous habitez|il habite|elle habite|"
                        r"ils habitent)\b"),
    ("fr.armes_lieu", "fr", rf"\b(armes?|fusils?|kalach\w*|pistolets?|armes?)\b.{{0,60}}\b{_TARGET_FR}\b"),
]

# Idioms that look violent but are not ("me mata de risa", "killed it").
_BENIGN = [
    r"\bme\s+(mata|matan|muero)\s+de\s+(risa|la risa|ganas|sueno|hambre|amor)\b",
    r"\b(morir|muere|mueren|morirse|muera|muero)\s+de\s+(risa|verguenza|calor|frio|hambre|sueno|ganas|envidia|amor|"
    r"aburrimiento)\b",
    r"\b(killed it|killing it|kill time|you killed me|dying of laughter|lol|lmao)\b",
    r"\bnoticia bomba\b|\bbomba de (humo|tiempo) (politica|mediatica)\b|\bbomb\s?shell\b|\bthe bomb\b",
    r"\b(explotar|explotan|explotacion)\s+(a\s+)?(los\s+)?(trabajadores|recursos|laboral)\b",
    r"\bmourir de rire\b|\bc'est (de )?la bombe\b|\bil faut tuer le temps\b|\bburn(s|ing)? through\b|\bgun control\b",
]

_COMPILED = [(n, lang, re.compile(p)) for n, lang, p in PATTERNS]
_BENIGN_RE = re.compile("|".join(_BENIGN))
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s"})


@functools.lru_cache(maxsize=4096)  # the lexicon, the threat layer and claims all read it
def normalise(text: str) -> str:
    """Lower-case, strip accents, undo simple leetspeak and stretched letters."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("`", "'")
    # Only digits inside words are leetspeak ("m4t4r"); numbers stay numbers.
    text = re.sub(r"(?<=[a-z])[0134573$]+(?=[a-z])|(?<=[a-z])[0134573$]+\b",
                  lambda m: m.group(0).translate(_LEET), text)
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[^\w'\s-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def match(text: str) -> list[str]:
    """Names of the threat patterns that ``text`` matches (empty when none)."""
    norm = normalise(text)
    hits = [name for name, _, rx in _COMPILED if rx.search(norm)]
    if hits and _BENIGN_RE.search(norm):
        # An idiom explains the violent word only when nothing else fired beside it.
        stripped = _BENIGN_RE.sub(" ", norm)
        hits = [name for name, _, rx in _COMPILED if rx.search(stripped)]
    return hits
