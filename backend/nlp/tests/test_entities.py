"""spaCy's English pipeline plus the domain terms: colour, brand, category, place."""

import csv
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.common.taxonomy import PACKAGED_TERMS, taxonomy
from backend.common.testing.recorded import recorded
from backend.nlp.server.models import entity_pipeline
from backend.nlp.server.settings import NlpSettings

pytestmark = pytest.mark.integration

# (text, expected colours, brands, categories, a place that must be found or None)
EXAMPLES = [
    (
        "Lost my black Samsung Galaxy phone at Amsterdam Centraal",
        {"black"},
        {"samsung"},
        {"phone"},
        "Amsterdam Centraal",
    ),
    (
        "Found a red Eastpak backpack near the Eiffel Tower",
        {"red"},
        {"eastpak"},
        {"backpack"},
        "the Eiffel Tower",
    ),
    ("iPhone with a cracked screen found in London", set(), {"apple"}, {"phone"}, "London"),
    (
        "Blue umbrella left on a bench in Central Park",
        {"blue"},
        set(),
        {"umbrella"},
        "Central Park",
    ),
    ("Gold Rolex watch lost in Geneva", {"gold"}, {"rolex"}, {"watch"}, "Geneva"),
    ("Found house keys on a green keyring in Berlin", {"green"}, set(), {"keys"}, "Berlin"),
    ("Brown leather wallet lost in Paris last Friday", {"brown"}, set(), {"wallet"}, "Paris"),
    (
        "Navy Nike jacket forgotten at the stadium in Madrid",
        {"blue"},
        {"nike"},
        {"coat"},
        "Madrid",
    ),
    (
        "Lost Ray-Ban sunglasses on the beach in Barcelona",
        set(),
        {"ray-ban"},
        {"glasses"},
        "Barcelona",
    ),
    ("Found white AirPods in a taxi in New York", {"white"}, {"apple"}, {"headphones"}, "New York"),
    ("Silver MacBook left on a train in Manchester", {"grey"}, {"apple"}, {"laptop"}, "Manchester"),
    ("Pink Kindle found at the library in Dublin", {"pink"}, {"kindle"}, {"tablet"}, "Dublin"),
    ("Lost a purple Gucci handbag in Milan", {"purple"}, {"gucci"}, {"handbag"}, "Milan"),
    (
        "Yellow LEGO toy lost at the airport in Copenhagen",
        {"yellow"},
        {"lego"},
        {"toy"},
        "Copenhagen",
    ),
    (
        "Found a grey North Face rucksack in Edinburgh",
        {"grey"},
        {"north face"},
        {"backpack"},
        "Edinburgh",
    ),
    ("My mobile in an orange case was lost in Rome", {"orange"}, set(), {"phone"}, "Rome"),
    ("Lost my passport at Heathrow", set(), set(), {"passport"}, "Heathrow"),
    # Brands a desk writes in the text, not in a brand field: read from the text.
    ("Black Bose headset left on the tram", {"black"}, {"bose"}, {"headphones"}, None),
    ("Found a grey Samsonite suitcase by gate D7", {"grey"}, {"samsonite"}, {"suitcase"}, None),
    ("Navy Canada Goose parka lost at the station", {"blue"}, {"canada goose"}, {"coat"}, None),
]


@pytest.fixture(scope="module")
def results(client: TestClient) -> list[dict]:
    response = client.post("/entities", json={"texts": [text for text, *_ in EXAMPLES]})
    assert response.status_code == 200, response.text
    body: list[dict] = response.json()["results"]
    assert len(body) == len(EXAMPLES)
    return body


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=[e[0][:30] for e in EXAMPLES])
def test_attributes_for_matching(results: list[dict], index: int) -> None:
    text, colours, brands, categories, place = EXAMPLES[index]
    attributes = results[index]["attributes"]

    assert colours <= set(attributes["colours"]), attributes
    assert brands <= set(attributes["brands"]), attributes
    assert categories <= set(attributes["categories"]), attributes
    if place:
        assert any(place in found or found in place for found in attributes["places"]), attributes


