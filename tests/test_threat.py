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


def _suite(name):
    from lab.training import suite_file

    return list(csv.DictReader(suite_file(name).open(encoding="utf-8")))


def test_development_suite_recall_and_false_alarms():
    """150 posts written while the patterns were extended (es/en/fr, oblique forms, and
    idioms that borrow violent words): the patterns must keep what they catch."""
    rows = _suite("threat_suite_dev.csv")
    threats = [r["text"] for r in rows if r["label"] == "threat"]
    others = [r["text"] for r in rows if r["label"] == "not_threat"]
    missed = [t for t in threats if not match(t)]
    alarms = [t for t in others if match(t)]
    assert len(missed) <= 4, missed  # four oblique ones only the model may catch
    assert alarms == []


@pytest.mark.parametrize("text", [
    "Estos precios van a disparar la inflación", "Voy a quemar mis ahorros en vacaciones jaja",
    "This new policy will blow up in their faces", "On va faire exploser les records de participation dimanche!",
    "Hay que matar el fraude con votos, no con violencia", "La sede del instituto es un cementerio de ideas",
    "Condeno la amenaza de balacera contra la catedral",
])
def test_figures_of_speech_and_condemnations_are_not_threats(text):
    assert match(text) == []


@pytest.mark.parametrize("text", [
    "Al que me niegue la credencial le meto un plomazo",  # slang for a shot
    "Dimanche à la messe, ça va tirer dans la cathédrale",
    "Al vocal le quedan pocos días",  # death as a deadline
    "Count again and the whole board goes home in bags",
    "That priest better wear a vest on Sunday",
    "He threatened to shoot up the cathedral and I will finish the job",  # reported, then endorsed
    "I will make them victims of a bloodbath at the cathedral",  # news words inside a threat
    "They will get me arrested but I will burn the polling station",
])
def test_slang_deadlines_and_endorsed_threats(text):
    assert match(text), text


@pytest.mark.parametrize("text", [
    "Me voy a matar estudiando para la capacitación",  # working oneself to death
    "Je vais me tuer à la tâche pendant le dépouillement",
    "This ballot design is going to kill turnout",
    "Les résultats ont fait l'effet d'une bombe au siège du parti",
    "El consejero se disparó un tiro en el pie",
    "Shooting video at the polling station is not allowed",
    "Detuvieron al hombre que amenazó con quemar la iglesia",  # a reported threat beside an arrest is news
    "Our thoughts are with the victims of the church shooting",
])
def test_work_turnout_news_and_condolences_are_not_threats(text):
    assert match(text) == []


def test_a_last_sermon_needs_the_model_to_lean_the_same_way():
    from classifiers.threat import corroborated

    text = "We know where the registrar parks. Tell her to enjoy her last week"
    assert match(text) == ["last_time"]
    assert corroborated(text, 0.05) == [] and corroborated(text, 0.3) == ["last_time"]


