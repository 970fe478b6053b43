"""Parse a generated 5 MB runbook file and print how long it took (the bound is 2 s).

    PYTHONPATH=src python benchmarks/runbooks_parse.py [--megabytes 5] [--limit 2.0]

The file repeats incidents with the same titles (renaming duplicates once made parsing
quadratic), an alert table, code blocks with prompts and output, and long prose lines.
Exit 1 when parsing takes longer than the limit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from drillbook.runbooks.parser import parse_file

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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.md"
        path.write_text(generate(args.megabytes), encoding="utf-8")
        size = path.stat().st_size
        start = time.perf_counter()
        doc = parse_file(path)
        took = time.perf_counter() - start
    steps = sum(len(r.steps) for r in doc.runbooks)
    print(
        f"parsed {size / 1e6:.1f} MB: {len(doc.runbooks)} incidents, {steps} steps "
        f"in {took:.2f} s (limit {args.limit:g} s)"
    )
    return 0 if took <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
