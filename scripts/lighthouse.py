"""Lighthouse's performance audit of the built pages, for the benchmark (``make bench``).

Lighthouse 12.8.2 (npm) runs with Debian's Chromium, the site served as GitHub Pages
serves it (gzip, ETags; :func:`scripts.serving.serve`), under the path of the address
the site was built for, so that its 404 page finds its files too. Mobile is
Lighthouse's default: a mid-range phone's screen (412 x 823), a slow 4G line and a
CPU four times slower, all simulated; desktop is its ``--preset=desktop``.

Lighthouse and each of its dependencies are pinned by ``scripts/npm/lighthouse/``
(``package.json`` and ``package-lock.json``, which carries every package's sha512)
and installed by ``npm ci``, which checks each download against the lock, into
``.cache/lighthouse-12.8.2-<lock hash>/`` (:func:`ensure_lighthouse`); a changed lock
installs afresh. Installing is the only step that needs the npm registry.

    python -m scripts.lighthouse URL [--desktop]     # the figures of one page, as JSON
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.serving import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
VERSION = "12.8.2"
PINNED = ROOT / "scripts" / "npm" / "lighthouse"  # package.json and package-lock.json
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
# Lighthouse's own names of the figures the benchmark keeps, and how they are reported.
AUDITS = {"largest-contentful-paint": "lcp_s", "cumulative-layout-shift": "cls", "first-contentful-paint": "fcp_s",
          "total-blocking-time": "tbt_s", "speed-index": "speed_index_s"}


class LighthouseError(RuntimeError):
    """Lighthouse could not be installed or could not audit a page; the message says why."""


def cache_root():
    return Path(os.environ.get("LIGHTHOUSE_CACHE") or ROOT / ".cache")


def _lock_hash():
    return hashlib.sha256(b"".join((PINNED / name).read_bytes()
                                   for name in ("package.json", "package-lock.json"))).hexdigest()


def ensure_lighthouse(log=print):
    """The path of Lighthouse's command-line script, installed by ``npm ci`` if need be.

    Each lock installs into its own folder, named by the lock's hash, which appears only
    once complete; installs of older locks are removed."""
    name = f"lighthouse-{VERSION}-{_lock_hash()[:12]}"
    folder = cache_root() / name
    script = folder / "node_modules" / "lighthouse" / "cli" / "index.js"
    if script.is_file():
        return script
    npm = shutil.which("npm")
    if npm is None:
        raise LighthouseError("installing Lighthouse needs npm: `apt-get install npm`")
    log(f"lighthouse: installing Lighthouse {VERSION} and its dependencies with npm ci (once)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=folder.parent))
    try:
        for file in ("package.json", "package-lock.json"):
            shutil.copy(PINNED / file, work / file)
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                              cwd=work, capture_output=True, text=True, timeout=900)
        if done.returncode:
            raise LighthouseError(f"npm ci failed: {(done.stderr or done.stdout).strip()[-1500:]}")
        installed = json.loads((work / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
        if installed != VERSION:
            raise LighthouseError(f"npm ci installed Lighthouse {installed}, not {VERSION}: "
                                  f"fix {PINNED.relative_to(ROOT)}/package-lock.json")
        shutil.rmtree(folder, ignore_errors=True)  # a folder without the script is a broken install
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for other in folder.parent.glob("lighthouse-*"):
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
    return script


def audit(url, desktop=False, chromium=CHROMIUM):
    """Lighthouse's performance figures for `url`: {"score" (0-100), "lcp_s", "cls", "fcp_s",
    "tbt_s", "speed_index_s", "lcp_element"}."""
    script = ensure_lighthouse()
    node = shutil.which("node")
    if node is None:
        raise LighthouseError("Lighthouse needs Node.js: `apt-get install nodejs` (`make vendor` does this)")
    command = [node, str(script), url, "--only-categories=performance", "--output=json", "--output-path=stdout",
               "--quiet", f"--chrome-flags={CHROME_FLAGS}"] + (["--preset=desktop"] if desktop else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, CHROME_PATH=chromium))
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise LighthouseError(f"Lighthouse did not audit {url} (exit {done.returncode}): "
                              f"{(done.stderr or done.stdout).strip()[-1500:]}") from None
    if report.get("runtimeError"):
        raise LighthouseError(f"Lighthouse could not audit {url}: {report['runtimeError'].get('message')}")
    score = report["categories"]["performance"]["score"]
    if score is None:
        raise LighthouseError(f"Lighthouse gave {url} no performance score: {report.get('runWarnings')}")
    audits = report["audits"]
    figures = {"score": round(score * 100)}
    for name, key in AUDITS.items():
        value = audits[name]["numericValue"]
        figures[key] = value if key == "cls" else value / 1000
    items = audits.get("largest-contentful-paint-element", {}).get("details", {}).get("items", [])
    nodes = [item["node"] for group in items for item in group.get("items", []) if "node" in item]
    figures["lcp_element"] = nodes[0].get("selector", "") if nodes else ""
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scripts.lighthouse", description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--desktop", action="store_true", help="Lighthouse's desktop preset instead of mobile")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(audit(args.url, args.desktop), indent=1))
    except LighthouseError as error:
        print(f"lighthouse: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
