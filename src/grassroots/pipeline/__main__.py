"""python -m grassroots.pipeline STAGE: see driver.py."""

import sys

from grassroots.pipeline.driver import main

sys.exit(main())
