"""Docker Compose's options that take a value, where drillbook reads a Compose line.

From `docker compose --help` and `docker compose exec --help` (Compose v5).
"""

from __future__ import annotations

# Global options that say which project: a drill replaces them with its own.
PROJECT_VALUED = frozenset(
    {"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file"}
)
PROFILE = "--profile"  # the stack under test has its profiles chosen already
# `docker compose [OPTIONS] COMMAND`
GLOBAL_VALUED = PROJECT_VALUED | {PROFILE, "--ansi", "--progress", "--parallel"}
# `docker compose exec [OPTIONS] SERVICE COMMAND [ARGS...]`
EXEC_VALUED = frozenset({"-e", "--env", "-u", "--user", "-w", "--workdir", "--index"})
# `docker compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]`: the ones runbooks use
RUN_VALUED = EXEC_VALUED | frozenset(
    {"-v", "--volume", "--name", "-p", "--publish", "--entrypoint", "-l", "--label"}
)
