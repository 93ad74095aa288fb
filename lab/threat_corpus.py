"""Written-by-us training posts for the threat model: threats and the posts most like them.

No public data set holds threats against polling stations, churches or election staff,
and a model trained against ordinary tweets learns "institution + anger = threat"
(41% false alarms on criticism). So the model sees both sides composed from parts:
threats of every form (direct, oblique outcomes, weapons brought, warnings, wishes,
conditions) against every kind of target, and the hard negatives that share their
words (criticism, demands, violent metaphors for debates and elections, news and
condemnations of attacks, protests, drills, idioms). Composition is seeded, so the
same corpus comes back on every machine. The hand-written suites under ``data/`` stay
the judges; see the model card for what this corpus is and is not.
"""
from __future__ import annotations

import random
import re

from lab import threat_twins

# Each language: targets (a place or a person, with the article a sentence needs),
# and the parts of threats and of hard negatives. "{t}" is the target, "{w}" a time.
ES = {
    "targets": ["la catedral", "la casilla", "la casilla 214", "el instituto", "la sede del instituto", "la junta distrital",
                "el consejo", "los consejeros", "la consejera presidenta", "el presidente de casilla", "los funcionarios de casilla",
                "la iglesia de San Juan", "la parroquia", "el obispo", "el padre Miguel", "los capacitadores",
                "el módulo de atención", "las oficinas del INE", "el centro de cómputo", "el alcalde", "la alcaldía",
                "el mitin", "los observadores", "la escuela donde votamos", "el tribunal electoral", "la magistrada"],
    "times": ["el domingo", "mañana", "el sábado", "esta noche", "el lunes", "el día de la elección", "durante el conteo",
              "en la misa de las 7", "cuando cierren las casillas", "la próxima semana", "hoy", "el viernes"],
    "threat": [
        "{pres}, {t}", "{t}: {pres}", "{w}, {t}. {warn}", "{t} {w}. {warn}", "a {t} hay que {lesson}",
        "{t} {dw}", "{w} {t} {dw}", "{t} {dw}; yo me encargo",
        "voy a {v} {t} {w}", "vamos a {v} {t} {w}", "{w} vamos a {v} {t}", "les juro que voy a {v} {t}",
        "ya decidí: {w} voy a {v} {t}", "alguien tiene que {v} {t} y ese voy a ser yo", "hay que {v} {t} {w}",
        "ojalá alguien se anime a {v} {t}", "que alguien se encargue de {v} {t} {w}", "me voy a encargar de {v} {t}",
        "{t} {o} {w}", "{w} {t} {o}", "ya verán: {t} {o}", "acuérdense de mí cuando {t} {o}",
        "{w} llego a {t} con {m}", "voy a entrar a {t} con {m} {w}", "{w} me presento en {t} con {m}, a ver quién me detiene",
        "ya tengo {m} listo para {t}", "{m} ya está guardado para {t} {w}",
        "{x} {t}", "{x} {t}. {w} se van a acordar",
        "si {c}, {t} {o}", "si {c} vamos a {v} {t}", "si {c}, {w} llego a {t} con {m}",
    ],
    "verbs": ["balacear a", "quemar", "volar", "matar a", "rociar con gasolina a", "llenar de plomo a", "apuñalar a",
              "romperle la cabeza a", "meterle un tiro a", "poner una bomba en", "dejar un paquete explosivo en", "tirotear",
              "prenderle fuego a", "acribillar a", "colgar a", "degollar a", "reventar a golpes a", "cazar a",
              "dejar sin vida a", "hacer pedazos a", "echarme a", "meterle un plomazo a", "darle un cuetazo a"],
    "outcomes": ["va a terminar en funeral", "va a quedar en escombros", "va a oler a pólvora", "va a salir con los pies por delante",
                 "no va a ver la Navidad", "se va a llenar de ambulancias", "va a volar en pedazos",
                 "va a amanecer rodeado de forenses", "se va a teñir de rojo", "va a arder hasta los cimientos",
                 "va a necesitar muchas coronas de flores", "no la va a contar", "va a ser velorio", "va a quedar agujerado a tiros",
                 "va a conocer el infierno", "no sale de esta con vida", "va a tener muchas viudas",
                 "va a terminar en tragedia, se los juro"],
    "means": ["la escopeta", "el cuerno de chivo", "un bidón de gasolina", "el machete", "la pistola", "explosivos",
              "una mochila con sorpresa", "el rifle de mi papá", "una granada", "varias molotov", "dos cargadores llenos",
              "un cuchillo", "el fierro"],
    "warnings": ["sabemos a qué hora salen de", "ya sabemos dónde viven los de",
                 "cuídense mucho los de", "despídanse de sus familias los de", "prepárense para llorar a los de",
                 "les quedan pocos días a los de", "vayan rezando los de", "no saben lo que les espera en"],
    "conditions": ["anulan mi voto", "validan el fraude", "gana ese candidato", "no hay recuento", "cierran la casilla temprano",
                   "el cómputo sale mal", "certifican la elección"],
    "negative": [
        "{t} {note}", "{w} {t} {note}", "{t} {note} {w}",
        "{pray}", "{safe}", "{t}: {safe}",
        "{w} vamos a {beat} a {rv} en las urnas", "vamos a {beat} a {rv} {w}", "{ann}", "{t} {fig}", "{w} {t} {fig}",
        "{t} {cr}", "{t} {cr}, que renuncien todos", "qué vergüenza {t}: {cr}", "{w} {t} {cr}",
        "{mt}", "{news}", "vamos a {pa} {t} {w}", "{w} vamos a {pa} {t}", "si {c}, vamos a {pa} {t}",
        "{ev} en {t} {w}", "{idiom}", "{t} {cr}; {idiom}",
        # Citizens' questions: the most common post an institution gets, about the
        # same places and days as the threats.
        "{ask}", "{ask} gracias", "@instituto {ask}", "{w} ¿a qué hora abre {t}?", "¿alguien sabe si {t} atiende {w}?",
    ],
    "questions": ["¿qué documentos necesito para tramitar mi credencial?", "¿puedo votar fuera de mi sección?",
                  "¿cómo sé si salí sorteado como funcionario de casilla?",
                  "¿el módulo de credencialización abre los sábados?",
                  "¿cómo reporto una casilla que no abrió a tiempo?", "¿dónde puedo revisar la lista nominal?",
                  "¿qué pasa si mi credencial está vencida?", "¿me pueden decir cuál es mi distrito electoral?",
                  "¿cuándo empieza el cómputo distrital?", "¿hay estacionamiento cerca de la junta distrital?",
                  "¿la capacitación para funcionarios es presencial o en línea?",
                  "¿dónde está la casilla especial más cercana a la central de autobuses?",
                  "¿a qué hora es la misa de la tarde?", "¿cuántas boletas se imprimieron para mi distrito?"],
    "criticism": ["es un nido de ratas", "son unos vendidos", "debería ir a la cárcel por fraude", "no sirve para nada",
                  "es una vergüenza nacional", "merece que lo corran", "está podrido por dentro", "nos robó la elección",
                  "son unos inútiles con sueldos altísimos", "miente descaradamente", "se tiene que ir", "está acabado políticamente", "es el peor de la historia"],
    "metaphors": ["el debate fue una masacre para el candidato", "esta elección es una bomba de tiempo",
                  "el consejero está muerto políticamente", "el conteo fue una carnicería para la oposición",
                  "el escándalo va a volar por los aires la credibilidad del instituto", "van a caer cabezas en el consejo por los contratos",
                  "la reforma va a hundir el presupuesto", "el informe fue una bomba", "la oposición quedó destrozada en el debate",
                  "el instituto se disparó en el pie con esa decisión", "el consejero quemó su último cartucho",
                  "el presidente de la junta está en la cuerda floja", "esa campaña es un cadáver político",
                  "la abstención se disparó en el distrito", "el candidato fusiló a su rival en el debate"],
    "news": ["Refuerzan la vigilancia en la catedral tras las amenazas recibidas la semana pasada",
             "Condenamos las amenazas contra el personal del instituto; nadie debe trabajar con miedo",
             "Juicio al autor del incendio de la parroquia en 2019: le dieron veinte años de prisión",
             "La fiscalía investiga las amenazas de bomba recibidas por la junta distrital",
             "Un funcionario electoral denunció haber recibido mensajes intimidatorios; el instituto presentó denuncia",
             "Reportan saldo blanco en la jornada electoral, sin incidentes en las casillas",
             "Un tiroteo en otra ciudad deja dos heridos; el instituto refuerza la seguridad de sus oficinas",
             "Detienen al sujeto que publicó amenazas contra la iglesia de San Juan",
             "El obispo pidió paz y rechazó cualquier llamado a la violencia durante las elecciones",
             "Documental sobre la masacre de 1968 se estrena este fin de semana", "Nuestras oraciones con las víctimas del tiroteo en el centro; la violencia no tiene lugar en la democracia"],
    "peaceful": ["auditar a", "marchar hasta", "denunciar a", "votar en contra de",
                 "exigir la renuncia de", "hacer un plantón frente a", "vigilar con cámaras", "presentar una impugnación contra", "exhibir en redes a"],
    "events": ["colecta de víveres", "misa por la paz", "capacitación para funcionarios", "jornada de puertas abiertas",
               "conferencia de prensa", "recuento de votos", "concierto benéfico", "reunión de observadores"],
    "idioms": ["me muero de risa con el spot del instituto", "me mata de coraje ver el conteo", "voy a quemar mis ahorros en la campaña",
               "estos precios van a disparar la inflación", "el video del consejero ya voló en redes", "me muero de ganas de votar",
               "el ensayo me tiene muerto de sueño", "ese meme está de muerte", "qué bomba de noticia",
               "voy a matar el tiempo en la fila de la casilla", "me muero por un café antes de abrir la casilla", "la noticia cayó como bomba en el consejo", "vamos a grabar un video en la casilla para explicar cómo votar"],
    "doomed": ["merece arder", "merece una bala", "tiene los días contados", "ya le llegó su hora", "debería tener un accidente",
               "no sabe lo que le espera", "ya está en la lista", "va a desaparecer y nadie lo va a encontrar",
               "no va a volver a abrir sus puertas", "merece que le vuelen la cabeza", "tiene poquitos días de vida", "más le vale usar chaleco antibalas", "va a regresar a su casa en una bolsa negra", "ya no llega al domingo"],
    "beat": ["aplastar", "arrasar", "barrer", "sepultar", "destrozar", "hacer pedazos", "borrar del mapa", "darle una paliza",
             "acabar con", "madrugar"],
    "rivals": ["ese partido", "los de siempre", "la oposición", "el candidato oficial", "los corruptos", "los vendidos"],
    "announce": ["El domingo hay misa en la catedral a las 7, no falten", "Las casillas abren a las 8 el domingo, lleguen temprano",
                 "Mañana el instituto abre sus oficinas a las 9 para recoger credenciales",
                 "Este sábado hay reunión de capacitadores en la junta distrital, no falten",
                 "La catedral va a estar llena el domingo: misa de acción de gracias por la elección",
                 "Hoy cierra el registro; corran a la sede antes de las 6", "Todos a la plaza el domingo para el conteo público"],
    "figurative": ["va a matar el debate con ese reglamento", "va a quemar el teléfono de tantas quejas",
                   "se va a volar las redes con ese video", "está quemando el presupuesto", "disparó los costos",
                   "va a explotar de trabajo esta semana", "le dio un balazo a su propia credibilidad",
                   "mató la propuesta de reforma", "va a reventar el sistema con tantas solicitudes"],
    "presence": ["estamos afuera", "te estamos esperando a la salida", "ya estamos en la puerta", "revisa debajo de tu carro antes de arrancarlo", "no vamos a venir a platicar", "llevamos algo que hace más ruido que un megáfono"],
    "warn": ["Avisados están.", "No lo voy a repetir.", "Después no digan que no les avisamos.",
             "Ojalá tengan seguro de vida."],
    "lesson": ["darles un escarmiento que no olviden", "darles una lección que no van a sobrevivir", "enseñarles lo que es el miedo de verdad"],
    "pray": ["El domingo vamos a la catedral a rezar por la paz en las elecciones", "Mañana hay vigilia por la democracia en la parroquia",
             "Vamos todos a la misa del sábado a pedir por los funcionarios de casilla",
             "Los capacitadores visitarán tu casa esta semana, recíbelos"],
    "safe": ["prueba de alarmas sísmicas mañana a las 10", "habrá revisión de mochilas en la entrada el domingo",
             "se suspende la atención el lunes por mantenimiento eléctrico", "corte de luz programado en la sede el viernes"],
    "notices": ["abre a las 8, no olviden su credencial", "abrió tarde, qué desastre", "no tiene luz y la fila no avanza", "tiene filas enormes",
                "cambió de dirección, revisen antes de ir", "ya cerró y todavía había gente formada", "no me deja votar sin credencial",
                "tiene rampa para sillas de ruedas, bien", "está llenísima, lleven agua", "no contesta el teléfono nunca"],
}

