"""A feed written as Atom 1.0 (RFC 4287) by an XML builder: every piece of text, the
entries' HTML included, is escaped by the builder, never pasted into markup.

Ids are tag URIs (RFC 4151) on the host of IDEABOX_BASE_URL, so a feed reader knows an
entry again whatever address it was fetched at: ``tag:kommune.dk,2026:idea/12``. The
date in them is fixed: an id must never change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from ideabox.feeds.schemas import Entry, Feed

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
TAG_DATE = "2026"

ET.register_namespace("", ATOM)


def stamp(moment: datetime) -> str:
    """An RFC 3339 instant in UTC, to the second: ``2026-11-16T09:00:00Z``."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def tag_uri(base_url: str, key: str) -> str:
    return f"tag:{urlsplit(base_url).hostname or 'localhost'},{TAG_DATE}:{key}"


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes: str
         ) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    element.text = text
    return element


def _link(parent: ET.Element, rel: str, media_type: str, href: str) -> None:
    _add(parent, "link", rel=rel, type=media_type, href=href)


def render(feed: Feed, base_url: str, self_url: str) -> bytes:
    """The feed as an Atom document (UTF-8, with its XML declaration)."""
    site = base_url.rstrip("/")
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: feed.lang})
    _add(root, "id", tag_uri(base_url, feed.key))
    _add(root, "title", feed.title, type="text")
    _add(root, "updated", stamp(feed.updated))
    _link(root, "self", "application/atom+xml", self_url)
    _link(root, "alternate", "text/html", site + feed.page)
    _add(root, "generator", "ideabox")
    for entry in feed.entries:
        _entry(root, entry, base_url, site)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _entry(root: ET.Element, entry: Entry, base_url: str, site: str) -> None:
    element = _add(root, "entry")
    _add(element, "id", tag_uri(base_url, entry.key))
    _add(element, "title", entry.title, type="text")
    _add(element, "published", stamp(entry.published))
    _add(element, "updated", stamp(entry.updated))
    author = _add(element, "author")
    _add(author, "name", entry.author)
    _link(element, "alternate", "text/html", site + entry.link)
    if entry.status is not None and entry.status_label is not None:
        _add(element, "category", term=entry.status, label=entry.status_label)
    if entry.html is not None:
        _add(element, "content", entry.html, type="html")
    elif entry.status_label is not None:
        _add(element, "content", entry.status_label, type="text")
