"""`python -m drillbook.cli ...`: the `drillbook` command."""

import sys

from drillbook.cli import main

sys.exit(main())
