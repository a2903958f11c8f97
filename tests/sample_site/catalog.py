"""Fixture articles: loading and checking the YAML files, reloading them on change, and the lookups views need."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

import yaml

# Hajarnews publishes in Western Indonesia Time, which has no daylight saving.
WIB = timedelta(hours=7)
REQUIRED = ("id", "slug", "title", "date_gmt", "author", "author_slug", "categories", "excerpt", "paragraphs")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def slugify(name: str) -> str:
    """Term slug as WordPress makes it for plain names: 'Hukum & Kriminal' -> 'hukum-kriminal'."""
    return re.sub(r"[^0-9a-z]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Image:
    file: str  # path under /wp-content/uploads/
    caption: str
    credit: str | None

    @property
    def caption_text(self) -> str:
        """The caption as the site prints it, credit appended."""
        return f"{self.caption} (Foto: {self.credit})" if self.credit else self.caption


@dataclass(frozen=True)
class BacaJuga:
    after: int  # 1-based: the link follows the after-th paragraph
    id: int


@dataclass(frozen=True)
class Article:
    id: int
    slug: str
    title: str
    date_gmt: datetime
    modified_gmt: datetime
    author: str
    author_slug: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    excerpt: str
    paragraphs: tuple[str, ...]
    signature: str | None
    image: Image | None
    baca_juga: tuple[BacaJuga, ...]
    editor: str | None
    source: Path

    @property
    def date_local(self) -> datetime:
        return self.date_gmt + WIB

    @property
    def modified_local(self) -> datetime:
        return self.modified_gmt + WIB

    @property
    def path(self) -> str:
        """Permalink path; WordPress dates it by the local (WIB) day, not the UTC one."""
        return f"{self.date_local:/%Y/%m/%d}/{self.slug}/"

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    @property
    def attachment_id(self) -> int:
        """Post id of the lead image; ids in the data leave a gap below every article id."""
        return self.id - 1


def _require(value: Any, kind: type | tuple[type, ...], field: str, source: Path) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind) or value in ("", [], {}):
        raise ValueError(f"{source}: field '{field}' must be a non-empty {getattr(kind, '__name__', kind)}")
    return value


def _strings(value: Any, field: str, source: Path, required: bool = False) -> tuple[str, ...]:
    if value in (None, []) and not required:
        return ()
    items = _require(value, list, field, source)
    return tuple(_require(item, str, field, source) for item in items)


def _timestamp(value: Any, field: str, source: Path) -> datetime:
    # PyYAML turns unquoted timestamps into datetimes already; quoted ones stay strings.
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(_require(value, str, field, source))
        except ValueError:
            raise ValueError(f"{source}: field '{field}' is not an ISO timestamp: {value!r}") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.replace(tzinfo=None, microsecond=0)


def _image(value: Any, source: Path) -> Image | None:
    if value is None:
        return None
    data = _require(value, dict, "image", source)
    credit = data.get("credit")
    return Image(
        file=_require(data.get("file"), str, "image.file", source),
        caption=_require(data.get("caption"), str, "image.caption", source),
        credit=None if credit is None else _require(credit, str, "image.credit", source),
    )


def _links(value: Any, source: Path) -> tuple[BacaJuga, ...]:
    if value in (None, []):
        return ()
    links = []
    for link in _require(value, list, "baca_juga", source):
        link = _require(link, dict, "baca_juga item", source)
        links.append(BacaJuga(_require(link.get("after"), int, "baca_juga.after", source),
                              _require(link.get("id"), int, "baca_juga.id", source)))
    return tuple(links)


def _article(source: Path) -> Article:
    try:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping of article fields")
    missing = [field for field in REQUIRED if data.get(field) in (None, "", [])]
    if missing:
        raise ValueError(f"{source}: missing required field(s): {', '.join(missing)}")
    date_gmt = _timestamp(data["date_gmt"], "date_gmt", source)
    optional_text = {}
    for field in ("signature", "editor"):
        value = data.get(field)
        optional_text[field] = None if value is None else _require(str(value), str, field, source)
    return Article(
        id=_require(data["id"], int, "id", source),
        slug=_require(data["slug"], str, "slug", source),
        title=_require(data["title"], str, "title", source),
        date_gmt=date_gmt,
        modified_gmt=_timestamp(data["modified_gmt"], "modified_gmt", source) if data.get("modified_gmt") else date_gmt,
        author=_require(data["author"], str, "author", source),
        author_slug=_require(data["author_slug"], str, "author_slug", source),
        categories=_strings(data["categories"], "categories", source, required=True),
        tags=_strings(data.get("tags"), "tags", source),
        excerpt=_require(data["excerpt"], str, "excerpt", source),
        paragraphs=_strings(data["paragraphs"], "paragraphs", source, required=True),
        image=_image(data.get("image"), source),
        baca_juga=_links(data.get("baca_juga"), source),
        **optional_text,
        source=source,
    )


def _check_links(articles: list[Article]) -> None:
    seen: dict[Any, Path] = {}
    for article in articles:
        for key in (("id", article.id), ("slug", article.slug)):
            if key in seen:
                raise ValueError(f"{article.source}: duplicate {key[0]} {key[1]!r} (also in {seen[key]})")
            seen[key] = article.source
    for article in articles:
        for link in article.baca_juga:
            if ("id", link.id) not in seen or link.id == article.id:
                raise ValueError(f"{article.source}: baca_juga points to unknown article id {link.id}")
            if not 1 <= link.after <= len(article.paragraphs):
                raise ValueError(f"{article.source}: baca_juga after={link.after} is outside the paragraphs")


def load_articles(data_dir: Path) -> list[Article]:
    """Every *.yml article in data_dir, newest first; a bad file raises ValueError naming it."""
    sources = sorted(Path(data_dir).glob("*.yml"))
    if not sources:
        raise ValueError(f"{data_dir}: no article files (*.yml)")
    articles = [_article(source) for source in sources]
    _check_links(articles)
    return sorted(articles, key=lambda a: (a.date_gmt, a.id), reverse=True)


@dataclass(frozen=True)
class Term:
    id: int
    name: str
    slug: str
    taxonomy: str  # "category" or "post_tag", as in the REST API


@dataclass(frozen=True)
class Author:
    id: int
    name: str
    slug: str


class Catalog:
    """The articles plus their indexes, built once per reload of the data."""

    def __init__(self, articles: Iterable[Article]):
        self.articles = sorted(articles, key=lambda a: (a.date_gmt, a.id), reverse=True)
        self.by_id = {a.id: a for a in self.articles}
        self.by_slug = {a.slug: a for a in self.articles}
        # Ids are handed out in slug order so they stay stable while the data stays the same;
        # 1 is WordPress's own "Uncategorized" category and "admin" user.
        categories = {slugify(n): n for a in self.articles for n in a.categories}
        tags = {slugify(n): n for a in self.articles for n in a.tags}
        self.categories = self._terms(categories, "category", first_id=2)
        self.tags = self._terms(tags, "post_tag", first_id=2 + len(categories))
        names = {a.author_slug: a.author for a in reversed(self.articles)}
        self.authors = {slug: Author(i, names[slug], slug) for i, slug in enumerate(sorted(names), start=2)}
        self._by_category: dict[str, list[Article]] = {}
        self._by_tag: dict[str, list[Article]] = {}
        self._by_author: dict[str, list[Article]] = {}
        for a in self.articles:
            for name in a.categories:
                self._by_category.setdefault(slugify(name), []).append(a)
            for name in a.tags:
                self._by_tag.setdefault(slugify(name), []).append(a)
            self._by_author.setdefault(a.author_slug, []).append(a)
        self._position = {a.id: i for i, a in enumerate(self.articles)}
        self._longest = sorted(self.articles, key=lambda a: (-a.word_count, a.id))
        self.image_files = {a.image.file for a in self.articles if a.image}

    @staticmethod
    def _terms(names: dict[str, str], taxonomy: str, first_id: int) -> dict[str, Term]:
        return {slug: Term(i, names[slug], slug, taxonomy) for i, slug in enumerate(sorted(names), start=first_id)}

    def category(self, name: str) -> Term:
        return self.categories[slugify(name)]

    def tag(self, name: str) -> Term:
        return self.tags[slugify(name)]

    def in_category(self, slug: str) -> list[Article]:
        return self._by_category.get(slug, [])

    def with_tag(self, slug: str) -> list[Article]:
        return self._by_tag.get(slug, [])

    def by_author(self, slug: str) -> list[Article]:
        return self._by_author.get(slug, [])

    def recent(self, exclude: Article | None = None, count: int = 5) -> list[Article]:
        return [a for a in self.articles if exclude is None or a.id != exclude.id][:count]

    def popular(self, exclude: Article | None = None, count: int = 5) -> list[Article]:
        """Stand-in for a view counter: the longest stories, so the choice is deterministic."""
        return [a for a in self._longest if exclude is None or a.id != exclude.id][:count]

    def related(self, article: Article, count: int = 3) -> list[Article]:
        """Newest stories sharing the first category, topped up with the newest others."""
        first = slugify(article.categories[0])
        picked = [a for a in self.in_category(first) if a.id != article.id][:count]
        taken = {article.id} | {a.id for a in picked}
        return picked + [a for a in self.articles if a.id not in taken][: count - len(picked)]

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """(older, newer) article, as in WordPress's previous/next post links."""
        index = self._position[article.id]
        older = self.articles[index + 1] if index + 1 < len(self.articles) else None
        newer = self.articles[index - 1] if index > 0 else None
        return older, newer


class Store:
    """The catalog of a data dir, rebuilt when a file there is added, removed or changed."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._stamp: tuple | None = None
        self._catalog: Catalog | None = None

    def _fingerprint(self) -> tuple:
        with os.scandir(self.data_dir) as entries:
            return tuple(sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size)
                                for e in entries if e.name.endswith(".yml")))

    def catalog(self) -> Catalog:
        stamp = self._fingerprint()
        if stamp != self._stamp or self._catalog is None:
            try:
                self._catalog = Catalog(load_articles(self.data_dir))
            except ValueError as exc:
                if self._catalog is None:
                    raise
                # Most likely a file caught half-written by an editor; keep serving, retry next request.
                logging.getLogger(__name__).warning("keeping the previous articles: %s", exc)
                return self._catalog
            self._stamp = stamp
        return self._catalog
