"""`report --format html|png|svg` on real repositories: a self-contained page
whose numbers are the JSON's, drawn by a real browser; the MTTR chart alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from hotfix_gates.cli import main
from hotfix_gates.reporting.page import value_at
from hotfix_gates.reporting.tables import num
from testing.fleet import NOW, make_fleet
from testing.repos import clean_env

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="Chromium is not installed (apt-get install chromium): the page is "
                            "not rendered in a browser here")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    make_fleet(root, repositories=3, records=14)
    return root


@pytest.fixture(scope="module")
def page(fleet: Path) -> tuple[str, dict[str, object]]:
    """The page and the JSON of the same report, made in one process each."""
    env = clean_env()
    names = sorted(p.name for p in fleet.iterdir())
    args = [sys.executable, "-m", "hotfix_gates.cli", "report", "--now", NOW, *names]
    html = subprocess.run([*args, "--format", "html"], cwd=fleet, env=env, capture_output=True,
                          text=True, check=True).stdout
    data = subprocess.run([*args, "--format", "json"], cwd=fleet, env=env, capture_output=True,
                          text=True, check=True).stdout
    loaded: dict[str, object] = json.loads(data)
    return html, loaded


class Marked(HTMLParser):
    """Every element with data-json: (pointer, value as JSON, text shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if "data-json" in found:
            self._open = [str(found["data-json"]), str(found["data-value"]), ""]

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == "span":
            self.found.append((self._open[0], self._open[1], self._open[2]))
            self._open = None


def keys(pointer: str) -> tuple[str | int, ...]:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def test_every_number_in_the_page_is_the_jsons(page: tuple[str, dict[str, object]]) -> None:
    html, data = page
    parser = Marked()
    parser.feed(html)
    assert len(parser.found) > 200
    for pointer, value, shown in parser.found:
        expected = value_at(data, keys(pointer))
        assert json.loads(value) == expected, pointer
        assert shown == num(expected), pointer
    marked = {pointer for pointer, _, _ in parser.found}
    for label in data["by_repository"]:  # type: ignore[attr-defined]
        assert f"/by_repository/{label}/count" in marked
    for group in ("P0", "P1", "P2", "unassessed"):
        assert f"/by_severity/{group}/mttr_minutes/mean" in marked
        assert f"/by_severity/{group}/post_mortems/overdue" in marked
    assert "/totals/waivers/count" in marked and "/mttr_by_month/0/mean" in marked


def test_the_page_is_self_contained(page: tuple[str, dict[str, object]]) -> None:
    html, _ = page
    parser = Marked()
    parser.feed(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert parser.tags.count("svg") == 6  # five charts, and the repositories compared
    assert not re.search(r'\b(?:src|href)\s*=\s*"(?!#)', html)
    assert not re.search(r"url\((?!#)", html) and "@import" not in html
    # The only addresses are XML namespace names, which nothing fetches.
    addresses = set(re.findall(r'"(https?://[^"]*)"', html))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # several charts inline, no id twice


def test_the_page_names_a_skipped_repository(fleet: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(fleet)
    out = tmp_path / "report.html"
    code = main(["report", "--now", NOW, "--format", "html", "-o", str(out), "checkout",
                 "nowhere"])
    assert code == 0
    html = out.read_text()
    assert '<div class="skipped" id="skipped"><h2>1 repository not read</h2>' in html
    assert "<strong>nowhere</strong> (<code>nowhere</code>): not a git repository" in html
    assert "skipped nowhere: not a git repository" in capsys.readouterr().err


def test_the_same_report_gives_the_same_page(fleet: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(fleet)
    for name in ("a", "b"):
        assert main(["report", "--now", NOW, "--format", "html", "-o", str(tmp_path / name),
                     "payments"]) == 0
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


def test_png_and_svg_of_the_main_chart(fleet: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(fleet / "checkout")
    assert main(["report", "--now", NOW, "--format", "png", "--output", str(tmp_path / "a.png")
                 ]) == 0
    assert main(["report", "--now", NOW, "--format", "png", "-o", str(tmp_path / "b.png")]) == 0
    png = (tmp_path / "a.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == (tmp_path / "b.png").read_bytes()
    with Image.open(tmp_path / "a.png") as image:
        assert image.size == (1350, 675)
    assert main(["report", "--now", NOW, "--format", "svg"]) == 0
    svg = capsys.readouterr().out
    assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
    assert "<metadata>" not in svg  # no date: the same report, the same bytes


def test_png_goes_to_a_pipe_but_not_to_a_terminal(fleet: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(fleet / "checkout")
    piped = subprocess.run([sys.executable, "-m", "hotfix_gates.cli", "report", "--now", NOW,
                            "--format", "png"], capture_output=True, env=clean_env(), check=True)
    assert piped.stdout.startswith(b"\x89PNG")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["report", "--now", NOW, "--format", "png"]) == 2
    assert capsys.readouterr().err == (
        "hotfix-gate: error: --format png writes binary data; add --output FILE.png or "
        "redirect standard output to a file\n")


@pytest.mark.parametrize("fmt", ["html", "png", "svg"])
def test_charts_without_matplotlib_are_one_line(fleet: Path, fmt: str,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(fleet / "checkout")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    assert main(["report", "--now", NOW, "--format", fmt]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("hotfix-gate: error: charts need matplotlib, which is not installed; "
                   "install it with pip install 'matplotlib>=3.8' (the report extra of "
                   "hotfix-gates)\n")


def test_hooks_and_other_formats_never_load_matplotlib(fleet: Path) -> None:
    probe = ("import sys\n"
             "import hotfix_gates.hooks.pre_push, hotfix_gates.hooks.commit_msg\n"
             "import hotfix_gates.hooks.pre_receive\n"
             "from hotfix_gates.cli import main\n"
             "for fmt in ('text', 'json', 'csv', 'markdown'):\n"
             "    assert main(['report', '--format', fmt]) == 0\n"
             "assert main(['status']) == 0\n"
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
             "('matplotlib', 'numpy', 'PIL'))\n"
             "assert not loaded, loaded\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=fleet / "checkout",
                            capture_output=True, text=True, env=clean_env())
    assert result.returncode == 0, result.stderr


# -- in a real browser ------------------------------------------------------------------


MEASURE = """<script>
document.title = JSON.stringify(Array.from(document.querySelectorAll("svg.chart"), svg => {
  const box = svg.getBoundingClientRect();
  return [box.left, box.top + window.scrollY, box.width, box.height];
}));
</script></body>"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, "HOME": str(tmp_path)})


@needs_browser
def test_chromium_draws_every_chart(page: tuple[str, dict[str, object]], tmp_path: Path) -> None:
    """The page in headless Chromium at 1280 px: each chart is laid out with
    a real size, and the screenshot has ink where each chart is."""
    html, _ = page
    # A copy of the page that writes where each chart landed into its title.
    measured = tmp_path / "measured.html"
    measured.write_text(html.replace("</body>", MEASURE, 1))
    dom = chromium(tmp_path, "--window-size=1280,900", "--dump-dom", measured.as_uri()).stdout
    found = re.search(r"<title>(.*?)</title>", dom)
    assert found is not None
    boxes = json.loads(found.group(1))
    assert len(boxes) == 6
    for left, _, width, height in boxes:
        assert left >= 0 and left + width <= 1280  # nothing wider than the window
        assert width > 400 and height > 150
    bottom = int(max(top + height for _, top, _, height in boxes)) + 20
    shot = tmp_path / "page.png"
    chromium(tmp_path, f"--window-size=1280,{bottom}", f"--screenshot={shot}",
             measured.as_uri())
    with Image.open(shot) as image:
        pixels = image.convert("RGB")
    for left, top, width, height in boxes:
        colours = colours_in(pixels, left, top, width, height)
        inked = sum(count for count, (r, g, b) in colours if max(r, g, b) < 200)
        assert inked > 0.01 * width * height  # axes, bars, lines and text
        assert len(colours) > 20  # drawn in several colours, anti-aliased
    # The MTTR chart (the first) draws P0 in vermillion (#D55E00).
    assert any(abs(r - 0xD5) < 12 and abs(g - 0x5E) < 12 and b < 20
               for _, (r, g, b) in colours_in(pixels, *boxes[0]))


def colours_in(pixels: Image.Image, left: float, top: float, width: float, height: float
               ) -> list[tuple[int, tuple[int, int, int]]]:
    """(count, colour) of every colour in a box of an RGB picture."""
    area = pixels.crop((int(left), int(top), int(left + width), int(top + height)))
    found = area.getcolors(maxcolors=1 << 22) or []
    return [(count, (int(c[0]), int(c[1]), int(c[2])))  # type: ignore[index]
            for count, c in found]


@needs_browser
def test_chromium_prints_the_page(page: tuple[str, dict[str, object]], tmp_path: Path) -> None:
    html, _ = page
    source = tmp_path / "page.html"
    source.write_text(html)
    pdf = tmp_path / "page.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
    pages = pdf.read_bytes().count(b"/Type /Page\n") + pdf.read_bytes().count(b"/Type /Page ")
    assert pdf.read_bytes().startswith(b"%PDF") and pages >= 3
