"""`python -m agmtool.bench`, which `make bench` runs: see agmtool.bench.harness."""

import sys

from agmtool.bench.harness import main

sys.exit(main())
