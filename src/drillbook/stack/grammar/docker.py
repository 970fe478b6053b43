"""The docker CLI's options that take a value, where drillbook reads a docker line.

From `docker --help`, `docker exec --help` and `docker run --help` (Docker CLI 28): an option
missing here would be read as a flag and its value as the subcommand or the container.
"""

from __future__ import annotations

# `docker [OPTIONS] COMMAND`
GLOBAL_VALUED = frozenset(
    {"-H", "--host", "-c", "--context", "--config", "-l", "--log-level"}
    | {"--tlscacert", "--tlscert", "--tlskey"}
)
# `docker exec [OPTIONS] CONTAINER COMMAND [ARG...]`
EXEC_VALUED = frozenset(
    {"-u", "--user", "-w", "--workdir", "-e", "--env", "--env-file", "--detach-keys"}
)
# `docker run [OPTIONS] IMAGE [COMMAND] [ARG...]`: the ones runbooks use
RUN_VALUED = EXEC_VALUED | frozenset(
    {"-v", "--volume", "--name", "--network", "--net", "-p", "--publish", "--entrypoint"}
    | {"--mount", "-m", "--memory", "-l", "--label", "--hostname", "-h", "--restart"}
    | {"--cpus", "--pid", "--ipc", "--userns", "--cap-add", "--cap-drop", "--device"}
    | {"--platform", "--pull", "--add-host", "--dns", "--tmpfs", "--ulimit", "--user"}
)
