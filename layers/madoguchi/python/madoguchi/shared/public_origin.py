"""The site's public origin, from the deployment only.

Links sent outside a request (e-mails, Stripe return URLs, ticket QR codes, LINE messages) are built from
`SITE_URL`, which the deployment sets (CDK passes the site's address; the local stack its own). Never from
`Host`, `X-Forwarded-Host` or `Origin`: anyone can forge those. A URL handed in by a client (`return_url`) is
accepted only when its parsed origin equals the site's exactly.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from madoguchi.shared.settings import settings


class SiteNotConfigured(RuntimeError):
    """SITE_URL is missing or not an http(s) origin: a deployment fault, not a client's."""


def _origin_of(url: str) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL with no user info or backslash, else None."""
    if "\\" in url or any(ord(c) < 0x21 for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname
    default = {"https": 443, "http": 80}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def site_origin() -> str:
    """The site's origin (no trailing slash), as the deployment configured it."""
    origin = _origin_of(settings().site_url)
    if origin is None:
        raise SiteNotConfigured("SITE_URL must be the site's http(s) origin")
    return origin


def site_link(path: str) -> str:
    """An absolute link to a page of the site; `path` starts with '/'."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("a site path starts with a single '/'")
    return site_origin() + path


def is_site_url(url: str) -> bool:
    """Whether a URL a client gave points at this site (exact origin match after parsing)."""
    return _origin_of(url) == site_origin()
