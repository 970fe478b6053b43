"""drillbook's version, in a module of its own: results and history record it, and reading it
must not import the public API (and everything it pulls in) from the package root."""

__version__ = "0.1.0"
