"""Regression tests from drills: the series a drill really produced, as a `promtool test rules`
file that pins its alert's behaviour, so a rule change that would stop it firing fails fast,
without a stack:

    promtool test rules results/redis-down.alert-test.yml

The file replays, every second from a little before the fault, every series the alert's
expression reads (as Prometheus recorded them), and expects: no alert at the injection, and
the alert firing, with the labels it really had, a second after Prometheus fired it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on"}
_CLAUSE = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metric_names(expr: str) -> list[str]:
    """The metric names a PromQL expression reads (functions, keywords and labels left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)  # strings: label values, regexes
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # range and subquery windows
    text = _CLAUSE.sub(" ", text)  # grouping labels
    names = []
    for m in _NAME.finditer(text):
        rest = text[m.end() :].lstrip()
        if rest.startswith("(") or m.group().lower() in _KEYWORDS:
            continue  # a function or an aggregation
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue  # a unit or exponent of a number (1e3, 5m)
        if m.group() not in names:
            names.append(m.group())
    return names


@dataclass(frozen=True)
class Series:
    """One recorded series: its labels (with `__name__`) and (unix time, value) samples."""

    labels: Mapping[str, str]
    samples: Sequence[tuple[float, float]]

    def selector(self) -> str:
        name = self.labels.get("__name__", "")
        rest = ",".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()) if k != "__name__")
        return f"{name}{{{rest}}}" if rest else name

    def values(self, start: float, steps: int) -> str:
        """One value per second from `start`: the last sample at or before it, `_` for none."""
        out, samples, i, last = [], sorted(self.samples), 0, None
        for step in range(steps):
            t = start + step
            while i < len(samples) and samples[i][0] <= t + 1e-6:
                last, i = samples[i][1], i + 1
            out.append("_" if last is None else _number(last))
        return " ".join(out)


def _number(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Inf" if v > 0 else "-Inf"
    return f"{v:g}"


def rule_test(
    *,
    rule_files: Sequence[str],
    alert: str,
    series: Sequence[Series],
    start: float,
    injected: float,
    fired: float,
    labels: Mapping[str, str],
    end: float,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The promtool test (as YAML data): series replayed from `start` (unix seconds), the
    alert absent at `injected` and firing with `labels` (and the rule's `annotations`, which
    promtool compares too) a second after `fired`."""
    steps = int(end - start) + 1
    expected = {k: v for k, v in labels.items() if k not in ("__name__", "alertstate")}
    expected.pop("alertname", None)
    return {
        "rule_files": list(rule_files),
        "evaluation_interval": "1s",
        "tests": [
            {
                "interval": "1s",
                "input_series": [
                    {"series": s.selector(), "values": s.values(start, steps)} for s in series
                ],
                "alert_rule_test": [
                    {
                        "eval_time": f"{int(injected - start)}s",
                        "alertname": alert,
                        "exp_alerts": [],
                    },
                    {
                        "eval_time": f"{math.ceil(fired - start) + 1}s",
                        "alertname": alert,
                        "exp_alerts": [
                            {"exp_labels": expected, "exp_annotations": dict(annotations or {})}
                        ],
                    },
                ],
            }
        ],
    }
