"""``python -m leadsq.sandbox``: the same command as ``python -m leadsq sandbox``."""

import sys

from leadsq.sandbox.cli import main

sys.exit(main())
