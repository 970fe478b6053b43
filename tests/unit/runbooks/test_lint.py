from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.runbooks.findings import Finding
from drillbook.runbooks.lint import lint_documents, lint_paths
from drillbook.runbooks.parser import parse_file, parse_text
from drillbook.stack.spec import StackSpec

from .conftest import REPO


def rules(findings: list[Finding]) -> set[tuple[int, str, str]]:
    return {(f.line, f.rule, f.severity) for f in findings}


def lint_text(text: str, spec: StackSpec) -> list[Finding]:
    return lint_documents([parse_text(text, "rb.md")], spec)


FRONT = "---\nid: x\nalert: RedisDown\nseverity: critical\nmttr: {mttr}\n---\n# X\n## Resolution\n"


def test_each_rule_fires_at_its_line(spec: StackSpec) -> None:
    body = "\n".join(
        [
            "```bash",  # 9
            "docker compose restart langgraph-api",  # 10: inferred name
            "docker compose restart data-pipeline",  # 11: unknown service
            "curl http://localhost:3000/metrics",  # 12: unknown port
            "curl https://api.example.com/v1/health",  # 13: outside
            'curl -H "Authorization: $KIRO_KEY" http://localhost:8000/health',  # 14
            "docker system prune -a",  # 15: destructive
            "kubectl delete pod <pod-name>",  # 16: placeholder
            "nano .env",  # 17: not executable
            "docker exec -it redis redis-cli FLUSHALL",  # 18: destructive
            "```",
            "Wait 5 minutes.",  # 20: longer than the 2 minute target
            "## Escalation",
            "Escalate after 10 minutes.",  # 22
        ]
    )
    found = rules(lint_text(FRONT.format(mttr="2m") + body, spec))
    assert found >= {
        (10, "inferred-name", "info"),
        (11, "unknown-service", "error"),
        (12, "unknown-port", "error"),
        (13, "url-outside-stack", "error"),
        (14, "unknown-env", "warning"),  # no stack variable is near: a value to supply
        (15, "destructive", "error"),
        (16, "placeholder", "error"),
        (17, "not-executable", "warning"),
        (18, "destructive", "warning"),  # in the drill's own Redis: run, damage measured
        (5, "mttr-too-short", "error"),
        (22, "mttr-too-short", "error"),
    }


def test_a_clean_runbook_has_no_findings(spec: StackSpec) -> None:
    body = "```bash\ndocker compose restart redis\n```\nWait 10 seconds.\n"
    assert lint_text(FRONT.format(mttr="1m") + body, spec) == []


def test_missing_mttr_and_alert(spec: StackSpec) -> None:
    found = rules(lint_text("# Broken\n### Resolution\n- `docker restart api`\n", spec))
    assert (1, "mttr-missing", "error") in found
    assert (1, "runbook-without-alert", "warning") in found


def test_alert_without_runbook_unless_another_file_has_it(spec: StackSpec) -> None:
    table = "| Alert | Severity | Runbook | MTTR Target |\n|--|--|--|--|\n"
    table += "| RedisDown | High | x | 5m |\n"
    alone = lint_documents([parse_text(table, "t.md")], spec)
    assert (3, "alert-without-runbook", "error") in rules(alone)
    runbook = parse_text(FRONT.format(mttr="5m"), "r.md")
    together = lint_documents([parse_text(table, "t.md"), runbook], spec)
    assert not [f for f in together if f.rule == "alert-without-runbook"]


