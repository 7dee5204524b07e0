"""`python -m codecall` is the `codecall` command."""

import sys

from codecall.interfaces.cli import main

sys.exit(main())
