"""The self-contained HTML report: no external assets or scripts, every case present, opens in Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chipid.conformance import write_html
from chipid.conformance.html import latency_chart_svg, render_html
from tests.conformance.test_conformance_junit import sample_result

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "action", "srcset", "data")]


def test_html_is_self_contained() -> None:
    page = render_html(sample_result())
    parser = _Collector()
    parser.feed(page)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert all(ref.startswith("#") for ref in parser.refs), parser.refs
    assert "@import" not in page and "url(" not in page
    assert page.count("<svg") == 1 and "<style>" in page


def test_html_content_escaped_and_complete() -> None:
    page = render_html(sample_result())
    for case_id in ("T-001", "T-002", "T-003", "T-004"):
        assert f'id="{case_id}"' in page and f'href="#{case_id}"' in page
    assert "Reader &lt;&amp;&gt; &quot;1&quot;" in page
    assert "chip answered 9000 &lt;expected 6A82&gt; &amp; more \ufffd" in page
    assert "\x01" not in page
    assert "Not conformant" in page
    assert "<details id=\"T-002\" open>" in page  # failures open, passes closed
    assert "<details id=\"T-001\">" in page
    assert "apdu latency p50" in page


def test_latency_chart_svg() -> None:
    svg = latency_chart_svg(sample_result().results)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 4 * 3 + 3  # three percentile bars per case + legend
    assert svg.count("<title>") == 4 * 3
    assert "No APDU" in latency_chart_svg(())


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    report = write_html(sample_result(), tmp_path / "report.html")
    png = tmp_path / "report.png"
    profile = tmp_path / "profile"
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1200,1600",
            f"--screenshot={png}", report.resolve().as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (1200, 1600)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # text, badges and the chart were drawn
    keep = os.environ.get("CHIPID_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)
