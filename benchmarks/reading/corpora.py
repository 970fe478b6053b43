"""Public runbook collections at a pinned commit, read straight from a bare git clone.

Their text is never copied into this repository: a label file names `repo` and `commit`, and
the clone lives in a cache directory (or wherever `--corpora` points).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "drillbook" / "corpora"
)


class CorpusError(Exception):
    """A collection that cannot be found or read at its commit."""


@dataclass(frozen=True)
class Collection:
    """One repository's files at one commit."""

    repo: str
    commit: str
    git_dir: Path

    def read(self, path: str) -> str:
        """The file's text at the commit (undecodable bytes replaced, as the reader would)."""
        done = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "show", f"{self.commit}:{path}"],
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise CorpusError(f"{self.repo}@{self.commit[:10]}: no file {path}")
        return done.stdout.decode("utf-8", errors="replace")

    def files(self, suffix: str = ".md") -> list[str]:
        done = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "ls-tree", "-r", "--name-only", self.commit],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise CorpusError(f"{self.repo}: commit {self.commit} is not in {self.git_dir}")
        return [p for p in done.stdout.splitlines() if p.endswith(suffix)]


def _bare_dirs(root: Path, repo: str) -> list[Path]:
    base = root / repo.replace("/", "+")
    candidates = [base.with_suffix(".git"), base]
    if base.is_dir():
        candidates.extend(sorted(base.iterdir()))
    return [c for c in candidates if (c / "objects").is_dir() and (c / "HEAD").exists()]


def open_collection(repo: str, commit: str, roots: list[Path]) -> Collection:
    """The collection from the first root that has its commit; cloned into the first if none."""
    for root in roots:
        for git_dir in _bare_dirs(root, repo):
            found = subprocess.run(
                ["git", "--git-dir", str(git_dir), "cat-file", "-e", f"{commit}^{{commit}}"],
                capture_output=True,
                check=False,
            )
            if found.returncode == 0:
                return Collection(repo, commit, git_dir)
    target = roots[0] / (repo.replace("/", "+") + ".git")
    done = subprocess.run(
        ["git", "clone", "--bare", "--quiet", f"https://github.com/{repo}", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CorpusError(
            f"{repo}: not under {', '.join(map(str, roots))} and cannot be cloned "
            f"({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'git failed'}); "
            "clone it there with `git clone --bare`"
        )
    return Collection(repo, commit, target)
