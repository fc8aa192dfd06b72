"""Two people meet through the web app, in a real Chromium: one reports a lost wallet, the other
the wallet they found; each sees the suggestion; the finder proves, the owner confirms, each
answer checks out; they talk through the platform and the finder shows their contact. And the
clone attack: someone copies a public report; the owner sees the unverified proof with a
warning and says no; the copier never sees the owner's contact.

Drives Debian's Chromium through its chromedriver (CHROMIUM, CHROMEDRIVER override the paths).
Screenshots of the main pages go to BROWSER_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from deployment.local.sample_data import PAIRS, photo_png
from tests.e2e.running import Stack

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


def browser(profile: Path) -> WebDriver:
    options = webdriver.ChromeOptions()
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
    control_id = driver.find_element(
        By.XPATH, f"//label[normalize-space()='{label}']"
    ).get_attribute("for")
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
