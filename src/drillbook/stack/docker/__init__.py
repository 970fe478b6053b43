"""The Docker backend: a stack's services as containers on one private network of the run's
(`Stack`, `Service`), started by testcontainers or, for a Compose stack, by the real Docker
Compose (`drillbook.stack.compose`); a running stack taken over (`target`), and containers
replaced by a copy of themselves (`clone`)."""
