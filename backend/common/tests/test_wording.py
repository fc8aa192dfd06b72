"""Report text as desks and people type it, read the same way as an owner's careful English:
desk codes, Dutch, misspellings, logos, a bag's contents, and the declared colour sets."""

from pathlib import Path

import pytest

from backend.common.taxonomy import load_taxonomy, taxonomy


def read(text: str) -> dict[str, list[str]]:
    vocabulary = taxonomy()
    rewritten = vocabulary.rewrite(text).text
    return {
        label: vocabulary.canonical(label, rewritten) for label in ("CATEGORY", "COLOUR", "BRAND")
    }


@pytest.mark.parametrize(
    ("written", "category", "colour"),
    [
        # desk shorthand: a category code and a colour code, no sentence
        ("TAS ZW gevonden perron 5", "bag", "black"),
        ("FTS blauw", "bicycle", "blue"),
        ("TEL SAMS zwart", "phone", "black"),
        # a Dutch desk
        ("Zwarte portemonnee gevonden bij de ingang", "wallet", "black"),
        ("sleutelbos met rode hanger", "keys", "red"),
        ("Blauwe rugzak aangetroffen in de trein", "backpack", "blue"),
        # misspelt, no capitals
        ("umbrela with woden handle, grene", "umbrella", "green"),
        ("fouund a blakc walet on the bus", "wallet", "black"),
        # what desks hold beyond bags and phones: instruments, medical aids, prams
        ("fouund a blak instrumnet case, zip broen", "musical instrument", "black"),
        ("Zwarte gitaarkoffer aangetroffen op perron 2", "guitar", "black"),
        ("Grijs hoorapparaat gevonden in de bus", "hearing aid", "grey"),
        ("blue buggy left at the entrance", "pushchair", "blue"),
        ("black D-lock left at the bike racks", "lock", "black"),
        ("Zwart kettingslot met twee sleutels", "lock", "black"),
        # a word a desk cuts short in capitals, read as the one word it can be: its start
        ("PORTEM ZW", "wallet", "black"),
        ("HOOFDTEL ZW", "headphones", "black"),
        ("KOPTEL WT", "headphones", "white"),
        ("ZONNEBR ZW", "glasses", "black"),
        ("GEHOORAPP GR", "hearing aid", "grey"),
        ("UMB RED", "umbrella", "red"),
        ("SUITC BLK", "suitcase", "black"),
        ("HANDB BRN", "handbag", "brown"),  # not "hand" (a correction's nearest word)
        ("BACKP GRN", "backpack", "green"),
        # or, without its vowels, most of its consonants in order
        ("WLT BLK", "wallet", "black"),
        ("BKPK GRN", "backpack", "green"),
        ("HDPHNS WHT", "headphones", "white"),
        ("HNDSCHN ZW", "gloves", "black"),
        ("SNGLSS BLK", "glasses", "black"),
        ("TRLLY GRY", "suitcase", "grey"),  # a double letter counts once
        ("LPTP SLVR", "laptop", "grey"),  # laptop fits best, not laptoptas (a laptop bag)
        ("BRCLT GLD", "bracelet", "gold"),  # three letters: an item's or colour's word only
        # or, with some of its vowels, most of its letters in order
        ("RUCKSK NAVY, BADGE ON FRONT, LAPTOP SLV EMPTY", "backpack", "blue"),  # not a laptop
        ("SLEUTLS ZW", "keys", "black"),
        ("UMBRLA BLK", "umbrella", "black"),
        # a register line: codes joined by a slash, each read alone
        ("UMB LRG GOLF WHT/BLU", "umbrella", "blue"),
        ("MOB BLK - CRACKED SCREEN", "phone", "black"),
        # a Belgian desk's words where a Dutch one writes others
        ("Rode valies, harde schaal", "suitcase", "red"),
        ("Donkerblauwe boekentas met schoolboeken", "backpack", "blue"),
        ("Beige hoortoestel, linkeroor", "hearing aid", "brown"),
        ("Groene regenscherm", "umbrella", "green"),
        ("Roze drinkbus met stickers", "bottle", "pink"),
        # kinds of object the taxonomy gained after forms.json's blind run
        ("Small blue portable speaker with clip", "speaker", "blue"),
        ("Grijze drone in draagtas", "drone", "grey"),
        ("Brown leather breifcase, brass clasp", "laptop bag", "brown"),
        ("Hearing aid, skin colour, left ear", "hearing aid", "brown"),
    ],
)
def test_what_a_desk_types_reads_as_an_owner_writes(
    written: str, category: str, colour: str
) -> None:
    meaning = read(written)
    assert meaning["CATEGORY"][:1] == [category], meaning
    assert colour in meaning["COLOUR"], meaning


