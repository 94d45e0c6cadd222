"""`python -m bot` is the same as `carbon`."""

import sys

from bot.cli import main

sys.exit(main())