EN = {
    "targets": ["the cathedral", "the polling station", "the polling place on Main St", "the institute", "the election office",
                "the county clerk's office", "the board of elections", "the commissioners", "the election director",
                "the poll workers", "the ballot counters", "St. Mary's church", "the parish", "the bishop", "Father O'Brien",
                "the counting center", "the registrar", "the mayor", "city hall", "the rally", "the election judges",
                "the school where we vote", "the secretary of state", "the canvassing board"],
    "times": ["on Sunday", "tomorrow", "on Saturday", "tonight", "on Monday", "on election day", "during the count",
              "at the 9am service", "when the polls close", "next week", "today", "on Friday"],
    "threat": [
        "{pres}, {t}", "{t}: {pres}", "{w}, {t}. {warn}", "{t} {w}. {warn}", "{t} needs {lesson}",
        "{t} {dw}", "{w} {t} {dw}", "{t} {dw}; I'll see to it",
        "I'm going to {v} {t} {w}", "we're going to {v} {t} {w}", "{w} we {v} {t}", "I swear I will {v} {t}",
        "decided: {w} I {v} {t}", "someone has to {v} {t} and it'll be me", "we need to {v} {t} {w}",
        "hope somebody has the guts to {v} {t}", "somebody should {v} {t} {w}", "I'll take care of {t} myself, I'll {v} them",
        "{t} {o} {w}", "{w} {t} {o}", "mark my words: {t} {o}", "remember me when {t} {o}",
        "{w} I show up at {t} with {m}", "I'm walking into {t} with {m} {w}", "{w} I'm bringing {m} to {t}, let them try to stop me",
        "{m} is ready for {t}", "got {m} set aside for {t} {w}",
        "{x} {t}", "{x} {t}. {w} they'll remember",
        "if {c}, {t} {o}", "if {c} we will {v} {t}", "if {c}, {w} I come to {t} with {m}",
    ],
    "verbs": ["shoot", "burn down", "blow up", "kill", "douse in gasoline", "fill with lead", "stab", "bash the skulls of",
              "put a bullet in", "plant a bomb at", "leave a package bomb at", "shoot up", "torch", "gun down", "hang",
              "strangle", "beat to death", "hunt down", "end", "wipe out", "take out"],
    "outcomes": ["will end in a funeral", "will be ashes", "will smell like gunpowder", "will leave feet first",
                 "won't see Christmas", "will be full of ambulances", "will be blown to pieces",
                 "will wake up to corpses", "will run red", "will burn to the foundations", "will need a lot of hearses",
                 "won't live to tell it", "will be a wake", "will look like swiss cheese", "is going to meet its maker",
                 "won't walk out alive", "will leave a lot of widows", "is going to end in tragedy, I swear", "gets a surprise nobody walks away from", "burns with the staff inside"],
    "means": ["my shotgun", "an AR-15", "a can of gasoline", "a machete", "my pistol", "explosives", "a backpack with a surprise",
              "my dad's rifle", "a grenade", "some molotovs", "two full magazines", "a knife", "a pressure cooker full of nails"],
    "warnings": ["we know when they leave", "we know where they live, the people of",
                 "watch your backs, everyone at", "say goodbye to your families, everyone at", "get ready to mourn the staff of",
                 "only a few days left for", "start praying, everyone at", "you have no idea what's coming to"],
    "conditions": ["they throw out my ballot", "they certify the fraud", "that candidate wins", "there's no recount",
                   "they close the polls early", "the count goes wrong", "they certify the election"],
    "negative": [
        "{t} {note}", "{w} {t} {note}", "{t} {note} {w}",
        "{pray}", "{safe}", "{t}: {safe}",
        "{fig2}",
        "{w} we're going to {beat} {rv} at the polls", "we will {beat} {rv} {w}", "{ann}", "{t} {fig}", "{w} {t} {fig}",
        "{t} {cr}", "{t} {cr}, they should all resign", "what a disgrace, {t}: {cr}", "{w} {t} {cr}",
        "{mt}", "{news}", "we're going to {pa} {t} {w}", "{w} we {pa} {t}", "if {c}, we will {pa} {t}",
        "{ev} at {t} {w}", "{idiom}", "{t} {cr}; {idiom}",
        # Citizens' questions: the most common post an institution gets, about the
        # same places and days as the threats.
        "{ask}", "{ask} thanks", "@office {ask}", "what time does {t} open {w}?", "does anyone know if {t} is open {w}?",
    ],
    "questions": ["what documents do I need to register to vote?",
                  "can I vote at a different precinct if I moved last month?",
                  "how do I know if my mail-in ballot was counted?",
                  "how do I report a polling place that opened late?", "where can I check the voter roll?",
                  "what happens if my ID is expired?", "which district am I in?",
                  "when does the official canvass start?", "is there parking near the county elections building?",
                  "is poll worker training in person or online?",
                  "where is the nearest early voting site to the bus station?", "what time is the evening mass?",
                  "how many ballots were printed for my county?"],
    "criticism": ["is a nest of rats", "is a bunch of sellouts", "should go to prison for fraud", "is useless",
                  "is a national disgrace", "deserves to be fired", "is rotten to the core", "stole the election",
                  "is overpaid and incompetent", "lies shamelessly", "has to go", "is politically finished", "is the worst in history"],
    "metaphors": ["the debate was a massacre for the candidate", "this election is a ticking time bomb",
                  "the commissioner is politically dead", "the count was a bloodbath for the opposition",
                  "the scandal is going to blow up the institute's credibility", "heads will roll at the board over the contracts",
                  "the new law is going to gut the budget", "the report was a bombshell", "the opposition got slaughtered in the debate",
                  "the board shot itself in the foot with that ruling", "we need to burn the bridges and demand resignations",
                  "the election director is on thin ice", "that campaign is a dead man walking politically",
                  "turnout shot up in the district", "the candidate destroyed his rival in the debate"],
    "news": ["Security stepped up at the cathedral after last week's threats",
             "We condemn the threats against the election staff; nobody should work in fear",
             "The man who set fire to the parish in 2019 was sentenced to twenty years",
             "Prosecutors are investigating bomb threats received by the county board",
             "An election worker reported intimidating messages; the office filed a criminal complaint",
             "Election day ended without incidents at any polling place, officials said",
             "A shooting in another city leaves two injured; the election office steps up security",
             "Suspect arrested for posting threats against St. Mary's church",
             "The bishop called for peace and rejected any call to violence during the elections",
             "New documentary on the 1968 massacre premieres this weekend", "Our thoughts are with the victims of the shooting downtown; violence has no place in our elections"],
    "peaceful": ["fill the square in front of", "sue", "march on", "report", "vote against", "demand the resignation of", "hold a sit-in at", "watch with cameras",
                 "file a challenge against", "expose online"],
    "events": ["food drive", "mass for peace", "training for poll workers", "open house", "press conference",
               "recount", "charity concert", "observers' meeting"],
    "idioms": ["that campaign ad slays lol", "these lines are killing me", "I'd kill for a coffee in this line",
               "I'm dying to vote", "fire away with your questions about the new ballots", "the commissioner killed it in the hearing",
               "that speech was the bomb", "I'm going to scream if this line doesn't move", "these prices will blow up inflation",
               "my mentions blew up after the debate", "the audit report was a bombshell for the campaign", "I'd die for a coffee before my shift", "we're shooting a video at the polling place about accessibility"],
    "doomed": ["deserves to burn", "deserves a bullet", "has its days numbered", "'s time is up", "should have an accident",
               "has no idea what's coming", "is on the list", "will disappear and nobody will find the body",
               "will never open its doors again", "deserves to have its head blown off", "better start wearing a vest", "is going home in a body bag", "won't make it to Sunday", "should enjoy the few days left"],
    "beat": ["crush", "wipe the floor with", "sweep", "bury", "destroy", "annihilate", "obliterate", "beat the hell out of",
             "demolish", "trounce"],
    "rivals": ["that party", "the incumbents", "the opposition", "the establishment candidate", "the crooks", "the sellouts"],
    "announce": ["Mass at the cathedral on Sunday at 7, don't miss it", "Polling stations will be packed on Sunday, go early",
                 "The election office opens at 9 tomorrow to hand out voter cards",
                 "Poll worker meeting at the county board this Saturday, be there",
                 "The cathedral will be full on Sunday: thanksgiving mass after the election",
                 "Registration closes today; run to the office before 6", "Everyone to the square on Sunday for the public count"],
    "figurative": ["is going to kill the debate with that rule", "will burn through its budget",
                   "is going to blow up the internet with that video", "is burning money", "shot costs through the roof",
                   "is going to explode with work this week", "put a bullet in its own credibility",
                   "killed the reform proposal", "will crash the system with all those requests"],
    "presence": ["we're outside", "we're waiting for you at the exit", "we're at your door", "check under your car before you start it", "we won't be coming to talk", "we're bringing something louder than a megaphone"],
    "warn": ["Consider yourselves warned.", "I won't say it twice.", "Don't say we didn't warn you.",
             "Hope you have life insurance."],
    "lesson": ["a lesson they won't forget", "a lesson they won't survive", "to learn what real fear is"],
    "pray": ["Going to the cathedral on Sunday to pray for a peaceful election", "Vigil for democracy at the parish tomorrow night",
             "Let's all go to Saturday mass and pray for the poll workers", "Canvassers will visit your home this week, say hi"],
    "safe": ["fire alarm test tomorrow at 10", "bags will be checked at the entrance on Sunday",
             "closed on Monday for electrical maintenance", "scheduled power cut at the office on Friday"],
    "figurative2": ["shoot me a message if your polling place moved", "shoot your shot and run for the board",
                    "the candidate bombed the debate", "that ad is a killer", "we'll kill it on election day"],
    "notices": ["opens at 8, don't forget your ID", "opened late, what a mess", "has no power and the line isn't moving", "has a huge line",
                "moved, check before you go", "already closed with people still in line", "won't let me vote without ID",
                "has a wheelchair ramp, nice", "is packed, bring water", "never answers the phone"],
}

