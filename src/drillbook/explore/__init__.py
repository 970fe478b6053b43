"""Explore: a Hypothesis search over schedules of overlapping faults, shrunk to a minimal drill.

    space = build_space(stack.spec)
    report = Search(space, Driller(stack, load, runbooks).run, Budget(600, 40), ...).run()

`space` (what may be faulted, pruned to the load's path), `plan` (schedules, canonical form,
timing), `oracle` (the api's degraded modes as a prediction), `drill` (one schedule on the
live stack and drillbook's promises), `search` (Hypothesis, budget, database, progress),
`replay` (the minimal failure as a scenario file), `session` (all of it on a stack).
"""
