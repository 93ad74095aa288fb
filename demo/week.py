"""A realistic week of mentions of a fictional electoral institute, as X API v2 data.

Deterministic (seeded), mostly Spanish with some English and French: routine
questions and complaints (answered by the institute), praise, trolling that is
not a crisis, a false rumour that spreads ("el instituto destruyó boletas en
..."), hate speech against an official, and one violent threat against a polling
station. ``users, tweets = build()``; each tweet keeps ``_kind`` for the tests.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

WEEK_START = datetime(2026, 11, 9, 6, 0, tzinfo=timezone.utc)  # Monday 00:00 in Mexico City
WEEK_END = WEEK_START + timedelta(days=7)
OWN = [{"id": "900001", "username": "IEN_Oficial", "name": "Instituto Electoral Nacional", "verified": True,
        "public_metrics": {"followers_count": 1_250_000}},
       {"id": "900002", "username": "IEN_Informa", "name": "IEN Informa", "verified": True,
        "public_metrics": {"followers_count": 310_000}}]

QUESTIONS = [
    "¿Dónde consulto la ubicación de mi casilla para el domingo?",
    "¿Hasta cuándo puedo recoger mi credencial para votar en el módulo?",
    "Buen día, perdí mi credencial ¿puedo votar con pasaporte?",
    "¿Qué horario tienen los módulos de atención este fin de semana?",
    "¿Cómo me registro como observador electoral?",
    "¿Si me cambié de domicilio en qué casilla voto?",
    "Hola, ¿la capacitación para funcionarios de casilla es presencial?",
    "¿Dónde puedo ver los resultados preliminares?",
    "¿Se puede votar desde el extranjero en esta elección?",
    "¿Qué documentos necesito para tramitar mi credencial?",
]
COMPLAINTS = [
    "llevo tres horas en la fila del módulo y nadie da información, pésimo servicio",
    "la página para consultar casilla no carga desde ayer, arréglenla",
    "me citaron a la capacitación y nunca llegó el capacitador, qué falta de respeto",
    "el módulo de Iztapalapa cerró antes de la hora anunciada",
    "mi credencial lleva un mes y no llega, muy mal",
    "nadie contesta el teléfono de atención ciudadana",
]
PRAISE = [
    "Gracias por la atención tan rápida en el módulo, excelente trabajo",
    "Muy clara la guía para funcionarios de casilla, felicidades",
    "Orgullosa de ser funcionaria de casilla este domingo, gracias por la capacitación",
    "Excelente el simulacro de conteo, así da gusto",
    "Gracias por responder tan rápido mi duda",
]
TROLLS = [
    "jajaja instituto de payasos, ni para organizar una rifa sirven",
    "otra vez el circo del instituto, puro show",
    "instituto vendido, todos sabemos quién les paga jaja",
    "qué flojera sus spots, ya cállense",
    "bola de inútiles, ni la página les funciona",
]
RUMOUR = [
    "URGENTE: el instituto destruyó boletas en Oaxaca para favorecer al oficialismo",
    "Confirmado, el IEN destruyó boletas en Oaxaca anoche, compartan antes de que lo borren",
    "Dicen que el instituto destruyó boletas en Oaxaca, ¿alguien sabe algo?",
    "Fuentes internas: el instituto destruyó miles de boletas en Oaxaca",
    "Ya lo sabíamos, el instituto destruyó boletas en Oaxaca, esto es fraude",
    "No puede ser que el instituto haya destruido boletas en Oaxaca, exigimos explicaciones",
]
HATE = [
    "La consejera Laura Méndez es una vieja estúpida que debería estar en la cocina y no en el instituto",
    "Laura Méndez, consejera de cuarta, mujeres como tú son basura",
    "Esa consejera Méndez es una perra asquerosa, lárgate",
]
THREAT = ("El domingo va a haber sangre en la casilla de la escuela Benito Juárez, ya tenemos los fierros listos "
          "para los del instituto @IEN_Oficial")
EN = [
    "International observers praise the @IEN_Oficial for its transparent training of poll workers",
    "Where can foreign journalists get accreditation from @IEN_Oficial?",
    "Great thread by @IEN_Oficial on how the preliminary results system works",
    "The @IEN_Oficial website is down again, frustrating",
]
FR = [
    "Les observateurs saluent le travail de @IEN_Oficial avant le scrutin de dimanche",
    "Où trouver les résultats préliminaires publiés par @IEN_Oficial ?",
    "Très bonne initiative de @IEN_Oficial pour informer les électeurs",
]
OWN_POSTS = [
    "Recuerda: el domingo las casillas abren a las 8:00. Consulta la tuya en nuestro sitio.",
    "Hoy concluimos el segundo simulacro de conteo rápido con éxito.",
    "Los módulos de atención abren este sábado de 9:00 a 15:00.",
    "Aviso: la credencial vencida no es válida para votar.",
]
REPLIES = [
    "Hola, puedes consultarlo en nuestro sitio con tu clave de elector. ¡Gracias por escribir!",
    "Gracias por tu mensaje, ya lo canalizamos al área correspondiente.",
    "Te compartimos la información por mensaje directo. Saludos.",
]
CLARIFY = ("FALSO: el IEN no destruyó boletas en Oaxaca. Las boletas están bajo resguardo militar y "
           "cuentan con vigilancia de los partidos. Más información en nuestro sitio.")
FIRST = ["maria", "jose", "lupita", "carlos", "sofia", "diego", "fer", "ale", "paco", "rosa", "beto", "karla",
         "memo", "ana", "luis", "dani", "gaby", "toño", "vale", "rodrigo"]


def build(seed: int = 7):
    rnd = random.Random(seed)
    users: dict[str, dict] = {u["id"]: u for u in OWN}
    tweets: list[dict] = []
    next_id = [1_859_000_000_000_000_000]

    def user(kind: str, followers: int | None = None) -> dict:
        name = f"{rnd.choice(FIRST)}_{kind}{rnd.randint(1, 9999)}".replace("ñ", "n")
        uid = str(100000 + len(users))
        users[uid] = {"id": uid, "username": name[:15], "name": name.replace("_", " ").title(), "verified": False,
                      "public_metrics": {"followers_count": followers if followers is not None
                                         else int(rnd.lognormvariate(5, 1.5))}}
        return users[uid]

    def when(day: float, hour: float) -> datetime:
        return WEEK_START + timedelta(days=day, hours=hour)

    def post(u, text, at, kind, lang="es", reply_to=None, repost_of=None):
        next_id[0] += rnd.randint(1000, 90000)
        t = {"id": str(next_id[0]), "text": text, "author_id": u["id"],
             "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lang": lang,
             "conversation_id": reply_to["conversation_id"] if reply_to else str(next_id[0]),
             "edit_history_tweet_ids": [str(next_id[0])],
             "public_metrics": {"retweet_count": rnd.randint(0, 5), "reply_count": rnd.randint(0, 3),
                                "like_count": rnd.randint(0, 40), "quote_count": 0},
             "_kind": kind}
        if u["id"] in ("900001", "900002"):
            t["source"] = "Hootsuite Inc."
        if reply_to:
            t["referenced_tweets"] = [{"type": "replied_to", "id": reply_to["id"]}]
            t["in_reply_to_user_id"] = reply_to["author_id"]
        if repost_of:
            t["referenced_tweets"] = [{"type": "retweeted", "id": repost_of["id"]}]
        tweets.append(t)
        return t

    handles = ["@IEN_Oficial", "@IEN_Oficial", "@IEN_Oficial", "@IEN_Informa"]
    for day in range(7):
        for text in rnd.sample(OWN_POSTS, 2):
            post(users["900001"], text, when(day, rnd.uniform(9, 19)), "own")
        for _ in range(10):  # questions, each answered within hours
            h = rnd.choice(handles)
            q = post(user("c"), f"{h} {rnd.choice(QUESTIONS)}", when(day, rnd.uniform(7, 22)), "question")
            own = users["900001" if h == "@IEN_Oficial" else "900002"]
            post(own, f"@{users[q['author_id']]['username']} {rnd.choice(REPLIES)}",
                 datetime.fromisoformat(q["created_at"].replace("Z", "+00:00")) + timedelta(hours=rnd.uniform(1, 20)),
                 "own", reply_to=q)
        for _ in range(4):
            h = rnd.choice(handles)
            c = post(user("q"), f"{h} {rnd.choice(COMPLAINTS)}", when(day, rnd.uniform(8, 21)), "complaint")
            own = users["900001" if h == "@IEN_Oficial" else "900002"]
            post(own, f"@{users[c['author_id']]['username']} {REPLIES[1]}",
                 datetime.fromisoformat(c["created_at"].replace("Z", "+00:00")) + timedelta(hours=rnd.uniform(2, 30)),
                 "own", reply_to=c)
        for _ in range(6):
            post(user("p"), f"{rnd.choice(PRAISE)} {rnd.choice(handles)}", when(day, rnd.uniform(8, 23)), "praise")
        for _ in range(4):
            post(user("t"), f"{rnd.choice(handles)} {rnd.choice(TROLLS)}", when(day, rnd.uniform(0, 24)), "troll")
        for _ in range(2):
            post(user("e", 3000), rnd.choice(EN), when(day, rnd.uniform(12, 23)), "routine", lang="en")
        if day % 2 == 0:
            post(user("f", 1500), rnd.choice(FR), when(day, rnd.uniform(12, 20)), "routine", lang="fr")
    # Thursday: the rumour spreads over the afternoon; a high-reach account joins.
    for i in range(14):
        u = user("r", 250_000 if i == 9 else None)
        post(u, f"{RUMOUR[i % len(RUMOUR)]} @IEN_Oficial", when(3, 14 + i * 0.45), "rumour")
    post(users["900001"], CLARIFY, when(3, 21.5), "own")
    # Friday: hate speech against an official.
    for i, text in enumerate(HATE):
        post(user("h"), f"{text} @IEN_Oficial", when(4, 10 + i * 2.5), "hate")
    # Saturday night: the threat against a polling station, then two reposts.
    author = user("x", 180)
    threat = post(author, THREAT, when(5, 23.2), "threat")
    for i in range(2):
        post(user("rt"), f"RT @{author['username']}: {THREAT}", when(5, 23.4 + i * 0.2), "threat_repost",
             repost_of=threat)
    # X ids are snowflakes, increasing with time: renumber in time order.
    tweets.sort(key=lambda t: t["created_at"])
    renumber = {t["id"]: str(1_859_000_000_000_000_000 + i * 7919) for i, t in enumerate(tweets)}
    for t in tweets:
        t["id"] = renumber[t["id"]]
        t["conversation_id"] = renumber.get(t["conversation_id"], t["conversation_id"])
        t["edit_history_tweet_ids"] = [t["id"]]
        for r in t.get("referenced_tweets", []):
            r["id"] = renumber[r["id"]]
    return list(users.values()), tweets