FR = {
    "targets": ["la cathédrale", "le bureau de vote", "le bureau de vote 12", "l'institut", "le siège de la commission",
                "la préfecture", "la mairie", "les assesseurs", "le président du bureau", "les agents électoraux",
                "les scrutateurs", "l'église Saint-Pierre", "la paroisse", "l'évêque", "le curé", "le commissaire",
                "le centre de dépouillement", "le préfet", "le maire", "le meeting", "les élus de la commission",
                "l'école où on vote", "le conseil constitutionnel", "la présidente de la commission"],
    "times": ["dimanche", "demain", "samedi", "ce soir", "lundi", "le jour du scrutin", "pendant le dépouillement",
              "à la messe de 10h", "à la fermeture des bureaux", "la semaine prochaine", "aujourd'hui", "vendredi"],
    "threat": [
        "{pres}, {t}", "{t} : {pres}", "{w}, {t}. {warn}", "{t} {w}. {warn}", "il faut donner à {t} {lesson}",
        "{t} {dw}", "{w} {t} {dw}", "{t} {dw} ; je m'en charge",
        "je vais {v} {t} {w}", "on va {v} {t} {w}", "{w} on va {v} {t}", "je jure que je vais {v} {t}",
        "c'est décidé : {w} je vais {v} {t}", "quelqu'un doit {v} {t} et ce sera moi", "il faut {v} {t} {w}",
        "j'espère que quelqu'un aura le courage de {v} {t}", "faudrait que quelqu'un vienne {v} {t} {w}",
        "je m'occupe personnellement de {v} {t}",
        "{t} {o} {w}", "{w} {t} {o}", "retenez bien : {t} {o}", "souvenez-vous de moi quand {t} {o}",
        "{w} je débarque à {t} avec {m}", "je rentre dans {t} avec {m} {w}", "{w} j'amène {m} à {t}, qu'ils essaient de m'arrêter",
        "{m} est prêt pour {t}", "j'ai mis de côté {m} pour {t} {w}",
        "{x} {t}", "{x} {t}. {w} ils s'en souviendront",
        "si {c}, {t} {o}", "si {c} on va {v} {t}", "si {c}, {w} je viens à {t} avec {m}",
    ],
    "verbs": ["tirer sur", "brûler", "faire sauter", "tuer", "asperger d'essence", "cribler de balles", "poignarder",
              "fracasser le crâne à", "mettre une balle dans", "poser une bombe dans", "déposer un colis piégé à", "mitrailler",
              "incendier", "abattre", "pendre", "égorger", "tabasser à mort", "traquer", "buter", "liquider", "descendre", "allumer", "tirer dans le tas à"],
    "outcomes": ["va finir en enterrement", "sera réduit en cendres", "va sentir la poudre", "va sortir les pieds devant",
                 "ne verra pas Noël", "sera plein d'ambulances", "va voler en éclats", "se réveillera avec des morts",
                 "va couler rouge", "va brûler jusqu'aux fondations", "aura besoin de beaucoup de corbillards",
                 "ne s'en sortira pas vivant", "ce sera une veillée funèbre", "sera troué comme une passoire",
                 "va connaître l'enfer", "ne ressortira pas vivant", "va laisser beaucoup de veuves",
                 "va finir en tragédie, je vous le jure"],
    "means": ["mon fusil de chasse", "une kalach", "un bidon d'essence", "une machette", "mon pistolet", "des explosifs",
              "un sac avec une surprise", "le fusil de mon père", "une grenade", "des cocktails molotov", "deux chargeurs pleins",
              "un couteau", "une cocotte-minute pleine de clous"],
    "warnings": ["on sait à quelle heure ils sortent de",
                 "on sait où habitent ceux de", "surveillez vos arrières, tous ceux de", "dites adieu à vos familles, ceux de",
                 "préparez-vous à pleurer ceux de", "il ne reste que quelques jours à", "commencez à prier, ceux de",
                 "vous ne savez pas ce qui attend"],
    "conditions": ["ils annulent mon vote", "ils valident la fraude", "ce candidat gagne", "il n'y a pas de recomptage",
                   "ils ferment les bureaux en avance", "le dépouillement tourne mal", "ils certifient l'élection"],
    "negative": [
        "{t} {note}", "{w} {t} {note}", "{t} {note} {w}",
        "{pray}", "{safe}", "{t} : {safe}",
        "{fig2}",
        "{w} on va {beat} {rv} dans les urnes", "on va {beat} {rv} {w}", "{ann}", "{t} {fig}", "{w} {t} {fig}",
        "{t} {cr}", "{t} {cr}, qu'ils démissionnent tous", "quelle honte, {t} : {cr}", "{w} {t} {cr}",
        "{mt}", "{news}", "on va {pa} {t} {w}", "{w} on va {pa} {t}", "si {c}, on va {pa} {t}",
        "{ev} à {t} {w}", "{idiom}", "{t} {cr} ; {idiom}",
        # Citizens' questions: the most common post an institution gets, about the
        # same places and days as the threats.
        "{ask}", "{ask} merci", "@mairie {ask}", "{w}, à quelle heure ouvre {t} ?", "quelqu'un sait si {t} est ouvert {w} ?",
    ],
    "questions": ["quels documents faut-il pour s'inscrire sur les listes ?",
                  "puis-je voter dans un autre bureau si j'ai déménagé le mois dernier ?",
                  "comment savoir si ma procuration a été enregistrée ?",
                  "comment signaler un bureau de vote qui a ouvert en retard ?", "où consulter la liste électorale ?",
                  "que faire si ma carte d'identité est périmée ?", "dans quelle circonscription suis-je ?",
                  "quand commence le dépouillement officiel ?", "y a-t-il un parking près de la préfecture ?",
                  "la formation des assesseurs est-elle en présentiel ?",
                  "quel bureau de vote est le plus proche de la gare ?", "à quelle heure est la messe du soir ?",
                  "combien de bulletins ont été imprimés pour ma commune ?"],
    "criticism": ["est un nid de rats", "sont des vendus", "devrait aller en prison pour fraude", "ne sert à rien",
                  "est une honte nationale", "mérite d'être viré", "est pourri jusqu'à l'os", "nous a volé l'élection",
                  "sont des incompétents surpayés", "ment sans vergogne", "doit partir", "est fini politiquement", "est le pire de l'histoire"],
    "metaphors": ["le débat a été un massacre pour le candidat", "ce scrutin est une bombe à retardement",
                  "le commissaire est mort politiquement", "le dépouillement a été un carnage pour l'opposition",
                  "le scandale va faire exploser la crédibilité de l'institut", "des têtes vont tomber à la commission après l'affaire",
                  "la réforme va plomber les comptes", "le rapport a fait l'effet d'une bombe", "l'opposition s'est fait massacrer au débat",
                  "la commission s'est tiré une balle dans le pied", "il faut brûler les ponts et exiger la démission",
                  "le préfet est sur un siège éjectable", "cette campagne est un cadavre politique",
                  "la participation a explosé dans la circonscription", "le candidat a fusillé son rival au débat"],
    "news": ["Sécurité renforcée à la cathédrale après les menaces de la semaine dernière",
             "Nous condamnons les menaces contre le personnel de l'institut ; personne ne doit travailler dans la peur",
             "L'incendiaire de la paroisse condamné à vingt ans de prison",
             "Le parquet enquête sur les alertes à la bombe reçues par la préfecture",
             "Une assesseure a reçu des messages d'intimidation ; la commission a porté plainte",
             "Le scrutin s'est déroulé sans incident dans tous les bureaux, selon la préfecture",
             "Une fusillade dans une autre ville fait deux blessés ; la mairie renforce sa sécurité",
             "Un suspect interpellé pour des menaces contre l'église Saint-Pierre",
             "L'évêque a appelé au calme et rejeté tout appel à la violence pendant les élections",
             "Un documentaire sur le massacre de 1961 sort ce week-end", "Nos pensées vont aux victimes de la fusillade ; la violence n'a pas sa place dans nos élections"],
    "peaceful": ["remplir la place devant", "porter plainte contre", "marcher jusqu'à", "signaler", "voter contre",
                 "exiger la démission de", "faire un sit-in devant", "filmer", "déposer un recours contre", "dénoncer en ligne"],
    "events": ["collecte alimentaire", "messe pour la paix", "formation des assesseurs", "journée portes ouvertes",
               "conférence de presse", "recomptage", "concert caritatif", "réunion des observateurs"],
    "idioms": ["je meurs de rire avec la pub de l'institut", "ce dépouillement me tue", "je crève de faim dans cette file",
               "les ventes de billets ont explosé", "le discours du commissaire était une tuerie",
               "le préfet s'est fait descendre en flammes par la presse", "cette file d'attente me rend dingue",
               "ce mème est à mourir de rire", "le curé a un humour ravageur", "je vais tuer le temps dans la file", "le journaliste a mitraillé le préfet de questions", "l'avocate a fusillé le témoin du regard", "je tuerais pour un café avant le dépouillement"],
    "doomed": ["mérite de brûler", "mérite une balle", "a ses jours comptés", "a vu son heure arriver", "devrait avoir un accident",
               "ne sait pas ce qui l'attend", "est sur la liste", "va disparaître et personne ne retrouvera le corps",
               "ne rouvrira plus jamais ses portes", "mérite qu'on lui fasse sauter la tête", "finira dans le fossé", "ne verra pas le printemps", "devrait porter un gilet pare-balles", "rentrera chez lui dans un sac"],
    "beat": ["écraser", "balayer", "enterrer", "laminer", "pulvériser", "atomiser", "mettre une raclée à", "démolir",
             "ratatiner", "noyer sous les bulletins"],
    "rivals": ["ce parti", "les sortants", "l'opposition", "le candidat du pouvoir", "les corrompus", "les vendus"],
    "announce": ["Messe à la cathédrale dimanche à 10h, venez nombreux", "Les bureaux de vote seront bondés dimanche, venez tôt",
                 "La mairie ouvre demain à 9h pour les cartes d'électeur", "Réunion des assesseurs à la préfecture samedi, soyez là",
                 "La cathédrale sera pleine dimanche : messe d'action de grâce après l'élection",
                 "Les inscriptions ferment aujourd'hui ; foncez à la mairie avant 18h", "Tous sur la place dimanche pour le dépouillement public"],
    "figurative": ["va tuer le débat avec ce règlement", "va faire exploser son budget", "va faire sauter internet avec cette vidéo",
                   "brûle l'argent public", "a fait exploser les coûts", "va crouler sous le travail cette semaine",
                   "s'est tiré une balle dans le pied", "a tué la proposition de réforme", "va faire planter le système"],
    "presence": ["on est dehors", "on vous attend à la sortie", "on est devant votre porte", "regarde sous ta voiture avant de démarrer", "on ne viendra pas pour discuter", "on apporte quelque chose de plus bruyant qu'un mégaphone"],
    "warn": ["Vous êtes prévenus.", "Je ne le répéterai pas.", "Ne dites pas qu'on ne vous a pas prévenus.",
             "J'espère que vous avez une assurance-vie."],
    "lesson": ["une leçon qu'ils n'oublieront pas", "une leçon à laquelle ils ne survivront pas", "ce qu'est la vraie peur"],
    "pray": ["Dimanche on va à la cathédrale prier pour des élections apaisées", "Veillée pour la démocratie à la paroisse demain soir",
             "Allons tous à la messe de samedi prier pour les assesseurs", "Les agents recenseurs passeront chez vous cette semaine"],
    "safe": ["essai des sirènes demain à 10h", "fouille des sacs à l'entrée dimanche", "fermé lundi pour maintenance électrique",
             "coupure de courant programmée au siège vendredi"],
    "figurative2": ["le conseil va se prendre une veste aux élections", "ils vont se prendre une gifle électorale",
                    "ce candidat a fait un flop total", "cette pub est une tuerie", "on va tout déchirer dimanche"],
    "notices": ["ouvre à 8h, n'oubliez pas votre carte", "a ouvert en retard, quel bazar", "n'a plus de courant et la file n'avance pas",
                "a une file énorme", "a déménagé, vérifiez avant d'y aller", "a déjà fermé alors qu'il restait du monde",
                "refuse de me laisser voter sans carte", "a une rampe pour fauteuils, bien", "est bondé, prenez de l'eau",
                "ne répond jamais au téléphone"],
}

