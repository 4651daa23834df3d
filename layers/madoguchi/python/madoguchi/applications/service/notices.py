"""Status e-mails: the reference number, the status and a link, never the form's data or a reason. A change owes
its e-mail as an effect (service/owed.py); the worker composes it here when it sends it, with the address and
language the application holds then, and the site's origin the worker was given (shared.public_origin)."""

from __future__ import annotations

from madoguchi.applications.models import Application
from madoguchi.shared.i18n import LANGS, Lang, message

STATUS_MESSAGES = {
    s: f"application_status_{s}"
    for s in (
        "preregistered",
        "awaiting_confirmation",
        "awaiting_payment",
        "received",
        "in_review",
        "returned",
        "approved",
        "issued",
        "rejected",
    )
}


def application_path(application: Application) -> str:
    """The application's page on the site, in the resident's language."""
    lang = application.lang if application.lang in LANGS else "ja"
    return f"/apply/?id={application.id}&lang={lang}"


def compose(
    application: Application, status: str, origin: str, *, paid_yen: int = 0, refund_yen: int = 0
) -> tuple[str, str]:
    """Subject and body announcing `status`: reference number, status, what was paid or refunded, and a link to
    the application on `origin` (the deployment's, never a request's); never the form's data, never the reason
    (it is on the page)."""
    lang: Lang = application.lang if application.lang in LANGS else "ja"
    said = message(STATUS_MESSAGES[status], lang)
    subject = f"{message('application_mail_subject', lang)} {application.code}: {said}"
    lines = [f"{message('application_mail_subject', lang)} {application.code}", said]
    if paid_yen:
        lines.append(message("application_mail_paid", lang).format(yen=f"{paid_yen:,}"))
    if refund_yen:
        lines.append(message("application_mail_refund", lang).format(yen=f"{refund_yen:,}"))
    return subject, "\n".join([*lines, origin + application_path(application)]) + "\n"
