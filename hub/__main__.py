"""`python -m hub ARGS` is `throughgate hub ARGS`."""
import sys

from hub.cli import main

sys.exit(main())