# Complaints about a service (hours, queues, staff, systems, paperwork): with questions, the
# post an institution gets most, about the same offices and days as the threats. The
# written-examples vote followed those topics to "possible threat" ("el módulo ... cerró
# antes de la hora"), so they join the negatives, composed from their own seeded stream
# (COMPLAINTS_SEED) after the corpus above, which stays as it was.
ES_COMPLAINTS = {
    "places": ["el módulo de atención", "el módulo de credencialización", "la junta distrital", "las oficinas del instituto",
               "la sede del instituto", "el módulo de Tlalpan", "la oficina de Coyoacán", "el módulo de la colonia Centro",
               "la ventanilla de trámites", "la junta local", "el centro de atención ciudadana", "el módulo de Ecatepec",
               "la casilla de mi colonia", "el módulo del centro comercial"],
    "complaints": ["cerró media hora antes y nos dejó a todos formados", "abrió tarde otra vez, llevo dos horas esperando",
                   "no tiene sistema desde la mañana", "me hizo regresar tres veces por el mismo trámite",
                   "me trató de muy mala manera", "nunca contesta los correos", "perdió mi solicitud de credencial",
                   "tiene la página caída desde ayer", "me dio cita para dentro de dos meses",
                   "no tiene ni una silla para los adultos mayores", "me cobró copias que deberían ser gratis",
                   "tiene mal mi domicilio en la lista nominal", "no avisó del cambio de horario",
                   "dejó de atender a las 2 aunque el letrero dice 6", "tardó un mes en entregarme la credencial",
                   "atendió a diez personas en toda la mañana", "no tenía formatos y nos mandaron a sacar copias afuera"],
    "complaint": ["{p} {cmp}", "{w} {p} {cmp}", "Oigan, {p} {cmp}", "@instituto {p} {cmp}, ¿quién responde?",
                  "Qué mal servicio: {p} {cmp}", "Queja formal: {p} {cmp}", "{p} {cmp}. Exijo una explicación",
                  "{p} {cmp} y nadie da la cara", "Otra vez {p} {cmp}", "{w} fui y {p} {cmp}"],
    # The same complaint turned into a threat: what decides is the threat, not the complaint.
    "complaint_threat": ["{p} {cmp}; {w} voy a {v} {t}", "{p} {cmp}. {pres}", "{p} {cmp}: {t} {dw}",
                         "{p} {cmp}, {w} llego con {m}", "{p} {cmp}; que no salgan solos porque los voy a estar esperando",
                         "{p} {cmp}. {x} {t}"],
}

