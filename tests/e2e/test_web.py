"""Two people meet through the web app, in a real Chromium: one reports a lost wallet, the other
the wallet they found; each sees the suggestion; both confirm; each sees the other's contact.

Drives Debian's Chromium through its chromedriver (CHROMIUM, CHROMEDRIVER override the paths).
Screenshots of the main pages go to BROWSER_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

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
    try:
        running.start()
        yield running
    finally:
        running.stop()


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


def register(driver: WebDriver, web: str, name: str, email: str) -> None:
    driver.get(web)
    wait(driver).until(seen.visibility_of_element_located((By.ID, "name")))
    type_into(driver, "Your name", name)
    type_into(driver, "E-mail (optional)", email)
    driver.find_element(By.XPATH, "//button[.='Register']").click()
    wait(driver).until(seen.visibility_of_element_located((By.ID, "title")))


def report(driver: WebDriver, kind: str, item: dict[str, object], photo: Path) -> None:
    driver.find_element(By.ID, f"kind-{kind}").click()
    type_into(driver, "What is it?", str(item["title"]))
    type_into(driver, "Description", str(item["description"]))
    type_into(driver, "Kind of item", str(item["category"] or ""))
    type_into(driver, "Colour", str(item["colour"] or ""))
    type_into(driver, "Place", str(item["place_name"]))
    type_into(driver, "Latitude", str(item["latitude"]))
    type_into(driver, "Longitude", str(item["longitude"]))
    type_into(driver, "Your contact", str(item["contact"]))
    driver.find_element(By.ID, "photo").send_keys(str(photo))
    driver.find_element(By.XPATH, "//button[.='Send report']").click()


def suggestion(driver: WebDriver) -> None:
    wait(driver, 180).until(seen.visibility_of_element_located((By.CSS_SELECTOR, "li.match")))


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
        register(owner, web, "Alice", "alice@example.org")
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

        # The finder confirms with a proof; the owner says yes: contacts change hands.
        type_into(finder, "Proof", "There is a red stripe inside, next to an ID card")
        finder.find_element(By.XPATH, "//button[.='Confirm with proof']").click()
        wait(finder).until(seen.text_to_be_present_in_element((By.ID, "status"), "Confirmed"))
        owner.refresh()
        wait(owner).until(
            seen.element_to_be_clickable((By.XPATH, '//button[.="Yes, that\'s mine"]'))
        ).click()
        wait(owner).until(
            seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".contact"), "+31 6 0000 0001")
        )
        owner.save_screenshot(str(screenshots / "3-contact-shared.png"))
        finder.refresh()
        wait(finder).until(
            seen.text_to_be_present_in_element((By.CSS_SELECTOR, ".contact"), "alice@example.org")
        )

        # My reports: the owner's list, by keyboard order the first link is the report.
        owner.get(f"{web}/#/mine")
        wait(owner).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".cards a")))
        assert owner.switch_to.active_element.tag_name == "h1"  # the page's heading has focus
        owner.save_screenshot(str(screenshots / "4-my-reports.png"))
    finally:
        owner.quit()
        finder.quit()
