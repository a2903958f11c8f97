"""Print the parser quality table (same as `hajar quality`): exact-match rate of each field per site."""

import sys

from hajar_scraper.quality import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
