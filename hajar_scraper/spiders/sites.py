"""One spider class per site profile, so `scrapy crawl <slug>` works for every outlet we ship."""

from hajar_scraper.sites import profiles
from hajar_scraper.spiders.news import NewsSpider

for _profile in profiles().values():
    _name = "".join(part.title() for part in _profile.slug.split("_")) + "Spider"
    globals()[_name] = type(_name, (NewsSpider,), {"name": _profile.slug, "profile": _profile})
