"""The site's public origin, from the deployment only.

Links sent outside a request (e-mails, Stripe return URLs, ticket QR codes, LINE messages) are built from
the deployment: `SITE_URL` when it is set (`cdk deploy -c site_url=…` for a city's own domain; the local stack its
own address), otherwise the SSM parameter named by `SITE_URL_PARAMETER`, which the web stack writes with the
CloudFront distribution's address and which is read once per container (decisions.md). Never from
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


_from_parameter: list[str] = []  # the parameter's value once read (a container reads it once)


def _deployed_site_url() -> str:
    config = settings()
    if config.site_url or not config.site_url_parameter:
        return config.site_url
    if not _from_parameter:
        from aws_lambda_powertools.utilities import parameters

        try:
            value = parameters.get_parameter(config.site_url_parameter, max_age=365 * 24 * 3600)
        except parameters.exceptions.GetParameterError as e:
            raise SiteNotConfigured("the site's address parameter cannot be read") from e
        if not isinstance(value, str) or _origin_of(value) is None:
            raise SiteNotConfigured("the site's address parameter is not an http(s) origin")
        _from_parameter.append(value)
    return _from_parameter[0]


def site_origin() -> str:
    """The site's origin (no trailing slash), as the deployment configured it."""
    origin = _origin_of(_deployed_site_url())
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