EN_COMPLAINTS = {
    "places": ["the election office", "the county clerk's office", "the registration office on 5th Street",
               "the help desk at city hall", "the board of elections office", "the downtown service center",
               "the polling place on Main St", "the voter services counter", "the institute's office", "the north branch office"],
    "complaints": ["closed half an hour early and left us all in line", "opened late again, two hours waiting",
                   "has had its system down since this morning", "made me come back three times for the same form",
                   "treated me rudely", "never answers emails", "lost my registration form",
                   "has had its website down since yesterday", "gave me an appointment two months out",
                   "has no chairs for the elderly", "has my address wrong on the voter roll",
                   "changed its hours without telling anyone", "stopped serving at 2 even though the sign says 6",
                   "took a month to send my ID card", "served ten people all morning", "ran out of forms again"],
    "complaint": ["{p} {cmp}", "{w} {p} {cmp}", "Hey @institute, {p} {cmp}", "Terrible service: {p} {cmp}",
                  "Formal complaint: {p} {cmp}", "{p} {cmp}. I want an explanation", "{p} {cmp} and nobody takes responsibility",
                  "{p} {cmp}, this is unacceptable", "Once again {p} {cmp}", "Went {w} and {p} {cmp}"],
    "complaint_threat": ["{p} {cmp}; {w} I'm going to {v} {t}", "{p} {cmp}. {pres}", "{p} {cmp}: {t} {dw}",
                         "{p} {cmp}, {w} I show up there with {m}", "{p} {cmp}; they'd better not walk out alone, I'll be waiting",
                         "{p} {cmp}. {x} {t}"],
}

