"""drillbook: prove that runbooks restore service within their MTTR targets.

A drill brings up a stack in containers, breaks it the way production breaks, follows the
runbook's remediation, and measures detection and recovery from probes while load runs.
"""

from __future__ import annotations

from drillbook.errors import DrillbookError, SourceError

__version__ = "0.1.0"

__all__ = ["DrillbookError", "SourceError", "__version__"]
