"""How each command-line family splits a line, in one place per family.

The safety check, the translator and the pinning of a line to the drill's project all read a
line with these tables, so the line that is judged is the line that runs: an option one of
them took for a flag and another for an option with a value would make them see different
programs in `docker compose exec --index 1 redis redis-cli FLUSHALL`.

    docker.py    the docker CLI: global options, `exec` and `run` options
    compose.py   docker compose / docker-compose: global and project options, `exec` options
    kubectl      read by `drillbook.stack.kube.cli.read_kubectl`, as kubectl itself does
"""
