"""Where the site is published: its address, and where that address comes from.

The address (mkdocs.yml's ``site_url``) starts every canonical link, the sitemap,
the feed, the pictures of the social cards and the 404 page's own URLs (that page
is served at whatever address was not found, so its links cannot be relative).
mkdocs.yml reads it from ``SITE_URL``; without it a build is *local*: its addresses
point at ``make serve``'s, and the build says so (:func:`describe_build`).

``make publish`` asks :func:`for_publishing` (``python -m scripts.site.site_address``
prints its answer): ``SITE_URL`` when it is set; otherwise the GitHub Pages address
of the ``origin`` remote when that is a GitHub repository, saying what it derived;
otherwise it stops and says how to give one.
"""

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

VARIABLE = "SITE_URL"
EXAMPLE = "https://OWNER.github.io/REPO/"
# The forms `git remote -v` shows for a GitHub repository: HTTPS, scp-like SSH and ssh:// URLs.
GITHUB_REMOTE = re.compile(r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
                           r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


class AddressError(ValueError):
    """No usable address to publish at; the message says how to give one."""


def checked(url):
    """`url` as the site's address: http(s), a host, no query or fragment, ending in "/"."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise AddressError(f"{VARIABLE}={url!r} is not a web address like {EXAMPLE} "
                           "(http or https, a host name, no ?query or #fragment)")
    return url.strip() if url.strip().endswith("/") else url.strip() + "/"


def from_remote(remote):
    """The GitHub Pages address of the repository at the git remote URL `remote`, or None
    when it is not a GitHub repository. A repository named OWNER.github.io is served from
    the root of that host; any other from /REPO/ under it."""
    match = GITHUB_REMOTE.match(remote.strip())
    if not match:
        return None
    host = f"{match['owner'].lower()}.github.io"
    return f"https://{host}/" if match["repo"].lower() == host else f"https://{host}/{match['repo']}/"


def origin_remote(cwd=None):
    """The URL of the `origin` remote of the repository at `cwd`, or None."""
    try:
        done = subprocess.run(["git", "remote", "get-url", "origin"], cwd=cwd, capture_output=True, text=True,
                              timeout=30)
    except OSError:
        return None
    if done.returncode:
        return None
    return done.stdout.strip() or None


def for_publishing(environ=None, remote=None):
    """(address, how it was found) for publishing; AddressError when there is none.

    `environ` defaults to the process environment, `remote` to the origin remote's URL."""
    environ = os.environ if environ is None else environ
    if environ.get(VARIABLE, "").strip():
        return checked(environ[VARIABLE]), f"from {VARIABLE}"
    remote = origin_remote() if remote is None else remote
    derived = from_remote(remote) if remote else None
    if derived is None:
        where = f"the origin remote ({remote}) is not a GitHub repository" if remote else "there is no origin remote"
        raise AddressError(f"publishing needs the site's address: {VARIABLE} is not set and {where}, "
                           f"so none can be derived. Give it like this: {VARIABLE}={EXAMPLE} make publish")
    return derived, (f"derived from the origin remote {remote} (GitHub Pages); to publish elsewhere, "
                     f"set {VARIABLE}")


def describe_build(site_url, environ=None):
    """One line saying whether a build is local or for publishing, and at which address."""
    environ = os.environ if environ is None else environ
    if environ.get(VARIABLE, "").strip():
        return f"building for {site_url}"
    return (f"local build: canonical links, the sitemap, the feed and the social cards point at {site_url}; "
            f"to build for publishing set {VARIABLE} ({VARIABLE}={EXAMPLE} make site), as `make publish` does")


def main():
    try:
        address, how = for_publishing()
    except AddressError as error:
        print(f"make publish: {error}", file=sys.stderr)
        return 1
    print(f"make publish: publishing at {address} ({how})", file=sys.stderr)
    print(address)
    return 0


if __name__ == "__main__":
    sys.exit(main())
