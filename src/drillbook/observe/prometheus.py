"""Prometheus and Alertmanager over their HTTP APIs, at the 127.0.0.1 ports the stack published.

What a drill asks of them: the alerts active now (`/api/v1/alerts`), the loaded rules
(`/api/v1/rules`: each alert's `for:` and its group's interval), the loaded configuration
(scrape and evaluation intervals; Alertmanager's group_wait), and a reload after a rules
file was swapped (`POST /-/reload`, which `--web.enable-lifecycle` allows).
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import httpx
import yaml

from drillbook.errors import DrillbookError
from drillbook.observe.alertrules import prometheus_duration
from drillbook.observe.alerts import ActiveAlert, AlertBound
from drillbook.observe.ruletest import Series

_TIMEOUT_S = 2.0


def _epoch(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 time as Prometheus writes it (ns precision)."""
    head, _, frac = text.rstrip("Z").partition(".")
    when = datetime.datetime.fromisoformat(head).replace(tzinfo=datetime.UTC)
    return when.timestamp() + (float("0." + frac.rstrip("0")) if frac.strip("0") else 0.0)


class Prometheus:
    """A Prometheus server at `url` (http://127.0.0.1:PORT)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=_TIMEOUT_S)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str) -> Any:
        response = self._http.get(path)
        response.raise_for_status()
        body = response.json()
        if body.get("status") != "success":
            raise DrillbookError(f"Prometheus {path}: {body.get('error', body)}")
        return body["data"]

    def active_alerts(self) -> tuple[ActiveAlert, ...]:
        """Alerts pending or firing now; `activeAt` read onto the monotonic clock."""
        offset = time.time() - time.monotonic()
        alerts = []
        for a in self._get("/api/v1/alerts")["alerts"]:
            active_at = _epoch(a["activeAt"]) - offset if a.get("activeAt") else None
            alerts.append(ActiveAlert(a["labels"]["alertname"], a["state"], active_at))
        return tuple(alerts)

    def rules(self) -> dict[str, tuple[float, float]]:
        """alert name -> (its `for:` in seconds, its group's evaluation interval)."""
        found: dict[str, tuple[float, float]] = {}
        for group in self._get("/api/v1/rules?type=alert")["groups"]:
            for rule in group["rules"]:
                found.setdefault(rule["name"], (float(rule["duration"]), float(group["interval"])))
        return found

    def intervals(self) -> tuple[float, float, float]:
        """The global scrape interval, evaluation interval and scrape timeout of the loaded
        configuration (Prometheus' defaults: 1m, 1m, 10s; a timeout never exceeds the
        interval)."""
        config = yaml.safe_load(self._get("/api/v1/status/config")["yaml"]) or {}
        glob = config.get("global") or {}
        scrape = prometheus_duration(str(glob.get("scrape_interval", "1m"))) or 60.0
        evaluation = prometheus_duration(str(glob.get("evaluation_interval", "1m"))) or 60.0
        timeout = prometheus_duration(str(glob.get("scrape_timeout", "10s"))) or 10.0
        return scrape, evaluation, min(timeout, scrape)

    def series(self, query: str, start: float, end: float) -> list[Series]:
        """Every series `query` selects from `start` to `end` (unix seconds), a sample a second."""
        response = self._http.get(
            "/api/v1/query_range", params={"query": query, "start": start, "end": end, "step": 1}
        )
        response.raise_for_status()
        return [
            Series(r["metric"], [(float(t), float(v)) for t, v in r["values"]])
            for r in response.json()["data"]["result"]
        ]

    def reload(self) -> None:
        response = self._http.post("/-/reload")
        if response.status_code != 200:
            raise DrillbookError(
                f"Prometheus refused to reload its rules ({response.status_code}): "
                f"{response.text.strip()[:300]}",
                "check the rules file with `promtool check rules`",
            )


def group_wait_s(alertmanager_url: str) -> float:
    """The root route's group_wait of the Alertmanager at `alertmanager_url`."""
    response = httpx.get(alertmanager_url + "/api/v2/status", timeout=_TIMEOUT_S)
    response.raise_for_status()
    config = yaml.safe_load(response.json()["config"]["original"]) or {}
    wait = prometheus_duration(str((config.get("route") or {}).get("group_wait", "30s")))
    return 30.0 if wait is None else wait


def alert_bound(prometheus: Prometheus, alertmanager_url: str, alert: str) -> AlertBound | None:
    """The bound of alert `alert` as the running servers are configured; None if no rule has it."""
    rule = prometheus.rules().get(alert)
    if rule is None:
        return None
    for_s, group_interval = rule
    scrape, _, timeout = prometheus.intervals()
    return AlertBound(
        scrape, group_interval, for_s, group_wait_s(alertmanager_url), timeout_s=timeout
    )
