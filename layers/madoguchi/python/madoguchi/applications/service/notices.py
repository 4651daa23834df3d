"""Status e-mails: the reference number, the status and a link, never the form's data or a reason."""

from __future__ import annotations

from madoguchi.applications.models import Application
from madoguchi.applications.store import Mailer
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


def notify(mailer: Mailer | None, application: Application, link_base: str) -> None:
    """Reference number, status and a link: never the form's data, never the reason (it is on the page)."""
    if mailer is None or not application.email or application.status not in STATUS_MESSAGES:
        return
    lang: Lang = application.lang if application.lang in LANGS else "ja"
    status = message(STATUS_MESSAGES[application.status], lang)
    subject = f"{message('application_mail_subject', lang)} {application.code}: {status}"
    link = f"{link_base}/apply/?id={application.id}"
    body = f"{message('application_mail_subject', lang)} {application.code}\n{status}\n{link}\n"
    mailer.send(application.email, subject, body)
