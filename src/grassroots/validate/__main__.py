"""python -m grassroots.validate: see grassroots.validate.run.main()."""

import sys

from grassroots.validate.run import main

sys.exit(main())
