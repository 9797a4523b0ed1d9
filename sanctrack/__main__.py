"""``python -m sanctrack``: the same command line as the ``sanctrack`` script."""

import sys

from .cli import main

sys.exit(main())
