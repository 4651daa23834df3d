"""The check after an upload: magic bytes, a full decode, EXIF location removed by re-encoding; then the
attachment is marked valid (the clean copy kept) or rejected with a reason. Runs on S3 object-created events."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus

from madoguchi.applications.models import MAX_ATTACHMENT_BYTES
from madoguchi.applications.store import ApplicationStore, Attachments
from madoguchi.shared.errors import Conflict

UPLOAD_KEY = re.compile(r"^uploads/(a-[0-9a-f]{16})/(f-[0-9a-f]{16})$")
MAGIC = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
MAX_PIXELS = 40_000_000  # a 10 MB photo is far below; more is a decompression bomb


@dataclass(frozen=True)
class Outcome:
    key: str
    status: str
    reason: str | None = None


def sniff(data: bytes) -> str | None:
    for content_type, signatures in MAGIC.items():
        if any(data.startswith(s) for s in signatures):
            return content_type
    return None


def clean_image(data: bytes, content_type: str) -> bytes:
    """Decode fully and re-encode without EXIF location (GPS); raises ValueError if it is not a sound image."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != FORMATS[content_type]:
                raise ValueError("format_mismatch")
            image.load()
            exif = image.getexif()
            upright = ImageOps.exif_transpose(image)  # the orientation tag is applied, so it can go
            exif.pop(0x0112, None)  # Orientation
            exif.pop(0x8825, None)  # GPSInfo IFD: where the photo was taken
            out = io.BytesIO()
            params: dict[str, object] = {"exif": exif.tobytes()} if len(exif) else {}
            if content_type == "image/jpeg":
                upright.convert("RGB").save(out, "JPEG", quality=90, **params)
            else:
                upright.save(out, "PNG", **params)
            return out.getvalue()
    except (OSError, SyntaxError, Image.DecompressionBombError) as e:
        raise ValueError("image_undecodable") from e


def check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-1024:]:
        raise ValueError("pdf_truncated")


def check_upload(store: ApplicationStore, attachments: Attachments, raw_key: str, now: datetime) -> Outcome:
    key = unquote_plus(raw_key)
    match = UPLOAD_KEY.fullmatch(key)
    if not match:
        return Outcome(key, "ignored")
    application_id, attachment_id = match.groups()
    attachment = store.attachment(application_id, attachment_id)
    if attachment is None or attachment.status != "pending":
        attachments.delete(key)  # nobody asked for it, or it was checked already: an upload nobody refers to
        return Outcome(key, "ignored")
    data = attachments.read(key, MAX_ATTACHMENT_BYTES)
    reason: str | None = None
    clean: bytes | None = None
    if len(data) > MAX_ATTACHMENT_BYTES:
        reason = "file_too_large"
    elif sniff(data) != attachment.content_type:
        reason = "file_type_mismatch"
    else:
        try:
            if attachment.content_type == "application/pdf":
                check_pdf(data)
                clean = data
            else:
                clean = clean_image(data, attachment.content_type)
        except ValueError as e:
            reason = str(e)
    if clean is not None:
        checked_key = f"files/{application_id}/{attachment_id}"
        attachments.write(checked_key, clean, attachment.content_type)
        checked = attachment.model_copy(
            update={"status": "valid", "key": checked_key, "size": len(clean), "checked_at": now}
        )
    else:
        checked = attachment.model_copy(
            update={"status": "rejected", "reason": reason, "size": len(data), "checked_at": now}
        )
    attachments.delete(key)
    try:
        store.mark_attachment(application_id, checked)
    except Conflict:
        return Outcome(key, "ignored")  # a retried event: the first delivery decided
    return Outcome(key, checked.status, checked.reason)
