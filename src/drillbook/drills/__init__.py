"""Drills: the lifecycle (steady state, fault, detection, remediation, recovery, revert), its
typed events, a scenario's run and its judge, and sessions of runs.

Cheap to import: what needs Docker is imported by the modules that use it.
"""
