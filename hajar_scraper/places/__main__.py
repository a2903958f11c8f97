"""`python -m hajar_scraper.places update [VERSION]`: replace the vendored gazetteer (`make places-data`)."""

import sys

from hajar_scraper.places.gazetteer import main

sys.exit(main())
