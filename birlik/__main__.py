import sys

from birlik.cli import main

sys.exit(main())