def test_seed_runbooks_give_real_findings(spec: StackSpec, seeds: Path) -> None:
    start = time.process_time()  # CPU time: other processes' load does not count
    findings = lint_paths([seeds], spec)
    took = time.process_time() - start
    assert took < 5.0
    by_rule = Counter(f.rule for f in findings)
    at = {(Path(f.path).name, f.line, f.rule) for f in findings}
    assert ("obsidian-data-pipeline.md", 114, "destructive") in at  # docker system prune -a
    assert ("obsidian-data-pipeline.md", 12, "placeholder") in at  # admin/[PASSWORD]
    assert ("obsidian-data-pipeline.md", 57, "unknown-service") in at  # data-pipeline
    assert ("obsidian-data-pipeline.md", 58, "unknown-port") in at  # localhost:8003
    assert ("rag7-langgraph-api.md", 30, "placeholder") in at  # <pod-name>
    assert ("rag7-langgraph-api.md", 301, "unknown-env") in at  # $KIRO_AI_API_KEY
    assert ("rag7-langgraph-api.md", 301, "url-outside-stack") in at  # api.kiro.ai
    assert ("rag7-langgraph-api.md", 391, "destructive") in at  # sudo systemctl restart docker
    assert ("structured-prompt-service.md", 184, "destructive") in at  # redis-cli FLUSHDB
    assert ("structured-prompt-service.md", 11, "alert-without-runbook") in at  # RedisDown
    assert by_rule["alert-without-runbook"] == 9
    assert by_rule["mttr-missing"] >= 10
    assert by_rule["not-executable"] > 0


def test_our_runbooks_are_lint_clean(spec: StackSpec) -> None:
    runbooks = REPO / "runbooks"
    docs = [parse_file(p) for p in sorted(runbooks.glob("*.md"))]
    assert len(docs) == 16 and all(len(d.runbooks) == 1 for d in docs)
    used = {s for d in docs for r in d.runbooks for s in r.services}
    missing = used - set(spec.services)
    if missing:
        pytest.skip(f"the stack does not define {sorted(missing)} yet")
    assert [f.text() for f in lint_documents(docs, spec)] == []


def test_cli_exit_codes_and_json(
    seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = str(REPO / "fixtures" / "stack.yaml")
    assert main(["lint", str(seeds), "--stack", stack, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["files"] == 3 and out["findings"][0]["path"].endswith(".md")
    clean = tmp_path / "ok.md"
    clean.write_text(FRONT.format(mttr="1m") + "```bash\ndocker compose restart redis\n```\n")
    assert main(["lint", str(clean), "--stack", stack]) == 0
    assert main(["lint", str(tmp_path / "none.md"), "--stack", stack]) == 2
    assert main(["lint", str(clean), "--stack", str(tmp_path / "no-stack.yaml")]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["lint"])
    assert usage.value.code == 2


def test_urls_in_commands_use_the_runbooks_names(spec: StackSpec) -> None:
    front = FRONT.format(mttr="5m").replace("mttr: 5m", "mttr: 5m\nnames: {zorg: api}")
    body = "```bash\ncurl http://zorg:8000/health\n```\nSee http://zorg:8000/health.\n"
    found = rules(lint_text(front + body, spec))
    # The command (line 11) runs against api; the prose (line 13) belongs to no runbook's names.
    assert not {f for f in found if f[0] == 11}
    assert (13, "unknown-service", "warning") in found


def test_loop_variables_are_not_unknown_services(spec: StackSpec) -> None:
    body = "```bash\nfor s in api worker; do\n  docker restart $s\ndone\n```\n"
    found = rules(lint_text(FRONT.format(mttr="5m") + body, spec))
    assert not [f for f in found if f[1] == "unknown-service"]


FALSE_ALARMS = """---
id: checkout
alert: APIDown
mttr: 10m
---
# Checkout errors

See [Grafana][prod-grafana] first.

## Diagnosis

```console
$ docker compose exec postgres psql -U app -c "select 1"
(1 row)
> INFO replication ok
```

## Resolution

```bash
sudo docker compose restart api
```

[prod-grafana]: https://grafana.example.com/d/abc
"""


def test_what_a_runbook_writes_on_purpose_is_no_finding(spec: StackSpec) -> None:
    # A reference link is a link, a quoted line of output is output, sudo is a wrapper.
    findings = lint_documents([parse_text(FALSE_ALARMS, "checkout.md")], spec)
    assert [(f.line, f.rule) for f in findings if f.rule != "parse"] == []
    worse = FALSE_ALARMS.replace("sudo docker compose restart api", "sudo rm -rf /var/lib/redis")
    rules = [f.rule for f in lint_documents([parse_text(worse, "checkout.md")], spec)]
    assert "destructive" in rules