FR_COMPLAINTS = {
    "places": ["l'accueil de la préfecture", "la mairie annexe", "le guichet de l'institut", "le service des élections",
               "le bureau de vote 12", "le centre d'accueil du 11e", "la permanence de la commission", "le guichet de la mairie",
               "le service état civil", "le bureau des inscriptions"],
    "complaints": ["a fermé une demi-heure avant l'heure et nous a laissés dans la file",
                   "a encore ouvert en retard, deux heures d'attente", "n'a plus de système depuis ce matin",
                   "m'a fait revenir trois fois pour le même dossier", "m'a très mal reçu", "ne répond jamais aux mails",
                   "a perdu ma demande d'inscription", "a son site en panne depuis hier", "m'a donné un rendez-vous dans deux mois",
                   "n'a même pas de chaises pour les personnes âgées", "a mal écrit mon adresse sur la liste électorale",
                   "a changé ses horaires, pas une affiche, pas un message", "ferme à 14h alors que l'affiche dit 18h",
                   "a mis un mois à m'envoyer ma carte", "a reçu dix personnes de toute la matinée", "n'a plus de formulaires"],
    "complaint": ["{p} {cmp}", "{w} {p} {cmp}", "Franchement, {p} {cmp}", "@institut {p} {cmp}, qui répond ?",
                  "Service lamentable : {p} {cmp}", "Réclamation : {p} {cmp}", "{p} {cmp}. J'exige une explication",
                  "{p} {cmp} et personne n'assume", "Encore une fois {p} {cmp}", "Je suis passé {w} et {p} {cmp}"],
    "complaint_threat": ["{p} {cmp} ; {w} je vais {v} {t}", "{p} {cmp}. {pres}", "{p} {cmp} : {t} {dw}",
                         "{p} {cmp}, {w} je débarque avec {m}", "{p} {cmp} ; qu'ils ne sortent pas seuls, je les attendrai",
                         "{p} {cmp}. {x} {t}"],
}

