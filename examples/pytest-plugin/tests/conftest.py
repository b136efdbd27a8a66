"""Nothing to set up: installing tidings registers its pytest plugin (tidings_* fixtures)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support_bot.py, the code under test
