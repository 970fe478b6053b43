"""What every backend stands on: this machine's Debian packages, its Docker engine, the apt
mirror it uses, the progress lines of long set-ups, and what set-up leaves on disk.

Nothing here knows about stacks or clusters; `drillbook.stack` and `drillbook.cluster` both
stand on it.
"""
