"""Two people meet through the web app, in a real Chromium: one reports a lost wallet, the other
the wallet they found; each sees the suggestion; the finder proves, the owner confirms, each
answer checks out; they talk through the platform and the finder shows their contact. And the
clone attack: someone copies a public report; the owner sees the unverified proof with a
warning and says no; the copier never sees the owner's contact.

Drives Debian's Chromium through its chromedriver (CHROMIUM, CHROMEDRIVER override the paths).
Screenshots of the main pages go to BROWSER_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select, update

from backend.common.db import make_engine
from backend.common.models import Custody
from backend.common.settings import ServiceSettings
from deployment.local.sample_data import PAIRS, photo_png
from tests.e2e.running import ADMIN_TOKEN, Stack

pytestmark = pytest.mark.integration

LOST, FOUND = PAIRS[0]
CLONED = PAIRS[1][0]  # another lost report, for the copy attack
CLONED_SECRET = "A sticker of a cat on the back of the case; lock screen is my dog"


def binary(variable: str, *names: str) -> str:
    for candidate in (os.environ.get(variable), *map(shutil.which, names)):
        if candidate and Path(candidate).exists():
            return candidate
    raise AssertionError(
        f"no {names[0]} found: install Debian's chromium and chromium-driver "
        f"(build-support/ci/ensure-browser.sh), or set {variable}"
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(
        tmp_path_factory.mktemp("web-stack"), database_url=None, broker_url=None, with_web=True
    )
    yield from running.serving()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def browser(profile: Path, downloads: Path | None = None) -> WebDriver:
    options = webdriver.ChromeOptions()
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {"download.default_directory": str(downloads), "download.prompt_for_download": False},
        )
    options.binary_location = binary("CHROMIUM", "chromium", "chromium-browser")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=390,844",  # a phone
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    service = Service(executable_path=binary("CHROMEDRIVER", "chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(0)
    return driver


def wait(driver: WebDriver, seconds: float = 30) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds, poll_frequency=0.2)


def type_into(driver: WebDriver, label: str, text: str) -> None:
    """Fill the control a label names, as a keyboard user would reach it."""
    control_id = (
        wait(driver)
        .until(
            seen.presence_of_element_located((By.XPATH, f"//label[normalize-space()='{label}']"))
        )
        .get_attribute("for")
    )
    control = driver.find_element(By.ID, control_id or "")
    control.clear()
    control.send_keys(text)


def register(
    driver: WebDriver, web: str, name: str, email: str, screens: Path | None = None
) -> None:
    driver.get(web)
    wait(driver).until(seen.visibility_of_element_located((By.ID, "name")))
    type_into(driver, "Your name", name)
    type_into(driver, "E-mail (optional)", email)
    driver.find_element(By.XPATH, "//button[.='Register']").click()
    # The token is shown once, with a way to keep it.
    token = wait(driver).until(seen.visibility_of_element_located((By.ID, "new-token")))
    assert len(token.get_attribute("value") or "") >= 40
    assert driver.find_element(By.XPATH, "//button[.='Copy token']").is_displayed()
    if screens is not None:
        driver.save_screenshot(str(screens / "0-token-shown-once.png"))
    driver.find_element(By.XPATH, "//button[.='Continue']").click()
    wait(driver).until(seen.visibility_of_element_located((By.ID, "title")))


def report(driver: WebDriver, kind: str, item: dict[str, object], photo: Path | None) -> None:
    driver.find_element(By.ID, f"kind-{kind}").click()
    type_into(driver, "What is it?", str(item["title"]))
    type_into(driver, "Description", str(item["description"]))
    type_into(driver, "Private details", str(item.get("private_details") or ""))
    type_into(driver, "Kind of item", str(item["category"] or ""))
    type_into(driver, "Colour", str(item["colour"] or ""))
    type_into(driver, "Place", str(item["place_name"]))
    type_into(driver, "Latitude", str(item["latitude"]))
    type_into(driver, "Longitude", str(item["longitude"]))
    type_into(driver, "Your contact", str(item["contact"]))
    if photo is not None:
        driver.find_element(By.ID, "photo").send_keys(str(photo))
    driver.find_element(By.XPATH, "//button[.='Send report']").click()


def suggestion(driver: WebDriver, count: int = 1) -> None:
    wait(driver, 180).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.match")) >= count)


def test_two_people_meet_through_the_pages(stack: Stack, screenshots: Path, tmp_path: Path) -> None:
    web = stack.url("web")
    photos = {}
    for kind, item, seed in (("lost", LOST, 1), ("found", FOUND, 2)):
        photos[kind] = tmp_path / f"{kind}.png"
        photos[kind].write_bytes(
            photo_png(item.photo_seed or 0, item.photo_colour, item.photo_turned, seed)
        )
    owner, finder = browser(tmp_path / "owner"), browser(tmp_path / "finder")
    try:
        register(owner, web, "Alice", "alice@example.org", screenshots)
        owner.save_screenshot(str(screenshots / "1-report-form.png"))
        report(owner, "lost", LOST.body("alice@example.org"), photos["lost"])
        wait(owner).until(seen.url_contains("#/items/"))

        register(finder, web, "Bob", "bob@example.org")
        report(finder, "found", FOUND.body("+31 6 0000 0001"), photos["found"])
        wait(finder).until(seen.url_contains("#/items/"))

        # Each sees the suggestion, with its reasons in words.
        suggestion(owner)
        suggestion(finder)
        reasons = owner.find_element(By.CSS_SELECTOR, "li.match .reasons").text
        assert "found" in reasons and ("km away" in reasons or "less than a kilometre" in reasons)
        owner.save_screenshot(str(screenshots / "2-suggested-match.png"))

        # The finder answers once; the owner says yes: both answers check out.
        type_into(finder, "Proof", "There is a red stripe inside, next to an ID card")
        finder.find_element(By.XPATH, "//button[.='Confirm with proof']").click()
        wait(finder).until(seen.text_to_be_present_in_element((By.ID, "status"), "Confirmed"))
        owner.refresh()
        wait(owner).until(
            seen.element_to_be_clickable((By.XPATH, '//button[.="Yes, that\'s mine"]'))
        ).click()
        # Agreed: they talk through the platform; no contact shows until its owner shares it.
        wait(owner).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".talk")))
        assert not owner.find_elements(By.CSS_SELECTOR, ".contact")
        type_into(owner, "Message", "Thank you! Can I pick it up tomorrow at 10?")
        owner.find_element(By.XPATH, "//button[.='Send message']").click()
        # Sent (the owner's page shows it), before the finder looks: a reload racing the send
        # read the messages before the message was stored.
        wait(owner).until(
            seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "tomorrow at 10")
        )
        finder.refresh()
        wait(finder).until(
            seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".messages"), "tomorrow at 10")
        )
        finder.find_element(By.XPATH, "//button[.='Show them my contact']").click()
        wait(owner, 30).until(
            seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".contact"), "+31 6 0000 0001")
        )
        owner.save_screenshot(str(screenshots / "3-agreed-talking.png"))
        finder.refresh()
        wait(finder).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".talk")))
        assert "alice@example.org" not in finder.page_source  # Alice did not share hers

        # My reports: the owner's list, by keyboard order the first link is the report.
        owner.get(f"{web}/#/mine")
        wait(owner).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".cards a")))
        assert owner.switch_to.active_element.tag_name == "h1"  # the page's heading has focus
        owner.save_screenshot(str(screenshots / "4-my-reports.png"))
    finally:
        owner.quit()
        finder.quit()


def test_a_copy_of_a_public_report_never_reaches_the_owner_s_contact(
    stack: Stack, screenshots: Path, tmp_path: Path
) -> None:
    web, api = stack.url("web"), stack.url("api")
    owner, copier = browser(tmp_path / "owner"), browser(tmp_path / "copier")
    lost = {**CLONED.body("carol@example.org"), "private_details": CLONED_SECRET}
    photo = tmp_path / "lost.png"
    photo.write_bytes(photo_png(CLONED.photo_seed or 0, CLONED.photo_colour, False, 5))
    try:
        register(owner, web, "Carol", "carol@example.org")
        report(owner, "lost", lost, photo)
        wait(owner).until(seen.url_contains("#/items/"))
        carols = owner.current_url.rsplit("/", 1)[-1]

        # Mallory reads what anyone can: the public view, and copies it as a find.
        public = httpx.get(f"{api}/items/{carols}").json()
        assert public["description"] is None and "private_details" not in public
        register(copier, web, "Mallory", "mallory@example.org")
        copy = {
            "title": public["title"],
            "description": f"Found: {public['title']} at {public['place_name']}",
            "category": public["category"],
            "colour": public["colour"],
            "place_name": public["place_name"],
            "latitude": public["latitude"],
            "longitude": public["longitude"],
            "contact": "mallory@example.org",
        }
        # The copier has no photo of it, and sends none: another object's photo would count
        # against the match (scoring's photo feature), an absent one says nothing.
        report(copier, "found", copy, None)
        wait(copier).until(seen.url_contains("#/items/"))
        suggestion(copier)
        type_into(
            copier, "Proof", f"A {public['colour']} {public['title']} from {public['place_name']}"
        )
        copier.find_element(By.XPATH, "//button[.='Confirm with proof']").click()
        wait(copier).until(seen.text_to_be_present_in_element((By.ID, "status"), "Confirmed"))

        # Carol says yes: that is not accepting the proof, which she sees with a warning.
        owner.refresh()
        wait(owner, 180).until(
            seen.element_to_be_clickable((By.XPATH, '//button[.="Yes, that\'s mine"]'))
        ).click()
        warning = wait(owner).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".check")))
        assert "could not match this proof" in warning.text
        assert "Accept this proof" in warning.text
        owner.save_screenshot(str(screenshots / "5-unverified-proof-warning.png"))
        owner.find_element(By.XPATH, '//button[.="No, that\'s not it"]').click()
        wait(owner).until(seen.text_to_be_present_in_element((By.ID, "status"), "Rejected"))

        copier.refresh()
        wait(copier).until(seen.visibility_of_element_located((By.CSS_SELECTOR, "li.match")))
        copier.save_screenshot(str(screenshots / "6-the-copier-s-view.png"))
        # Having answered, the copier read Carol's claim: it proves nothing in a next copy
        # (backend/api/tests/test_matches.py). What never reaches them is a way to her.
        assert "carol@example.org" not in copier.page_source
        assert "You or they said this is not it." in copier.page_source
        assert not copier.find_elements(By.CSS_SELECTOR, ".contact, .talk")
    finally:
        owner.quit()
        copier.quit()


def sign_in_with_token(driver: WebDriver, web: str, token: str) -> None:
    driver.get(f"{web}/#/account")
    wait(driver).until(seen.visibility_of_element_located((By.ID, "token")))
    type_into(driver, "Your token", token)
    driver.find_element(By.XPATH, "//button[.='Use this token']").click()
    wait(driver).until(seen.url_contains("#/mine"))


def click(driver: WebDriver, text: str) -> None:
    wait(driver).until(seen.element_to_be_clickable((By.XPATH, f'//button[.="{text}"]'))).click()


def status(driver: WebDriver, text: str, seconds: float = 30) -> None:
    wait(driver, seconds).until(seen.text_to_be_present_in_element((By.ID, "status"), text))


def register_at_the_counter(
    driver: WebDriver, web: str, fields: dict[str, str], photo: Path
) -> str:
    driver.get(f"{web}/#/desk")
    wait(driver).until(seen.visibility_of_element_located((By.ID, "shelf")))
    for label, text in fields.items():
        type_into(driver, label, text)
    driver.find_element(By.ID, "photo").send_keys(str(photo))
    click(driver, "Register and shelve")
    wait(driver).until(seen.url_contains("#/desk/items/"))
    status(driver, f"Registered on {fields['Shelf, bin or seal bag']}.")
    return driver.current_url.rsplit("/", 1)[-1]


def totals(driver: WebDriver) -> dict[str, int]:
    """The statistics table's monthly totals, summed: received, returned, disposed, held."""
    names = ["received", "returned", "disposed", "held"]
    summed = dict.fromkeys(names, 0)
    for row in driver.find_elements(By.CSS_SELECTOR, "table tr.total"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for name, cell in zip(names, cells[2:6], strict=True):
            summed[name] += int(cell)
    return summed


def shown_after_reloads(driver: WebDriver, css: str, seconds: float) -> None:
    """A page without a background refresh: reload it until `css` shows (matching runs in the
    background)."""
    deadline = time.monotonic() + seconds
    while not driver.find_elements(By.CSS_SELECTOR, css):
        assert time.monotonic() < deadline, f"{css} never showed"
        time.sleep(3)
        driver.refresh()
        time.sleep(0.5)


def move_the_clock(stack: Stack, item_id: str, days: int) -> None:
    """As if the item had been received `days` ago: its holding period moves back with it."""
    engine = make_engine(
        ServiceSettings(data_dir=stack.data_dir, database_url=stack.database_url or "").database_url
    )
    try:
        with engine.begin() as connection:
            held = connection.execute(
                select(Custody.held_since, Custody.keep_until).where(
                    Custody.item_id == uuid.UUID(item_id)
                )
            ).one()
            connection.execute(
                update(Custody)
                .where(Custody.item_id == uuid.UUID(item_id))
                .values(
                    held_since=held.held_since - timedelta(days=days),
                    keep_until=held.keep_until - timedelta(days=days),
                )
            )
    finally:
        engine.dispose()


def test_a_desk_runs_its_day_on_a_phone(stack: Stack, screenshots: Path, tmp_path: Path) -> None:
    """The manager adds a clerk. The clerk registers two finds with photos (one colour proposal
    accepted, one corrected) and shelves them; accepts a suggested match once the owner answered
    the control question; hands the item over. The manager reads its audit trail, sees the other
    on the expiry list once its holding period has passed, records its disposal, and sees the
    statistics move (chart, table, CSV), in Dutch."""
    web, api = stack.url("web"), stack.url("api")
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    office = httpx.post(
        f"{api}/offices", json={"name": "Centraal desk", "email": "desk@example.org"}, headers=admin
    ).json()
    olga = httpx.post(f"{api}/reporters", json={"name": "Olga", "email": "olga@example.org"}).json()
    olga_auth = {"Authorization": f"Bearer {olga['token']}"}
    lost = httpx.post(
        f"{api}/items",
        json={
            "kind": "lost",
            "title": "Red backpack",
            "description": "Red backpack with a laptop and a blue water bottle inside",
            "category": "backpack",
            "colour": "red",
            "place_name": "Amsterdam Centraal",
            "latitude": 52.3791,
            "longitude": 4.9003,
            "occurred_at": (datetime.now(UTC) - timedelta(hours=5)).isoformat(),
            "contact": "olga@example.org",
            "private_details": "A fox sticker on the laptop lid",
        },
        headers=olga_auth,
    ).json()
    photos = {"red": tmp_path / "red.png", "blue": tmp_path / "blue.png"}
    photos["red"].write_bytes(photo_png(3, (200, 30, 40), False, 11))
    photos["blue"].write_bytes(photo_png(4, (30, 60, 200), False, 12))

    desk, manager = browser(tmp_path / "clerk"), browser(
        tmp_path / "manager", tmp_path / "downloads"
    )
    try:
        # The manager adds a clerk; the clerk signs in at the counter with the token shown once.
        sign_in_with_token(manager, web, office["token"])
        manager.get(f"{web}/#/desk/staff")
        type_into(manager, "Name", "Kim")
        click(manager, "Add")
        status(manager, "Kim added.")
        clerk_token = manager.find_element(By.ID, "staff-token").get_attribute("value") or ""
        sign_in_with_token(desk, web, clerk_token)
        backpack = register_at_the_counter(
            desk,
            web,
            {
                "What is it?": "Red backpack",
                "Kind of item": "backpack",
                "Description": "Red backpack, a laptop and a blue bottle inside",
                "Private details": "Laptop with a fox sticker on the lid",
                "Found at": "Amsterdam Centraal, platform 5",
                "Shelf, bin or seal bag": "A-1",
            },
            photos["red"],
        )
        # The photo proposes the colour; the clerk accepts it.
        click(desk, "Use red")
        status(desk, "Colour saved: red.")
        desk.save_screenshot(str(screenshots / "desk-1-registered-colour-accepted.png"))

        umbrella = register_at_the_counter(
            desk,
            web,
            {
                "What is it?": "Umbrella",
                "Kind of item": "umbrella",
                "Found at": "Amsterdam Centraal, tram stop",
                "Shelf, bin or seal bag": "B-2",
            },
            photos["blue"],
        )
        # The photo says blue; the clerk sees a green one in hand and corrects it.
        wait(desk, 120).until(seen.visibility_of_element_located((By.ID, "other-colour")))
        assert "The photo looks blue." in desk.find_element(By.CSS_SELECTOR, ".proposal").text
        Select(desk.find_element(By.ID, "other-colour")).select_by_value("green")
        desk.save_screenshot(str(screenshots / "desk-2-colour-proposed.png"))
        click(desk, "Save colour")
        status(desk, "Colour saved: green.")

        # The review queue: the owner's report, suggested for the backpack.
        desk.get(f"{web}/#/desk/review")
        shown_after_reloads(desk, "li.match", seconds=180)
        assert "Red backpack ↔ Red backpack" in desk.find_element(By.CSS_SELECTOR, "li.match").text
        desk.save_screenshot(str(screenshots / "desk-3-review-queue.png"))
        desk.find_element(By.LINK_TEXT, "Open").click()
        wait(desk).until(seen.visibility_of_element_located((By.CSS_SELECTOR, "li.match form")))
        type_into(desk, "Proof", "A laptop with a fox sticker on its lid, and a blue bottle")
        click(desk, "Confirm with proof")
        status(desk, "Confirmed")
        # The owner answers the control question: what only she knows.
        [match] = httpx.get(f"{api}/items/{lost['id']}/matches", headers=olga_auth).json()
        confirmed = httpx.post(f"{api}/matches/{match['id']}/confirm", headers=olga_auth)
        assert confirmed.status_code == 200, confirmed.text
        desk.refresh()
        accept = desk.find_elements(By.XPATH, '//button[.="Yes, that describes the item I hold"]')
        if accept:  # the check could not verify her answer: the clerk reads it and accepts
            accept[0].click()
        wait(desk).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".talk")))
        desk.save_screenshot(str(screenshots / "desk-4-match-agreed.png"))

        # She comes to the counter: handed over, with her ID checked.
        desk.get(f"{web}/#/desk/items/{backpack}")
        type_into(desk, "Identity document checked", "Dutch passport")
        click(desk, "Record the hand-over")
        status(desk, "Handed over.")
        desk.save_screenshot(str(screenshots / "desk-5-handed-over.png"))
        assert (
            httpx.get(f"{api}/items/{lost['id']}", headers=olga_auth).json()["status"] == "returned"
        )

        # The manager reads the backpack's audit trail: who did what, in order.
        manager.get(f"{web}/#/desk/items/{backpack}")
        trail = wait(manager).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".trail")))
        steps = [line.split(" · ")[1] for line in trail.text.splitlines()]
        assert steps[:4] == [
            "registered",
            "changed",
            "put on the shelf",
            "changed",
        ]  # photo, colour
        assert "match accepted" in steps and steps[-1] == "handed over"
        assert "Kim" in trail.text  # who did it
        manager.execute_script("arguments[0].scrollIntoView()", trail)
        manager.save_screenshot(str(screenshots / "desk-6-audit-trail.png"))
        desk.get(f"{web}/#/desk/items/{backpack}")  # a clerk does not see the trail
        wait(desk).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".custody")))
        assert not desk.find_elements(By.CSS_SELECTOR, ".trail")

        # The statistics now: one returned, nothing disposed of yet.
        manager.get(f"{web}/#/desk/stats")
        chart = wait(manager).until(
            seen.visibility_of_element_located((By.CSS_SELECTOR, ".chart svg"))
        )
        before = chart.get_attribute("innerHTML")
        assert totals(manager)["disposed"] == 0 and totals(manager)["returned"] == 1

        # Three months and a bit later: the umbrella is on the expiry list; it goes to charity.
        manager.get(f"{web}/#/desk/held")
        status(manager, "may be disposed of: 0.")
        move_the_clock(stack, umbrella, days=100)
        click(manager, "Show")
        status(manager, "may be disposed of: 1.")
        manager.save_screenshot(str(screenshots / "desk-7-expiry-list.png"))
        manager.find_element(By.LINK_TEXT, "Umbrella").click()
        Select(
            wait(manager).until(seen.visibility_of_element_located((By.ID, "destination")))
        ).select_by_value("charity")
        click(manager, "Record the disposal")
        status(manager, "Disposal recorded.")
        manager.save_screenshot(str(screenshots / "desk-8-disposed.png"))

        # The chart moved: the disposal shows in its month. Then in Dutch, and as CSV.
        manager.get(f"{web}/#/desk/stats")
        chart = wait(manager).until(
            seen.visibility_of_element_located((By.CSS_SELECTOR, ".chart svg"))
        )
        assert chart.get_attribute("innerHTML") != before
        assert totals(manager)["disposed"] == 1 and totals(manager)["returned"] == 1
        Select(
            wait(manager).until(seen.visibility_of_element_located((By.ID, "language")))
        ).select_by_value("nl")
        wait(manager).until(seen.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Statistieken"))
        wait(manager).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".chart svg")))
        assert manager.find_elements(By.CSS_SELECTOR, ".chart .ct-bar")
        table = manager.find_element(By.TAG_NAME, "table").text
        assert "Teruggaveratio" in table and "Alle" in table
        manager.save_screenshot(str(screenshots / "desk-9-statistics-in-dutch.png"))
        click(manager, "CSV downloaden")
        downloaded = tmp_path / "downloads"
        wait(manager).until(lambda _: list(downloaded.glob("statistics-*.csv")))
        rows = list(csv.DictReader(next(downloaded.glob("statistics-*.csv")).open()))
        assert sum(int(row["returned"]) for row in rows if row["category"] == "(all)") == 1
        assert sum(int(row["disposed"]) for row in rows if row["category"] == "(all)") == 1
        # Dates the Dutch way on the item's page.
        manager.get(f"{web}/#/desk/items/{umbrella}")
        gone = wait(manager).until(
            seen.visibility_of_element_located((By.CSS_SELECTOR, ".custody"))
        )
        assert re.fullmatch(r"Afgevoerd op \d{1,2} [a-z]{3}\.? \d{4}\.", gone.text), gone.text
    finally:
        desk.quit()
        manager.quit()
