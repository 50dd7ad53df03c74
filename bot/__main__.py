"""`python -m bot` is the same CLI as `tradeoff`."""

import sys

from bot.cli import main

sys.exit(main())
