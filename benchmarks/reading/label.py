"""A small labelling tool: show a collection's file with line numbers, check a label file.

python benchmarks/reading/label.py show owner/name COMMIT path/in/repo.md
python benchmarks/reading/label.py list owner/name COMMIT
python benchmarks/reading/label.py check benchmarks/reading/labels/NAME.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import DEFAULT_CACHE, CorpusError, open_collection
from labels import LabelError, load

_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_BOLD = re.compile(r"^\s*\*\*[^*]+\*\*\s*:?\s*$")


def show(text: str) -> str:
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        mark = "H" if _HEADING.match(line) else ("B" if _BOLD.match(line) else " ")
        out.append(f"{number:5} {mark} {line}")
    return "\n".join(out)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def check(path: Path, roots: list[Path]) -> list[str]:
    labels = load(path)
    collection = open_collection(labels.repo, labels.commit, roots)
    problems = []
    for labelled in labels.files:
        try:
            lines = collection.read(labelled.path).split("\n")
        except CorpusError as error:
            problems.append(str(error))
            continue
        for incident in labelled.incidents:
            where = f"{labelled.path}:{incident.line}"
            if not 1 <= incident.line <= len(lines):
                problems.append(f"{where}: line outside the file ({len(lines)} lines)")
                continue
            title = _words(incident.title)
            if title and not title & _words(lines[incident.line - 1]) and incident.line != 1:
                problems.append(f"{where}: title {incident.title!r} is not on that line")
            for line in incident.steps:
                if not 1 <= line <= len(lines):
                    problems.append(f"{where}: step line {line} outside the file")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--corpora", type=Path, action="append", help=f"default {DEFAULT_CACHE}")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("show")
    s.add_argument("repo")
    s.add_argument("commit")
    s.add_argument("path")
    ls = sub.add_parser("list")
    ls.add_argument("repo")
    ls.add_argument("commit")
    c = sub.add_parser("check")
    c.add_argument("labels", type=Path)
    args = parser.parse_args(argv)
    roots = args.corpora or [DEFAULT_CACHE]
    try:
        if args.command == "show":
            print(show(open_collection(args.repo, args.commit, roots).read(args.path)))
        elif args.command == "list":
            print("\n".join(open_collection(args.repo, args.commit, roots).files()))
        else:
            problems = check(args.labels, roots)
            print("\n".join(problems) or f"{args.labels}: ok")
            return 1 if problems else 0
    except (CorpusError, LabelError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
