"""Remake docs/report.png, the README's picture of `report --format html`.

    .venv/bin/python docs/make_screenshot.py [--out docs/report.png] [--height 1700]

Generates six example repositories (testing/fleet.py: the same records on
every run), makes the page over all of them, and has headless Chromium take
a screenshot 1280 px wide of its top. Needs Chromium (`apt-get install
chromium`) and the `report` extra.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing.fleet import NOW, make_fleet  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "report.png"))
    parser.add_argument("--height", type=int, default=1700, help="pixels of the page to keep")
    args = parser.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("make_screenshot.py: Chromium is not installed; apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="hotfix-gates-example-") as tmp:
        root = Path(tmp)
        made = make_fleet(root / "services", repositories=6, records=30)
        page = root / "report.html"
        subprocess.run([sys.executable, "-m", "hotfix_gates.cli", "report", "--now", NOW,
                        "--since", "2025-01-01", "--format", "html", "--output", str(page),
                        *(str(path) for path in made)], check=True, cwd=ROOT)
        shot = root / "shot.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--hide-scrollbars",
                        "--force-device-scale-factor=1", f"--user-data-dir={root / 'profile'}",
                        f"--window-size=1280,{args.height}", f"--screenshot={shot}",
                        page.as_uri()], check=True, capture_output=True)
        from PIL import Image

        with Image.open(shot) as image:
            # A palette of 256 colours keeps the picture small in the repository.
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            small.save(args.out, optimize=True)
    print(f"{args.out}: the top {args.height} px of the example page", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
