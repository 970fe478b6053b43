"""The Debian mirror the base image is bootstrapped from: read from sample apt sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import DrillbookError
from drillbook.host.mirror import ENV, debian_mirror, read_sources

DEB822 = """\
Types: deb
# a snapshot the host used once
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
"""

ONE_LINE = """\
# the host's main archive
deb-src http://src.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/d.gpg] http://one.example.org/debian bookworm main nf
deb [ trusted=yes ] https://two.example.org/debian bookworm contrib   # no main
"""


def etc_apt(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "apt"
    (root / "sources.list.d").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_deb822_sources_give_the_bookworm_main_uri(tmp_path: Path) -> None:
    root = etc_apt(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert debian_mirror({}, root) == "http://mirror.example.org/debian"


def test_one_line_sources_skip_deb_src_and_options(tmp_path: Path) -> None:
    root = etc_apt(tmp_path, {"sources.list": ONE_LINE})
    assert debian_mirror({}, root) == "http://one.example.org/debian"
    entries = read_sources(root / "sources.list")
    assert [(s.uri, s.suites, s.components, s.where) for s in entries] == [
        (
            "http://one.example.org/debian",
            ("bookworm",),
            ("main", "nf"),
            f"{root / 'sources.list'}:3",
        ),
        (
            "https://two.example.org/debian",
            ("bookworm",),
            ("contrib",),
            f"{root / 'sources.list'}:4",
        ),
    ]


def test_sources_list_comes_before_sources_list_d(tmp_path: Path) -> None:
    root = etc_apt(tmp_path, {"sources.list": ONE_LINE, "sources.list.d/debian.sources": DEB822})
    assert debian_mirror({}, root) == "http://one.example.org/debian"


def test_the_environment_variable_overrides_the_host(tmp_path: Path) -> None:
    root = etc_apt(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert debian_mirror({ENV: "http://override.example.org/debian"}, root) == (
        "http://override.example.org/debian"
    )


def test_a_deb822_continuation_line_and_field_case(tmp_path: Path) -> None:
    text = (
        "types: deb\nuris: cdrom:[Debian]/\n  http://cont.example.org/debian\n"
        "suites: bookworm\ncomponents: main\n"
    )
    root = etc_apt(tmp_path, {"sources.list.d/x.sources": text})
    assert debian_mirror({}, root) == "http://cont.example.org/debian"  # cdrom: cannot serve


def test_disabled_entries_and_files_are_not_read(tmp_path: Path) -> None:
    disabled = DEB822.replace("Types: deb\n", "Types: deb\nEnabled: no\n", 1)
    root = etc_apt(
        tmp_path,
        {
            "sources.list.d/debian.sources": disabled,
            "sources.list.d/old.list.disabled": "deb http://old.example.org/debian bookworm main\n",
        },
    )
    with pytest.raises(DrillbookError) as err:
        debian_mirror({}, root)
    assert "debian.sources" in str(err.value) and "old.list.disabled" not in str(err.value)


def test_another_debian_release_is_taken_when_no_bookworm_entry_exists(tmp_path: Path) -> None:
    text = (
        "deb http://security.example.org/debian-security trixie-security main\n"
        "deb http://trixie.example.org/debian trixie main\n"
    )
    root = etc_apt(tmp_path, {"sources.list": text})
    assert debian_mirror({}, root) == "http://trixie.example.org/debian"


def test_no_debian_mirror_says_what_to_set(tmp_path: Path) -> None:
    root = etc_apt(
        tmp_path,
        {
            "sources.list.d/node.sources": (
                "Types: deb\nURIs: https://node.example.org/node_20.x\n"
                "Suites: nodistro\nComponents: main\n"
            ),
            "sources.list": "deb http://ubuntu.example.org/ubuntu noble main\n",
        },
    )
    with pytest.raises(DrillbookError) as err:
        debian_mirror({ENV: "  "}, root)
    text = str(err.value)
    assert ENV in text and "node.sources" in text and "sources.list" in text


def test_no_sources_at_all(tmp_path: Path) -> None:
    with pytest.raises(DrillbookError, match=f"(?s)no sources files under .*set {ENV}"):
        debian_mirror({}, tmp_path / "nothing")
