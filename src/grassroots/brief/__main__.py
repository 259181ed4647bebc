"""python -m grassroots.brief: see main()."""

import sys

from grassroots.brief import main

sys.exit(main())
