"""The Debian mirror the base image is bootstrapped from: the one the host itself installs from.

Read from the host's apt sources, in both formats apt reads: one-line `.list` files
(`/etc/apt/sources.list`, `sources.list.d/*.list`) and deb822 `.sources` files. The `deb`
entry for bookworm's `main` component wins; failing that, one for another Debian release (a
Debian mirror carries them all). `DRILLBOOK_DEBIAN_MIRROR` overrides what the host says.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from drillbook.errors import DrillbookError

ENV = "DRILLBOOK_DEBIAN_MIRROR"
SUITE = "bookworm"
# Codenames and aliases of Debian releases whose mirror also serves bookworm.
DEBIAN_SUITES = frozenset(
    {"bullseye", "bookworm", "trixie", "forky", "duke", "sid", "stable", "testing", "unstable"}
)
# What debootstrap can fetch from (not cdrom:, mirror+file:, tor+http: and the like).
_SCHEMES = frozenset({"http", "https", "ftp", "file"})


@dataclass(frozen=True)
class Source:
    """One `deb` entry of the host's apt sources: a mirror, its suites and components."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    where: str  # file:line of the entry

    def serves(self, suite: str) -> bool:
        return suite in self.suites and "main" in self.components


def debian_mirror(environ: Mapping[str, str] = os.environ, etc_apt: Path = Path("/etc/apt")) -> str:
    """The mirror to bootstrap bookworm from: $DRILLBOOK_DEBIAN_MIRROR, else the host's own."""
    override = environ.get(ENV, "").strip()
    if override:
        return override
    files = source_files(etc_apt)
    sources = [s for path in files for s in read_sources(path)]
    chosen = choose(sources)
    if chosen is None:
        read = ", ".join(str(f) for f in files) or f"nothing, no sources files under {etc_apt}"
        raise DrillbookError(
            f"no Debian mirror with {SUITE} (or another Debian release) and its main component "
            f"in the host's apt sources (read: {read})",
            f"set {ENV} to the URL of a Debian mirror your machines may use",
        )
    return chosen.uri


def choose(sources: list[Source]) -> Source | None:
    """The bookworm `main` entry, else any Debian release's `main` entry, in file order."""
    for wanted in ([SUITE], sorted(DEBIAN_SUITES - {SUITE})):
        for source in sources:
            if any(source.serves(suite) for suite in wanted):
                return source
    return None


def source_files(etc_apt: Path) -> list[Path]:
    """The files apt reads its sources from, in apt's order (others, like `*.disabled`, not)."""
    main = etc_apt / "sources.list"
    parts = etc_apt / "sources.list.d"
    listed = sorted(p for p in parts.glob("*") if p.suffix in (".list", ".sources"))
    return [p for p in [main, *listed] if p.is_file()]


def read_sources(path: Path) -> list[Source]:
    """The usable `deb` entries of one sources file (deb822 if it ends in `.sources`)."""
    text = path.read_text(errors="replace")
    entries = _deb822(text, path) if path.suffix == ".sources" else _one_line(text, path)
    return [s for s in entries if urlsplit(s.uri).scheme in _SCHEMES]


def _one_line(text: str, path: Path) -> Iterator[Source]:
    # deb [ option=value ... ] uri suite [component ...]   (# starts a comment)
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words or words[0] != "deb":
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 2:
            yield Source(words[0], (words[1],), tuple(words[2:]), f"{path}:{number}")


def _deb822(text: str, path: Path) -> Iterator[Source]:
    for start, fields in _stanzas(text):
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").strip().lower() == "no":
            continue
        suites = tuple(fields.get("suites", "").split())
        components = tuple(fields.get("components", "").split())
        for uri in fields.get("uris", "").split():
            yield Source(uri, suites, components, f"{path}:{start}")


def _stanzas(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line, fields by lower-case name) of each paragraph; continuation lines joined."""
    fields: dict[str, str] = {}
    start = 0
    key = ""
    for number, line in enumerate([*text.splitlines(), ""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield start, fields
            fields, key = {}, ""
            continue
        if line[0] in " \t" and key:
            fields[key] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if sep:
            start = start if fields else number
            key = name.strip().lower()
            fields[key] = value.strip()