def test_real_words_and_names_are_never_corrected() -> None:
    vocabulary = taxonomy()
    assert vocabulary.rewrite("black table lamp").text == "black table lamp"  # not "tablet"
    assert vocabulary.rewrite("Jan de Vries wallet").text == "Jan de Vries wallet"
    # A code counts in capitals only: "tel" in a sentence is not a phone.
    assert "phone" not in vocabulary.rewrite("please tel me if found").text


def test_a_dutch_compound_is_read_in_a_desks_shorthand_too() -> None:
    vocabulary = taxonomy()
    # Codes and one Dutch word: not Dutch enough to be read as Dutch, but the word is read.
    assert vocabulary.rewrite("KL BR, naamlabeltje").text == "clothing brown, name tag"
    # One half may be English, where the other is Dutch.
    assert vocabulary.rewrite("TEL BL, glitterhoesje").text == "phone blue, glitter case"
    assert vocabulary.rewrite("schoen met modder op linkerhak").text.endswith("left heel")
    # A diminutive is read as its word: bloemetjes -> bloem (flower), hoesje -> hoes (case).
    assert vocabulary.rewrite("telefoon, bloemetjeshoesje").text == "phone, flower case"
    # English words and names are never taken apart.
    for kept in ("a keyboard with a sticker", "found near Rotterdam by Hilversum"):
        assert vocabulary.rewrite(kept).text == kept


def test_a_diminutive_of_a_borrowed_word_is_that_word() -> None:
    """Dutch makes diminutives of English words too: "setje" is a set, not a misspelt "petje"
    (a cap), which read a desk's bike lights as a hat and kept them from their owner."""
    vocabulary = taxonomy()
    lights = read("Setje fietslampjes voor en achter, rood en wit, merk Knog.")
    assert lights["CATEGORY"] == ["bicycle"], lights
    assert vocabulary.rewrite("een tabletje in een hoesje").text == "a tablet in a case"
    assert vocabulary.rewrite("een petje gevonden").text == "a cap found"  # the glossary's own
    assert vocabulary.rewrite("zwarte tas van Antje").text.endswith(" Antje")  # a name, no ant
    assert vocabulary.rewrite("MARIJE").text == "MARIJE"  # nor in capitals, outside Dutch


def test_a_shortened_brand_is_its_name() -> None:
    assert read("ADID SCHOEN")["BRAND"] == ["adidas"]
    assert read("FJALL RUGZ GN")["BRAND"] == ["fjallraven"]
    assert read("TEL SAMS ZW")["BRAND"] == []  # samsung or samsonite


def test_capitals_that_are_words_names_or_two_things_stay_as_they_are() -> None:
    vocabulary = taxonomy()
    kept = [
        "LOST MY BLACK WALLET PLEASE HELP",  # English in capitals
        "FOUND BY CLEANER ON 7:42 TO LONDON",
        "EINDHOVEN SCHIPHOL PLAZA",  # names
        "KOFF",  # koffer or koffie
        "KLM",  # fits no word
        "TFL KPN BSN CRS",  # names: not trefoil (a logo), knopen, barsten, cameras
        "PTT GGD",  # nor pet or goud
    ]
    for text in kept:
        assert vocabulary.rewrite(text).text == text
    # Lower case is a reporter's word, never a desk's shortening: "portem" stays.
    assert vocabulary.rewrite("my portem is lost").text == "my portem is lost"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # The name on the card inside, in capitals or first: no coats, shoes or books.
        ("JANSEN - ZWARTE PORTEMONNEE", ["wallet"]),  # not "jassen", coats
        ("Janssen: zwarte portemonnee", ["wallet"]),
        ("SCHOUTEN, ZWARTE TAS", ["bag"]),  # not "schoen", a shoe
        ("VAN BEEK - ZWARTE PORTEMONNEE", ["wallet"]),  # not "boek", a book
    ],
)
def test_a_name_a_desk_writes_is_never_an_object(text: str, category: list[str]) -> None:
    assert read(text)["CATEGORY"] == category
    # A name that is a word still reads as that word: "GROEN" is green, whoever it names.
    assert read("GROEN - PORTEMONNEE")["COLOUR"] == ["green"]


