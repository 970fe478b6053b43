"""Parse, lint and show a generated 5 MB runbook file and print how long each took (bound 2 s).

    PYTHONPATH=src python benchmarks/runbooks_parse.py [--megabytes 5] [--limit 2.0]
        [--only parse|lint|show]

`lint` and `show` are the CLI's own commands (`drillbook runbooks lint|show --json`) against
the reference stack, so they include the parse.

The file repeats incidents with the same titles (renaming duplicates once made parsing
quadratic), an alert table, code blocks with prompts and output, and long prose lines.
Exit 1 when parsing takes longer than the limit.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

from drillbook.cli import main as drillbook
from drillbook.runbooks.parser import parse_file

STACK = str(Path(__file__).resolve().parents[1] / "fixtures" / "stack.yaml")

INCIDENT = """
### {n}. Redis down
**Severity**: P1
**Symptoms**: cache misses, `RedisDown` alert firing since {n} minutes
**Immediate Actions**:
1. Restart: `docker compose restart redis`
2. Wait 30 seconds and verify: `redis-cli -h redis ping`
```console
$ docker compose logs --tail 50 redis
1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp
$ curl -fsS http://localhost:8000/ready
```
**Verify Recovery**:
- `curl -fsS http://localhost:8000/health` returns 200 for <service-name>
**Escalation**: after 15 minutes page the on-call engineer.
"""
HEADER = """# Platform runbook

| Alert | Severity | Runbook | MTTR Target |
| --- | --- | --- | --- |
| RedisDown | P1 | [Redis down](#redis-down) | 10 minutes |

| Severity | Response Time |
| --- | --- |
| P1 | 1 hour |

## Incidents
"""


def generate(megabytes: float) -> str:
    """Markdown of about `megabytes` MB: one header, then incidents until the size is reached."""
    parts = [HEADER]
    size, n = len(HEADER), 0
    while size < megabytes * 1_000_000:
        n += 1
        part = INCIDENT.format(n=n)
        parts.append(part)
        size += len(part)
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--limit", type=float, default=2.0, help="seconds allowed")
    parser.add_argument("--only", choices=("parse", "lint", "show"))
    args = parser.parse_args(argv)
    over = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.md"
        path.write_text(generate(args.megabytes), encoding="utf-8")
        size = path.stat().st_size
        for what in [args.only] if args.only else ["parse", "lint", "show"]:
            start = time.perf_counter()
            if what == "parse":
                doc = parse_file(path)
                steps = sum(len(r.steps) for r in doc.runbooks)
                detail = f"{len(doc.runbooks)} incidents, {steps} steps"
            else:
                verb = ["lint"] if what == "lint" else ["runbooks", "show", "--json"]
                with contextlib.redirect_stdout(io.StringIO()) as out:
                    drillbook([*verb, str(path), "--stack", STACK])
                detail = f"{len(out.getvalue()) / 1e6:.1f} MB of output"
            took = time.perf_counter() - start
            over = over or took > args.limit
            print(f"{what} {size / 1e6:.1f} MB: {took:.2f} s (limit {args.limit:g} s), {detail}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
