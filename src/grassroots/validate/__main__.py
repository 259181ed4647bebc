"""python -m grassroots.validate: see main()."""

import sys

from grassroots.validate import main

sys.exit(main())
