"""python -m coopplan ..."""

import sys

from coopplan.cli import main

sys.exit(main())
