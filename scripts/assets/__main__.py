"""python -m scripts.assets [--force] [--only NAME ...] [--list] [--jobs N]: see scripts.assets.build."""

import sys

from scripts.assets.build import main

sys.exit(main())
