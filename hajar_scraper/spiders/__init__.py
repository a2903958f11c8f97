"""Spiders: one per site profile, all of them `NewsSpider`."""