# Forms found missing by the judged suites 13-19, each beside the harmless post that shares
# its words: the pattern must fire on the first and stay silent on the second.
@pytest.mark.parametrize("threat, harmless", [
    ("Los funcionarios que hagan trampa se van a ir con los pies por delante",
     "Los funcionarios que hagan trampa se van a ir a la cárcel"),
    ("Poll workers in Maricopa better say goodbye to their kids before Tuesday",
     "Poll workers in Maricopa, say hi to your kids for us, thanks for your work"),
    ("Les assesseurs de l'école Jules Ferry vont finir entre quatre planches",
     "Les assesseurs de l'école Jules Ferry vont finir tard ce soir"),
    ("La misa de las 12 en Catedral va a ser la más recordada de la historia 💣",
     "La misa de las 12 en Catedral va a ser la más recordada de la historia 🙏"),
    ("After that we start visiting homes, and we'll be armed", "We'll be armed with facts at the hearing"),
    ("the secretary of state should be dragged into the street and shot",
     "the clerk should be shot out of a cannon into the sea lmao"),
    ("Los observadores que se regresen a su país mientras puedan", "Los observadores se regresan a su país el lunes"),
    ("that reporter, we've got his route home mapped out", "that reporter's route home goes past the polling place"),
    ("we'll see who's laughing when we're outside your houses with torches", "Torchlight vigil at the cathedral tonight"),
    ("Tomorrow I'm driving my truck full speed into the voting line",
     "Driving my truck to take seniors to the polls tomorrow, DM if you need a ride"),
    ("On va mettre un petit quelque chose dans le café des assesseurs",
     "Les assesseurs nous ont offert du café toute la journée"),
    ("Vamos a ver cuánto aguanta la sede un bidón de diésel y un cerillo", "Subió otra vez el diésel, qué barbaridad"),
    ("we're grabbing a commissioner and trading him for a recount",
     "We condemn the kidnapping of an election official and demand his release"),
    ("El sacerdote que nos negó la misa va a aparecer en una bolsa", "El sacerdote va a aparecer en la misa del domingo"),
    ("Après le dépouillement, les agents du 9e vont quitter ce monde", "Après le dépouillement je pars en vacances"),
    ("Nice day to visit the poll trainers with a freshly sharpened machete", "Nice day to visit the poll trainers"),
    ("Hoy quemamos a los consejeros", "Hoy quemamos las naves: nos vamos todos a observar el cómputo"),
    ("Been sharpening my knife for three days thinking about the registrar", "Sharpening my knife skills in cooking class"),
    ("Hope they're all in the meeting when what we left under the table goes off",
     "The missing ballots scandal went off like a bomb in the council"),
    ("Fermez les portes de l'église dimanche, on ramène des chaînes et de l'essence",
     "Fermez bien l'église après la messe dimanche, on a volé dans le tronc"),
    ("Feligreses: este domingo recen desde su casa, por su bien", "Feligreses: este domingo recen por la paz, pidió el obispo"),
    ("Count the votes carefully on Sunday, because we'll be counting bodies", "Count the votes carefully, we'll be watching"),
    ("la prochaine fois on lui ferme la bouche pour de bon", "Le curé a parlé politique et la moitié de l'église est sortie"),
    ("El que publique los resultados antes de tiempo se va a quedar sin dedos",
     "Publicaron los resultados antes de tiempo, alguien se va a quedar sin chamba"),
    ("Tomorrow I go to the polling place to take justice into my own hands", "Tomorrow I go to the polling place at 7"),
    ("S'ils valident, le tribunal deviendra le nouveau Bataclan", "Hommage aux victimes du Bataclan, on n'oublie pas"),
])
def test_set_phrases_and_other_ways_to_kill(threat, harmless):
    assert match(threat), threat
    assert match(harmless) == [], harmless


@pytest.mark.parametrize("threat,harmless", [
    # Written for the patterns of suites 20-24's unpaged threats, not copied from the suites.
    ("A ese magistrado le vamos a regalar unos zapatos de cemento", "Le regalamos al magistrado unos zapatos de charol"),
    ("The treasurer is going swimming with cinder blocks if the audit comes out", "The treasurer went swimming after the audit"),
    ("Le maire finira au canal, des parpaings aux pieds", "Le maire a inauguré le canal, les pieds dans l'eau"),
    ("Al regidor le vamos a cortar la lengua por chismoso", "Al regidor se le trabó la lengua en la sesión"),
    ("Keep talking and we'll cut out your tongue, commissioner", "The commissioner bit her tongue during the hearing"),
    ("Le porte-parole, on va lui arracher la langue", "Le porte-parole a la langue bien pendue"),
    ("Si me vuelven a negar la credencial regreso con la escuadra", "Si me vuelven a negar la credencial regreso con mi abogado"),
    ("Next time I come back with my glock and we'll see who waits", "Next time I come back with my lawyer and we'll see who waits"),
    ("Quien toque esas urnas se gana un balazo", "Quien toque esas urnas sin gafete se gana una multa"),
    ("Whoever certifies that count gets a bullet", "Whoever certifies that count gets a medal from me"),
    ("Celui qui signe ce procès-verbal prend une balle", "Celui qui signe ce procès-verbal prend ses responsabilités"),
    ("Your office would look great in flames, councilwoman", "Your office would look great with new paint, councilwoman"),
    ("La mairie serait plus jolie en flammes", "La mairie est plus jolie illuminée"),
    ("Aquí desaparecen periodistas cada mes, una más no se nota", "Aquí desaparecen los baches cada año, y vuelven"),
    ("Dile a la jueza que piense cuánto quiere su carita", "Dile a la jueza que piense cuánto quiere al país"),
])
def test_mob_idioms_mutilation_armed_returns_and_conditional_bullets(threat, harmless):
    assert match(threat), threat
    assert match(harmless) == [], harmless


