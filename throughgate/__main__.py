import sys

from throughgate.cli import main

sys.exit(main())
