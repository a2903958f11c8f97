"""hajar-scraper: crawl Indonesian regional news into a SQLite archive."""