@pytest.mark.parametrize("text", [
    "Whoever writes the summary gets a bullet point", "El que falle se lleva un tiro penal",
    "Celui qui sert prend une balle de match", "La forêt sera en flammes cet été si rien ne change",
    "I will come back with my gun license tomorrow", "think about how much she likes her face cream",
])
def test_bullet_points_penalties_match_balls_wildfires_and_licences_are_not_threats(text):
    assert match(text) == [], text


@pytest.mark.parametrize("threat,harmless", [
    # Written for suite 27's unpaged poisoning (no verb before the poison), not copied from it.
    ("Cianuro en la cisterna de la junta distrital y que beban todos", "Cloro en la cisterna de la junta distrital y que beban todos tranquilos"),
    ("Some cyanide in the water tank at city hall and let them drink", "Some chlorine in the water tank at city hall and let them drink"),
    ("Du poison dans la citerne de la préfecture et qu'ils boivent", "Du poison dans la citerne ? Non, du chlore, la préfecture a rassuré"),
])
def test_poison_in_a_water_tank_without_a_verb(threat, harmless):
    assert "poison" in match(threat), threat
    assert match(harmless) == [], harmless


@pytest.mark.parametrize("text", [
    "Te voy a matar, vendido", "Los vamos a ir a quemar a su casa", "Voy a matarte si vuelves",
    "I'm gonna kill you, commissioner", "We'll shoot them at the gate", "I'd like to shoot him",
    "Je vais te buter", "On va les tuer", "je te tuerai",
])
def test_death_threats_addressed_to_someone(text):
    assert "kill_you" in match(text), text


@pytest.mark.parametrize("text", [
    "The steam will kill the virus", "Mom is going to kill me", "I will take you out for dinner",
    "Esa canción me va a matar", "On va tuer le temps au café", "We'll burn the midnight oil",
])
def test_other_kills_are_not_addressed_threats(text):
    assert "kill_you" not in match(text), text


@pytest.mark.parametrize("threat,harmless", [
    # Written for suite 28's explosives with no verb (README), not copied from it.
    ("Los sábados la fila del registro civil da la vuelta a la cuadra. Una bomba ahí y se acaba el trámite",
     "Los sábados la fila del registro civil da la vuelta a la cuadra. Encontraron una bomba ahí y evacuaron"),
    ("The rally fills the whole square. Just one grenade and the campaign is over",
     "Just one question and the campaign is over: who paid for the rally?"),
    ("Le marché de Noël devant la mairie est bondé. Une bombe là et on n'en parle plus",
     "Le marché de Noël devant la mairie est bondé. Il y avait une bombe là et les démineurs l'ont désamorcée hier"),
])
def test_an_explosive_placed_in_thought_with_no_verb(threat, harmless):
    assert "one_bomb_and" in match(threat), threat
    assert "one_bomb_and" not in match(harmless), harmless
