"""``python -m sanctrack``: the same command line as the ``sanctrack`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
