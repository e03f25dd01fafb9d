"""``python -m chipid`` runs the command line."""

from __future__ import annotations

import sys

from chipid.cli import main

sys.exit(main())
