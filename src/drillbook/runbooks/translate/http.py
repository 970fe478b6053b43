"""curl, aimed at a stack service by its name or by its port on localhost."""

from __future__ import annotations

from drillbook.runbooks.actions import Action, Http
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, options

CURL_OPTIONS = {"-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--json"} | {
    "-o",
    "--output",
    "-m",
    "--max-time",
    "-w",
    "--write-out",
    "-u",
    "--user",
    "--connect-timeout",
}


def curl(ctx: Context, part: SimpleCommand) -> list[Action]:
    """The `curl` program: one URL, method, headers, body, --fail."""
    o = options(part.argv[1:], CURL_OPTIONS)
    headers = [
        (name.strip(), value.strip())
        for name, _, value in (h.partition(":") for h in o.all("-H", "--header"))
    ]
    if (o.first("-o", "--output") or "/dev/null") != "/dev/null":
        raise Cannot("curl -o writes a file on the host", "host-file")
    if len(o.args) != 1:
        raise Cannot("curl needs exactly one URL", "syntax")
    target = ctx.names.resolve_url(o.args[0])
    if target.service is None:
        raise Cannot(target.reason, target.problem or "outside", [o.args[0]])
    body = o.first("-d", "--data", "--data-raw")
    if "--json" in o.values:
        body = o.values["--json"]
        headers.append(("Content-Type", "application/json"))
    method = o.first("-X", "--request") or ("POST" if body else "GET")
    fail = bool({"-f", "--fail"} & o.flags)
    return [Http(target.service, method.upper(), target.path, tuple(headers), body, fail)]
