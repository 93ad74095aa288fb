"""What the detectors write about an incident (its title and explanation), in the
institution's language (``[report] lang``: es, en or fr) and in plain words.

A committee member reads these in the page at night, the analyst in the view, the director
in the report: no pattern ids, scores or thresholds (they go to the log), times local with
the zone named, the posts quoted «like this».
"""
from __future__ import annotations

from escucha import periods

WORDS = {
    "es": {
        "threat_title": "Amenaza violenta de @{handle}",
        "threat_title_possible": "Posible amenaza violenta de @{handle}",
        "threat": "Amenaza violenta creíble: «{text}»{link}",
        "threat_possible": "Posible amenaza violenta, para revisar: «{text}»{link}",
        "hijack_title": "Posible cuenta institucional comprometida: {account}",
        "hijack": "La cuenta propia {account} publicó algo que se aparta de lo que suele publicar: {signals}: "
                  "«{text}»{link}. Siga el protocolo de cuenta comprometida.",
        "sig_link": "un enlace a {hosts}, nunca usado antes", "sig_lang": "un idioma en el que no publica ({lang})",
        "sig_client": "una aplicación nueva ({client})", "sig_hour": "una hora a la que nunca publica ({hour} h)",
        "sig_money": "palabras de dinero o criptomonedas («{words}»)", "sig_burst": "{n} publicaciones en diez minutos",
        "sig_threat": "una amenaza violenta", "sig_hate": "discurso de odio", "sig_insults": "insultos", "and": " y ",
        "claim_title": "Narrativa de desinformación: {claim}",
        "claim": "Se extiende una narrativa de desinformación: {n} menciones de {authors} autores (alcance {reach}){big}."
                 "{clarification}",
        "claim_big": "; se sumó una cuenta de gran alcance, @{handle} ({followers} seguidores)",
        "clarification": " Aclaración: {text} {where}",
        "new_title": "Posible nueva narrativa: {text}",
        "new": "Se extiende una afirmación que no está en el registro: {n} publicaciones de {authors} autores la afirman "
               "(alcance {reach}){big}{others}. Primera publicación: @{handle}, {at} ({zone}): «{text}»{link}. "
               "Entrada sugerida para el registro: [[claims]] id = \"{slug}\", claim = \"{claim}\".",
        "new_big": "; entre ellas, una cuenta de gran alcance, @{handle} ({followers} seguidores)",
        "new_others": "; {n} preguntas o desmentidos sobre ella",
        "spike_title": "Pico de menciones ({kinds}) en {account}",
        "spike": "{what}; {n} desde el {at} ({zone}). Palabras: {words}. Más leídas: {top}.",
        "spike_what": "{peak} menciones {kind} de {account} en una hora, cuando lo habitual es {expected}",
        "kind_negative": "negativas", "kind_hate": "de odio u ofensivas", "kind_misinformation": "de desinformación",
        "the_institution": "la institución", "under_one": "menos de una",
        "post": "@{handle} ({followers} seguidores): «{text}»",
        "campaign_title": "Campaña de acoso contra {target}",
        "campaign": "{n} publicaciones hostiles de {authors} autores contra {target} desde el {at} ({zone}){threats}. "
                    "Más leídas: {top}.",
        "campaign_threats": ", con amenazas entre ellas",
        "blind_title": "escucha no recibe menciones de {target}",
        "blind": "Desde el {at} ({zone}) no se ha podido recoger nada de {target}: lo que se publique allí no se "
                 "está vigilando. {why}Avise al equipo técnico: revisar las credenciales, la cuota de la API y "
                 "que el programador de tareas siga en marcha.",
        "blind_why": "Último error ({error_at}): {error}. ", "blind_stopped": "La recogida dejó de ejecutarse. ",
        "blind_auth": "la plataforma rechaza las credenciales", "blind_quota": "la plataforma limita las "
                      "peticiones (cuota agotada)", "blind_unreachable": "no se puede conectar con la plataforma",
        "blind_error": "la plataforma responde con un error",
    },
    "en": {
        "threat_title": "Violent threat from @{handle}",
        "threat_title_possible": "Possible violent threat from @{handle}",
        "threat": "Credible violent threat: «{text}»{link}",
        "threat_possible": "Possible violent threat, for review: «{text}»{link}",
        "hijack_title": "Possible compromised institutional account: {account}",
        "hijack": "The institution's own account {account} posted what departs from its usual posts: {signals}: "
                  "«{text}»{link}. Follow the hacked-account protocol.",
        "sig_link": "a link to {hosts}, never used before", "sig_lang": "a language it does not post in ({lang})",
        "sig_client": "a new app ({client})", "sig_hour": "an hour it never posts at ({hour}:00)",
        "sig_money": "money or crypto wording («{words}»)", "sig_burst": "{n} posts within ten minutes",
        "sig_threat": "a violent threat", "sig_hate": "hate speech", "sig_insults": "insults", "and": " and ",
        "claim_title": "Misinformation narrative: {claim}",
        "claim": "A misinformation narrative is spreading: {n} mentions by {authors} authors (reach {reach}){big}."
                 "{clarification}",
        "claim_big": "; a high-reach account joined, @{handle} ({followers} followers)",
        "clarification": " Clarification: {text} {where}",
        "new_title": "Possible new narrative: {text}",
        "new": "A claim not in the register is spreading: {n} posts by {authors} authors assert it (reach {reach})"
               "{big}{others}. First post: @{handle}, {at} ({zone}): «{text}»{link}. Suggested register entry: "
               "[[claims]] id = \"{slug}\", claim = \"{claim}\".",
        "new_big": "; a high-reach account among them, @{handle} ({followers} followers)",
        "new_others": "; {n} questions or debunks about it",
        "spike_title": "Spike of {kinds} mentions of {account}",
        "spike": "{what}; {n} since {at} ({zone}). Words: {words}. Most read: {top}.",
        "spike_what": "{peak} {kind} mentions of {account} within an hour, where {expected} is usual",
        "kind_negative": "negative", "kind_hate": "hateful or offensive", "kind_misinformation": "misinformation",
        "the_institution": "the institution", "under_one": "fewer than one",
        "post": "@{handle} ({followers} followers): «{text}»",
        "campaign_title": "Harassment campaign against {target}",
        "campaign": "{n} hostile posts by {authors} authors against {target} since {at} ({zone}){threats}. "
                    "Most read: {top}.",
        "campaign_threats": ", threats among them",
        "blind_title": "escucha is receiving no mentions from {target}",
        "blind": "Nothing could be collected from {target} since {at} ({zone}): what is posted there is not being "
                 "watched. {why}Tell the technical team: check the credentials, the API quota and that the task "
                 "scheduler is still running.",
        "blind_why": "Last error ({error_at}): {error}. ", "blind_stopped": "Collection stopped running. ",
        "blind_auth": "the platform refuses the credentials", "blind_quota": "the platform is limiting requests "
                      "(quota used up)", "blind_unreachable": "the platform cannot be reached",
        "blind_error": "the platform answers with an error",
    },
    "fr": {
        "threat_title": "Menace violente de @{handle}",
        "threat_title_possible": "Possible menace violente de @{handle}",
        "threat": "Menace violente crédible : «{text}»{link}",
        "threat_possible": "Possible menace violente, à examiner : «{text}»{link}",
        "hijack_title": "Compte institutionnel peut-être compromis : {account}",
        "hijack": "Le compte de l'institution {account} a publié ce qui s'écarte de ses publications habituelles : "
                  "{signals} : «{text}»{link}. Suivez le protocole de compte piraté.",
        "sig_link": "un lien vers {hosts}, jamais utilisé", "sig_lang": "une langue dans laquelle il ne publie pas ({lang})",
        "sig_client": "une nouvelle application ({client})", "sig_hour": "une heure où il ne publie jamais ({hour} h)",
        "sig_money": "des mots d'argent ou de cryptomonnaie («{words}»)", "sig_burst": "{n} publications en dix minutes",
        "sig_threat": "une menace violente", "sig_hate": "un discours de haine", "sig_insults": "des insultes",
        "and": " et ",
        "claim_title": "Récit de désinformation : {claim}",
        "claim": "Un récit de désinformation se propage : {n} mentions de {authors} auteurs (audience {reach}){big}."
                 "{clarification}",
        "claim_big": " ; un compte à forte audience s'y est joint, @{handle} ({followers} abonnés)",
        "clarification": " Clarification : {text} {where}",
        "new_title": "Possible nouveau récit : {text}",
        "new": "Une affirmation absente du registre se propage : {n} publications de {authors} auteurs l'affirment "
               "(audience {reach}){big}{others}. Première publication : @{handle}, {at} ({zone}) : «{text}»{link}. "
               "Entrée suggérée pour le registre : [[claims]] id = \"{slug}\", claim = \"{claim}\".",
        "new_big": " ; parmi elles, un compte à forte audience, @{handle} ({followers} abonnés)",
        "new_others": " ; {n} questions ou démentis à son sujet",
        "spike_title": "Pic de mentions ({kinds}) de {account}",
        "spike": "{what} ; {n} depuis le {at} ({zone}). Mots : {words}. Les plus lues : {top}.",
        "spike_what": "{peak} mentions {kind} de {account} en une heure, quand {expected} est habituel",
        "kind_negative": "négatives", "kind_hate": "haineuses ou injurieuses", "kind_misinformation": "de désinformation",
        "the_institution": "l'institution", "under_one": "moins d'une",
        "post": "@{handle} ({followers} abonnés) : «{text}»",
        "campaign_title": "Campagne de harcèlement contre {target}",
        "campaign": "{n} publications hostiles de {authors} auteurs contre {target} depuis le {at} ({zone}){threats}. "
                    "Les plus lues : {top}.",
        "campaign_threats": ", dont des menaces",
        "blind_title": "escucha ne reçoit plus de mentions de {target}",
        "blind": "Rien n'a pu être collecté de {target} depuis le {at} ({zone}) : ce qui s'y publie n'est pas "
                 "surveillé. {why}Prévenez l'équipe technique : vérifier les identifiants, le quota de l'API et "
                 "que l'ordonnanceur des tâches tourne toujours.",
        "blind_why": "Dernière erreur ({error_at}) : {error}. ", "blind_stopped": "La collecte ne s'exécute plus. ",
        "blind_auth": "la plateforme refuse les identifiants", "blind_quota": "la plateforme limite les requêtes "
                      "(quota épuisé)", "blind_unreachable": "la plateforme est injoignable",
        "blind_error": "la plateforme répond par une erreur",
    },
}


def say(config, key: str, url: str | None = None, **values) -> str:
    """``key``'s sentence in the institution's language, with ``values`` in it (and the
    post's ``url`` after a dash, where it has one)."""
    link = f" — {url}" if url else ""
    return WORDS.get(config.report.lang, WORDS["es"])[key].format(link=link, **values)


def number(config, n: int) -> str:
    """A count grouped by thousands (12,400), as the pages write reach."""
    return f"{n:,}"


def when(config, t) -> str:
    return periods.local(config.tz, t)
