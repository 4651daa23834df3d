"""Status e-mails: the reference number, the status and a link, never the form's data or a reason."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from madoguchi.applications.models import Application
from madoguchi.applications.store import Mailer
from madoguchi.shared.i18n import LANGS, Lang, message
from madoguchi.shared.public_origin import site_link

logger = Logger(child=True)

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


def application_link(application: Application) -> str:
    """The application's page on the site (origin from the deployment only, never from the request)."""
    lang = application.lang if application.lang in LANGS else "ja"
    return site_link(f"/apply/?id={application.id}&lang={lang}")


def notify(mailer: Mailer | None, application: Application, *, paid_yen: int = 0, refund_yen: int = 0) -> None:
    """Reference number, status, what was paid or refunded, and a link: never the form's data, never the reason
    (it is on the page)."""
    if mailer is None or not application.email or application.status not in STATUS_MESSAGES:
        return
    lang: Lang = application.lang if application.lang in LANGS else "ja"
    status = message(STATUS_MESSAGES[application.status], lang)
    subject = f"{message('application_mail_subject', lang)} {application.code}: {status}"
    link = application_link(application)
    lines = [f"{message('application_mail_subject', lang)} {application.code}", status]
    if paid_yen:
        lines.append(message("application_mail_paid", lang).format(yen=f"{paid_yen:,}"))
    if refund_yen:
        lines.append(message("application_mail_refund", lang).format(yen=f"{refund_yen:,}"))
    body = "\n".join([*lines, link]) + "\n"
    try:
        mailer.send(application.email, subject, body)
    except Exception as e:  # after the SDK's retries: the change stands; the log names the mail owed
        extra = {"application": application.id, "status": application.status, "error_type": type(e).__name__}
        logger.warning("Status mail not sent", extra=extra)