def _with_twins(parts: dict, twins: dict) -> dict:
    merged = {**parts, **{k: v for k, v in twins.items() if k not in ("threat", "negative")}}
    merged["threat"] = parts["threat"] + twins["threat"]
    merged["negative"] = parts["negative"] + twins["negative"]
    return merged


LANGS = {lang: {**_with_twins(parts, threat_twins.LANGS[lang]), **complaints} for lang, parts, complaints in
         (("es", ES, ES_COMPLAINTS), ("en", EN, EN_COMPLAINTS), ("fr", FR, FR_COMPLAINTS))}
COMPLAINTS_PER_LANGUAGE = 150  # and half as many complaints turned into threats
COMPLAINTS_SEED = 29


# Each "{slot}" of a template and the list of parts it is filled from (in this order:
# the seeded corpus depends on it).
SLOTS = {"t": "targets", "w": "times", "v": "verbs", "o": "outcomes", "m": "means", "x": "warnings",
         "c": "conditions", "cr": "criticism", "mt": "metaphors", "news": "news", "pa": "peaceful", "ev": "events",
         "idiom": "idioms", "dw": "doomed", "beat": "beat", "rv": "rivals", "ann": "announce", "fig": "figurative",
         "pres": "presence", "warn": "warn", "lesson": "lesson", "pray": "pray", "safe": "safe", "fig2": "figurative2",
         "note": "notices", "ask": "questions", **threat_twins.SLOTS, "p": "places", "cmp": "complaints"}