def test_entities_carry_offsets_into_the_text(results: list[dict]) -> None:
    for (text, *_), result in zip(EXAMPLES, results, strict=True):
        for entity in result["entities"]:
            assert text[entity["start"] : entity["end"]] == entity["text"]
            assert entity["label"]


def test_dates_are_extracted(client: TestClient) -> None:
    response = client.post("/entities", json={"texts": ["Lost on 3 March near the market"]})
    assert "3 March" in response.json()["results"][0]["attributes"]["dates"]


def test_the_terms_file_extends_the_vocabulary(tmp_path, settings) -> None:
    from backend.nlp.server.main import create_app

    terms = tmp_path / "terms.csv"
    terms.write_text(
        "label,canonical,broader,synonyms\nCATEGORY,scooter,,scooter|e-scooter|kick scooter\n"
    )
    custom = settings.model_copy(update={"taxonomy_file": terms})
    with TestClient(create_app(custom)) as client:
        response = client.post("/entities", json={"texts": ["Found a kick scooter"]})
    assert response.json()["results"][0]["attributes"]["categories"] == ["scooter"]


@pytest.fixture(scope="module")
def slim_pipeline() -> Any:
    """The service's pipeline (models.NOT_FOR_ENTITIES left out), loaded once for this module."""
    return entity_pipeline(NlpSettings().spacy_model, taxonomy())


def test_every_phrase_of_the_taxonomy_is_read_from_report_text(slim_pipeline: Any) -> None:
    """Each phrase as terms.csv writes it is found in a report's text with its meaning: a
    phrase the entity ruler splits otherwise than the taxonomy does ("h&m", "dr. martens"), or
    whose letters the taxonomy dropped ("fjällräven", "crème"), would never be read."""
    terms = taxonomy()
    with PACKAGED_TERMS.open(newline="", encoding="utf-8") as handle:
        written = [
            phrase.strip()
            for row in csv.DictReader(handle)
            for phrase in row["synonyms"].split("|")
        ]
    assert len(written) > 500
    unread = []
    texts = (f"Found a {phrase} at the desk" for phrase in written)
    for phrase, doc in zip(written, slim_pipeline.pipe(texts), strict=True):
        meanings = set(terms.meanings(phrase))
        ents = doc.ents
        if not any(
            e.text.lower() == phrase.lower() and (e.label_, e.ent_id_) in meanings for e in ents
        ):
            unread.append(phrase)
    assert not unread


def test_the_slim_pipeline_finds_the_entities_the_full_one_does(slim_pipeline: Any) -> None:
    """Only the entity ruler and the NER run (models.NOT_FOR_ENTITIES left out): on report texts
    of every kind the project holds, each entity is the same as with the whole pipeline."""
    texts = [
        *recorded("nlp_analyze")["request"]["texts"],
        *(text for text, *_ in EXAMPLES),
        "TAS ZW gevonden perron 5, Utrecht Centraal",
        "Zwarte portemonnee gevonden bij de ingang van het Rijksmuseum op 3 maart",
        "fouund a black instrument case near kings cross on monday, zip broen",
        "Left my navy North Face backpack on the 08:12 train from Leeds to York on 2 June 2026",
        "Found: iPhone 13, serial F2LXK3, in a Starbucks at Schiphol Plaza last night",
        "",
        "keys",
    ]
    slim = slim_pipeline
    full = entity_pipeline(NlpSettings().spacy_model, taxonomy(), exclude=[])

    assert slim.pipe_names == ["entity_ruler", "ner"]
    for text in texts:
        got = [(e.text, e.label_, e.start_char) for e in slim(text).ents]
        assert got == [(e.text, e.label_, e.start_char) for e in full(text).ents], text
