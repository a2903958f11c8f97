"""An article's images: the lead image first (JSON-LD, og:image, the theme's featured image, the photo an older
theme prints under the headline), then the story's figures, once each, with the captions printed with them."""

from __future__ import annotations

import re
from functools import lru_cache

from hajar_scraper.parsers import bylines, nearby
from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.body import CAPTION_CLASS, PHOTO_HOLDER, split_credit
from hajar_scraper.parsers.selectors import Scope, select
from hajar_scraper.record import normalise_text
from hajar_scraper.urls import absolute_url, canonical_url

_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")


def choose_images(prov: dict, node: dict, data: sd.Structured, body_images: list[dict], scope: Scope,
                  featured_selector: str, url: str, tree, headlines: list) -> list[dict]:
    """Lead image first (JSON-LD, og:image, then the theme's featured image), then the story's figures, once each.

    The theme shows the lead's caption under the featured image, so a lead without one takes it from there,
    or from wherever the page prints that picture with a caption.
    """
    canonical = lru_cache(maxsize=None)(canonical_url)  # each image is compared several times
    featured = _featured(scope, featured_selector, url)
    lead, source = None, None
    jsonld = sd.images(node.get("image"), data) if node else []
    if jsonld:
        caption, credit = split_credit(normalise_text(jsonld[0].get("caption") or ""))
        lead, source = {"url": jsonld[0]["url"], "caption": caption, "credit": credit}, "jsonld"
    elif data.meta1("og:image"):
        lead, source = {"url": data.meta1("og:image"), "caption": None, "credit": None}, "meta"
    elif featured:
        lead, source = featured, "selector"
    elif not body_images and (printed := _printed_lead(tree, headlines, url)) is not None:
        lead, source = printed, "text"
    images = []
    lead_url = absolute_url(lead["url"], base=url) if lead else None
    if lead_url:
        if not lead["caption"] and featured and _same_image(featured["url"], lead_url, canonical):
            lead = {**lead, "caption": featured["caption"], "credit": featured["credit"]}
        if not lead["caption"]:
            caption, credit = split_credit(_printed_caption(tree, lead_url, canonical))
            lead = {**lead, "caption": caption, "credit": lead["credit"] or credit}
        from_body = next((i for i in body_images if canonical(i["url"]) == lead_url), None)
        images.append(from_body or {**lead, "url": lead_url})
        prov["images"] = source
    elif body_images:
        prov["images"] = "selector"
    seen = {canonical(i["url"]) for i in images}
    for image in body_images:
        if canonical(image["url"]) not in seen:
            seen.add(canonical(image["url"]))
            images.append(image)
    return images


def _printed_lead(tree, headlines: list, url: str) -> dict | None:
    """The photo an older theme prints under the headline, outside the story's block (`div.foto`); not an avatar."""
    for element in nearby.around(tree, headlines, bylines.BYLINE_WINDOW):
        holders = list(element.iterancestors())[:3]
        if element.tag == "img" and "avatar" not in (element.get("class") or "") and any(
                a.tag == "figure" or PHOTO_HOLDER.search(a.get("class") or "") for a in holders):
            src = next((element.get(a) for a in ("data-src", "data-lazy-src", "src")
                        if element.get(a) and not element.get(a).startswith("data:")), None)
            if src and (src := absolute_url(src.strip(), base=url)):
                return {"url": src, "caption": None, "credit": None}
    return None


def _printed_caption(tree, image_url: str, canonical) -> str:
    """The caption printed with an image somewhere on the page: the figure's `figcaption`, or a caption-classed
    element in the block that holds the picture (`div.read__photo > span.read__caption`)."""
    name = _file_name(image_url)
    for img in tree.iter("img"):
        src = next((img.get(a) for a in ("data-src", "data-lazy-src", "data-original", "src") if img.get(a)), None)
        if not src or src.startswith("data:") or _file_name(src) != name:  # the cheap test before canonicalising
            continue
        src = absolute_url(src.strip(), base=image_url)
        if not src or not _same_image(src, image_url, canonical):
            continue
        for holder in list(img.iterancestors())[:3]:
            if holder.tag != "figure" and not PHOTO_HOLDER.search(holder.get("class") or ""):
                continue
            for candidate in holder.iter():
                if candidate.tag == "figcaption" or CAPTION_CLASS.search(candidate.get("class") or ""):
                    text = normalise_text(candidate.text_content())
                    if text:
                        return text
    return ""


def _featured(scope: Scope, selector: str, url: str) -> dict | None:
    """The theme's featured image outside the story, with the caption printed under it."""
    for holder in scope.select(selector):
        for img in holder.iter("img", "amp-img"):
            src = next((img.get(a) for a in ("data-src", "data-lazy-src", "src")
                        if img.get(a) and not img.get(a).startswith("data:") and "empty" not in img.get(a)), None)
            if src and (src := absolute_url(src, base=url)):
                captions = select(holder, "figcaption, .wp-caption-text, .caption")
                text = normalise_text(captions[0].text_content()) if captions else ""
                caption, credit = split_credit(text)
                return {"url": src, "caption": caption, "credit": credit}
    return None


def _file_name(url: str) -> str:
    """The image's file name without WordPress's size suffix: two addresses of one picture share it."""
    return _SIZE_SUFFIX.sub("", url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def _same_image(one: str, other: str, canonical=canonical_url) -> bool:
    """Equal once WordPress's size suffix (`-750x422.jpg`) is set aside."""
    return _SIZE_SUFFIX.sub("", canonical(one)) == _SIZE_SUFFIX.sub("", canonical(other))
