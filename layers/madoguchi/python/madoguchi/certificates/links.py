"""Where a printed certificate can be checked, from the deployment's site address (never a request's headers).
Apart from the service so that the public check's function, which builds no links, does not import it."""

from __future__ import annotations

from madoguchi.certificates.service import VERIFY_PAGE, verify_path
from madoguchi.shared.public_origin import site_link


def verification_links(number: str, code: str) -> tuple[str, str]:
    """(the verification page's address as printed, the QR code's link with number and code filled in)."""
    return site_link(VERIFY_PAGE), site_link(verify_path(number, code))