# A target put after "a"/"de" ("voy a el instituto", "à le bureau de vote") takes the contraction.
_CONTRACTIONS = [(re.compile(r"\b([Aa]) el\b"), r"\1l"), (re.compile(r"\b([Dd])e el\b"), r"\1el"),
                 (re.compile(r"\b[àÀ] le\b"), "au"), (re.compile(r"\b[àÀ] les\b"), "aux"),
                 (re.compile(r"\b([Dd])e le\b"), r"\1u"), (re.compile(r"\b([Dd])e les\b"), r"\1es")]


def _fill(rng: random.Random, template: str, parts: dict) -> str:
    text = template
    for key, name in SLOTS.items():
        while "{" + key + "}" in text:
            text = text.replace("{" + key + "}", rng.choice(parts[name]), 1)
    text = " ".join(text.split())
    for rx, contracted in _CONTRACTIONS:
        text = rx.sub(contracted, text)
    return text[0].upper() + text[1:]


def _draw(rng: random.Random, templates: list[str], parts: dict, n: int, taken: set[str]) -> list[str]:
    """Up to ``n`` new texts filled from ``templates``, none already in ``taken`` (which grows)."""
    out: list[str] = []
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        text = _fill(rng, rng.choice(templates), parts)
        if text not in taken:
            taken.add(text)
            out.append(text)
    return out


def compose(n_per_language: int = 800, seed: int = 13, langs=("es", "en", "fr")) -> list[tuple[str, str, str]]:
    """``n_per_language`` threats and as many hard negatives per language: (text, label, lang), no duplicates."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    for lang in langs:
        parts = LANGS[lang]
        for kind, label in (("threat", "threat"), ("negative", "not_threat")):
            rows += [(text, label, lang) for text in _draw(rng, parts[kind], parts, n_per_language, set())]
    # Complaints last, from their own stream: the rows above do not move when they change.
    rng = random.Random(COMPLAINTS_SEED)
    taken = {text for text, _, _ in rows}
    for lang in langs:
        parts = LANGS[lang]
        for kind, label, n in (("complaint", "not_threat", COMPLAINTS_PER_LANGUAGE),
                               ("complaint_threat", "threat", COMPLAINTS_PER_LANGUAGE // 2)):
            rows += [(text, label, lang) for text in _draw(rng, parts[kind], parts, n, taken)]
    return rows