def test_english_is_not_taken_for_dutch() -> None:
    vocabulary = taxonomy()
    assert not vocabulary.rewrite("Black wallet found at the station").dutch
    assert vocabulary.rewrite("Zwarte portemonnee gevonden bij de ingang").dutch
    # Nor taken apart into short words that happen to be Dutch: "tracks" and "uit" (from),
    # "in" and "die" (that), "pen" and "dent".
    for kept in ("Black Nike tracksuit top with hood.", "lipstick and a purse insdie"):
        assert not vocabulary.rewrite(kept).dutch
        assert " from " not in vocabulary.rewrite(kept).text
        assert " that" not in vocabulary.rewrite(kept).text
    assert "pen dent" not in vocabulary.rewrite("silver necklace with a moon pendent").text


def test_a_desks_dutch_of_nouns_run_together_is_read_as_dutch() -> None:
    """A desk writes Dutch as compounds and small words English has too ("met", "en"): the
    compounds say it is Dutch, so the small words are translated with the rest."""
    vocabulary = taxonomy()
    bag = vocabulary.rewrite("Donkerblauwe boekentas met schoolboeken en pennenzak")
    assert bag.dutch
    assert bag.text == "navy backpack with school book and pencil case"
    assert vocabulary.rewrite("Rode damesfiets, Gazelle").text == "red bike, Gazelle"
    # A diminutive of a glossary word: "lintje" is a ribbon, not the English "lin".
    assert "yellow ribbon" in vocabulary.rewrite("Rode valies, geel lintje aan het handvat").text


def test_a_logo_stands_for_its_brand() -> None:
    assert read("green brolly with a bitten apple logo")["BRAND"] == ["apple"]
    assert read("the swoosh logo trainers")["BRAND"] == ["nike"]
    # in a Dutch desk's words too
    assert read("Autosleutel met drie-puntige ster logo")["BRAND"] == ["mercedes"]
    assert read("Black parka, map patch on the sleeve")["BRAND"] == ["canada goose"]


def test_a_bag_reported_with_its_contents_names_each_of_them() -> None:
    assert read("Bag with laptop, keys and wallet")["CATEGORY"] == [
        "bag",
        "laptop",
        "keys",
        "wallet",
    ]


@pytest.mark.parametrize(
    ("shade", "colours"),
    [
        ("navy", ["blue", "black"]),
        ("donkerblauw", ["blue", "black"]),
        ("beige", ["brown", "white"]),
        ("charcoal", ["grey", "black"]),
        ("silver", ["grey"]),
        ("zwart", ["black"]),
        ("rose gold", ["pink", "gold"]),
        ("skin-coloured", ["brown", "white"]),  # a hearing aid, a plaster
        ("huidskleurig", ["brown", "white"]),
        ("copper", ["orange", "brown"]),
        ("bronze", ["brown", "gold"]),
        ("space grey", ["grey", "black"]),
    ],
)
def test_every_shade_means_one_colour_or_its_declared_set(shade: str, colours: list[str]) -> None:
    assert taxonomy().canonical("COLOUR", shade) == colours


def test_each_colour_phrase_keeps_its_own_colours() -> None:
    # What merged_attributes reads to tell the object's shade from a part's.
    assert taxonomy().phrases("COLOUR", "navy coat, silver zip") == [["black", "blue"], ["grey"]]
    assert taxonomy().canonical("COLOUR", "navy coat, silver zip") == ["black", "blue", "grey"]


def test_every_phrase_of_the_packaged_taxonomy_has_one_meaning_per_label() -> None:
    vocabulary = taxonomy()
    for phrase, meanings in vocabulary.index.items():
        labels = [label for label, _ in meanings]
        colour_values = [value for label, value in meanings if label == "COLOUR"]
        # a colour phrase may name a declared set; other labels one value each
        assert len(set(labels)) == len(labels) or colour_values, phrase


def test_a_phrase_given_two_meanings_on_two_rows_is_refused(tmp_path: Path) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_text(
        "label,canonical,broader,synonyms\n" "COLOUR,blue,,blue|navy\n" "COLOUR,black,,black|navy\n"
    )
    with pytest.raises(ValueError, match="navy.*line 2.*canonical: a\\|b"):
        load_taxonomy(terms)


def test_an_office_extends_the_codes_beside_its_own_terms(tmp_path: Path) -> None:
    (tmp_path / "terms.csv").write_text(
        "label,canonical,broader,synonyms\nCATEGORY,umbrella,,umbrella|brolly\n"
    )
    (tmp_path / "codes.csv").write_text("code,means,written\nPAR,umbrella,capitals\n")
    vocabulary = load_taxonomy(tmp_path / "terms.csv")
    assert vocabulary.canonical("CATEGORY", vocabulary.rewrite("PAR zwart").text) == ["umbrella"]
