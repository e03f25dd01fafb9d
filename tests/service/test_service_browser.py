"""The desk page in headless Chromium (Playwright driving Debian's /usr/bin/chromium; never a downloaded browser).

The page is served by ``chipid serve --sim`` in a subprocess and reads the virtual card through the real API.
The webcam is Chromium's fake capture device fed from a .y4m made here from a real photo in tests/data/faces,
and the virtual card carries another photo of the same person (or of someone else) as its DG2 portrait.
Screenshots are written to the test's tmp_path (kept by pytest as artifacts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chipid.sim.personalize import default_profile
from tests.conftest import DATA
from tests.service._photos import photo_card, y4m_from_photo
from tests.service.conftest import STRICT, Service, require

require("playwright")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FACES = DATA / "faces"
pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    if STRICT:
        pytest.fail("/usr/bin/chromium is missing: tests/run.sh installs Debian's chromium", pytrace=False)
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)


# ---------------------------------------------------------------------------------------------- helpers
def launch(playwright: Any, camera: Path | None = None) -> Browser:
    args = ["--no-sandbox"]
    if camera is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={camera}"]
    browser: Browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
    return browser


@pytest.fixture
def chromium() -> Iterator[Callable[..., Browser]]:
    with sync_playwright() as playwright:
        browsers: list[Browser] = []

        def factory(camera: Path | None = None) -> Browser:
            browser = launch(playwright, camera)
            browsers.append(browser)
            return browser

        yield factory
        for browser in browsers:
            browser.close()


def open_desk(browser: Browser, service: Service, *, lang: str = "vi") -> Page:
    """Open the printed link (token in the fragment) and wait until the page holds its session."""
    context = browser.new_context(viewport={"width": 1100, "height": 1000}, locale="vi-VN")
    context.add_init_script(f"localStorage.setItem('chipid.lang', '{lang}')")
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((service.base, "data:", "blob:"))
            and not r.url.startswith(service.base.replace("http", "ws", 1)) else None)
    page.outside_requests = outside  # type: ignore[attr-defined]
    page.goto(f"{service.base}/#token={service.token}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
    expect(page.locator("#conn")).to_have_class(re.compile(r"\bon\b"), timeout=10_000)
    return page


def read_card(page: Page, can: str) -> None:
    expect(page.locator("#reader-state")).to_have_class(re.compile(r"\bon\b"))  # the card is seen on the reader
    page.fill("#can", can)
    page.click("#read-btn")
    expect(page.locator("#result")).to_be_visible(timeout=30_000)


# ---------------------------------------------------------------------------------------------- tests
def test_desk_reads_the_virtual_card_in_vietnamese_and_english(sim_service: Service, chromium: Callable[..., Browser],
                                                               tmp_path: Path) -> None:
    profile = default_profile()
    page = open_desk(chromium(), sim_service, lang="vi")
    assert "token" not in page.url  # the fragment is dropped at once
    expect(page.locator("#prompt-text")).to_contain_text("Đã có thẻ trên đầu đọc")
    read_card(page, profile.can)

    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "GENUINE")
    expect(page.locator("#verdict-text")).to_have_text("THẺ THẬT")
    expect(page.locator("dd[data-field=full_name]")).to_have_text(profile.holder["full_name"])
    expect(page.locator("dd[data-field=date_of_birth]")).to_have_text("15/10/1980")  # dd/mm/yyyy in Vietnamese
    expect(page.locator("dd[data-field=sex]")).to_have_text("Nam")
    expect(page.locator("#portrait")).to_have_js_property("naturalWidth", 360)  # the chip portrait loaded
    page.locator("#reasons summary").click()
    expect(page.locator("#checks li.passed").first).to_contain_text("Đạt")
    expect(page.locator("#checks")).to_contain_text("Chữ ký số của SOD")
    page.screenshot(path=tmp_path / "desk-vi.png", full_page=True)

    page.click("#lang-en")
    expect(page.locator("#verdict-text")).to_have_text("GENUINE")
    expect(page.locator("dd[data-field=date_of_birth]")).to_have_text("15 Oct 1980")
    expect(page.locator("dd[data-field=sex]")).to_have_text("Male")
    expect(page.locator("#checks")).to_contain_text("SOD signature")
    expect(page.locator("#print-btn")).to_have_text("Print receipt")
    page.screenshot(path=tmp_path / "desk-en.png", full_page=True)

    page.emulate_media(media="print")  # the receipt: no buttons, no camera
    expect(page.locator("#print-btn")).to_be_hidden()
    expect(page.locator("#face-panel")).to_be_hidden()
    expect(page.locator(".receipt-foot")).to_be_visible()
    page.screenshot(path=tmp_path / "desk-print.png", full_page=True)
    page.emulate_media(media="screen")

    page.click("#new-btn")  # next customer: the read is wiped on the server
    expect(page.locator("#start")).to_be_visible()
    expect(page.locator("#result")).to_be_hidden()
    assert page.outside_requests == []  # type: ignore[attr-defined]  # every asset is served locally
    for name in ("desk-vi.png", "desk-en.png", "desk-print.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_desk_wrong_can_says_so_in_both_languages(sim_service: Service, chromium: Callable[..., Browser]) -> None:
    can = default_profile().can
    wrong = f"{(int(can) + 1) % 1_000_000:06d}"
    page = open_desk(chromium(), sim_service, lang="en")
    page.fill("#can", wrong)
    page.click("#read-btn")
    expect(page.locator("#read-error")).to_contain_text("Wrong CAN or MRZ details", timeout=30_000)
    expect(page.locator("#start")).to_be_visible()
    page.click("#lang-vi")
    page.fill("#can", "123")
    page.click("#read-btn")
    expect(page.locator("#form-error")).to_contain_text("6 chữ số")


def test_desk_without_the_token_asks_for_the_link(sim_service: Service, chromium: Callable[..., Browser]) -> None:
    page = chromium().new_page()
    page.goto(f"{sim_service.base}/")
    expect(page.locator("#login")).to_be_visible(timeout=10_000)
    expect(page.locator("#start")).to_be_hidden()


@pytest.mark.parametrize(("card_photo", "camera_photo", "outcome", "vi_text", "en_text"), [
    ("obama_1.jpg", "obama_2.jpg", "same", "CÙNG MỘT NGƯỜI", "SAME PERSON"),
    ("obama_1.jpg", "biden_2.jpg", "different", "KHÔNG PHẢI CÙNG MỘT NGƯỜI", "NOT THE SAME PERSON"),
])
def test_desk_webcam_face_match_with_the_fake_camera(
    serve: Callable[..., Service], chromium: Callable[..., Browser], tmp_path: Path,
    card_photo: str, camera_photo: str, outcome: str, vi_text: str, en_text: str,
) -> None:
    require("dlib")
    profile = photo_card(FACES / card_photo, tmp_path / "card")
    camera = y4m_from_photo(FACES / camera_photo, tmp_path / "camera.y4m")
    service = serve("--sim", str(tmp_path / "card"))
    page = open_desk(chromium(camera), service, lang="vi")
    read_card(page, profile.can)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "GENUINE")  # the re-signed card verifies
    # the chip portrait is JPEG 2000: the service converts it for the browser
    expect(page.locator("#portrait")).not_to_have_js_property("naturalWidth", 0, timeout=10_000)

    page.click("#camera-btn")
    expect(page.locator("#video")).to_have_attribute("data-playing", "true", timeout=15_000)
    expect(page.locator("#capture-btn")).to_be_enabled()
    page.wait_for_timeout(300)  # a few frames in
    page.click("#capture-btn")
    result = page.locator("#face-result")
    expect(result).to_have_attribute("data-outcome", outcome, timeout=60_000)
    expect(result).to_contain_text(vi_text)
    page.screenshot(path=tmp_path / f"desk-face-{outcome}-vi.png", full_page=True)
    page.click("#lang-en")
    expect(result).to_contain_text(en_text)
    page.screenshot(path=tmp_path / f"desk-face-{outcome}-en.png", full_page=True)


def test_desk_reads_with_the_mrz_fields(sim_service: Service, chromium: Callable[..., Browser]) -> None:
    profile = default_profile()
    page = open_desk(chromium(), sim_service, lang="en")
    page.click("#tab-mrz")
    page.fill("#mrz-id", profile.holder["id_number"])
    page.fill("#mrz-dob", profile.holder["date_of_birth"])  # <input type=date> takes yyyy-mm-dd
    page.fill("#mrz-doe", profile.holder["date_of_expiry"])
    page.click("#read-btn")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "GENUINE", timeout=30_000)
    expect(page.locator("dd[data-field=id_number]")).to_have_text(profile.holder["id_number"])


def test_desk_shows_a_forged_card_as_not_genuine(serve: Callable[..., Service], chromium: Callable[..., Browser],
                                                 tmp_path: Path) -> None:
    """DG13 edited after signing (a new name): the hash check fails, the banner is red, the reasons open."""
    from dataclasses import replace

    from chipid.lds.dg13_vn import encode_dg13, parse_dg13

    profile = default_profile()
    dg13 = parse_dg13(profile.files["DG13"])
    edited = replace(dg13, fields=tuple(replace(f, values=("Nguyễn Văn Giả",)) if f.number == 2 else f
                                        for f in dg13.fields))
    forged = profile.with_files(DG13=encode_dg13(edited))
    forged.save(tmp_path / "forged")
    service = serve("--sim", str(tmp_path / "forged"))
    page = open_desk(chromium(), service, lang="vi")
    read_card(page, profile.can)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "NOT_GENUINE")
    expect(page.locator("#verdict-text")).to_have_text("THẺ KHÔNG HỢP LỆ")
    expect(page.locator("#reasons")).to_have_attribute("open", "")  # opened by itself
    expect(page.locator("#checks li.failed")).to_contain_text("Giá trị băm DG13")
    page.screenshot(path=tmp_path / "desk-forged-vi.png", full_page=True)
    page.click("#lang-en")
    expect(page.locator("#verdict-text")).to_have_text("NOT GENUINE")
