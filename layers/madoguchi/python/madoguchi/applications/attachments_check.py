"""The check after an upload: magic bytes; images decoded (pixel limit checked first) and re-encoded from their
pixels alone, PDFs refused if they carry active content and rewritten; then the attachment is marked valid (the
clean copy kept, the raw upload deleted) or rejected with a reason. Runs on S3 object-created events."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote_plus

from madoguchi.applications.models import MAX_ATTACHMENT_BYTES
from madoguchi.applications.store import ApplicationStore, Attachments, NoSuchFile
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
    """Decode fully and re-encode the pixels alone: no EXIF (serial numbers, owner, MakerNote, GPS), no comments,
    no text chunks, no ICC profile travel with it. Raises ValueError if it is not a sound image or too large."""
    import warnings

    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning is a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != FORMATS[content_type]:
                    raise ValueError("format_mismatch")
                width, height = image.size  # from the header: refused before any pixel is decoded
                if width * height > MAX_PIXELS:
                    raise ValueError("image_too_large")
                image.load()
                upright = ImageOps.exif_transpose(image)  # the orientation tag is applied, then dropped with the rest
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                pixels = upright.convert("RGBA" if has_alpha and content_type == "image/png" else "RGB")
                bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())  # nothing but the pixels
                out = io.BytesIO()
                if content_type == "image/jpeg":
                    bare.save(out, "JPEG", quality=90)
                else:
                    bare.save(out, "PNG")
                return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ValueError("image_too_large") from e
    except (OSError, SyntaxError) as e:
        raise ValueError("image_undecodable") from e


# What a PDF may not carry to a staff member's viewer: scripts, actions run on opening or on events, programs
# to launch, embedded files, forms that post or import data, rich media, XFA.
ACTIVE_PDF_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
    }
)
MAX_PDF_OBJECTS = 100_000


def clean_pdf(data: bytes) -> bytes:
    """Refuse a PDF with active content anywhere in its object graph (names as pypdf decodes them, so `#xx`
    escapes and object streams hide nothing), then store a rewrite of its pages, never the upload itself."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if b"%%EOF" not in data[-1024:]:
        raise ValueError("pdf_truncated")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValueError("pdf_encrypted")
        seen: set[tuple[int, int]] = set()
        stack: list[object] = [reader.trailer]
        while stack:
            node = stack.pop()
            if isinstance(node, IndirectObject):
                ref = (node.idnum, node.generation)
                if ref in seen:
                    continue
                seen.add(ref)
                if len(seen) > MAX_PDF_OBJECTS:
                    raise ValueError("pdf_too_complex")
                node = node.get_object()
            if isinstance(node, DictionaryObject):
                for key, value in node.items():
                    if key in ACTIVE_PDF_KEYS or (key == "/S" and value in ACTIVE_PDF_KEYS):
                        raise ValueError("pdf_active_content")
                    stack.append(value)
            elif isinstance(node, ArrayObject):
                stack.extend(node)
            elif isinstance(node, NameObject) and node in ("/JavaScript", "/Launch"):
                raise ValueError("pdf_active_content")
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except ValueError:
        raise
    except (PdfReadError, OSError, KeyError, TypeError, RecursionError) as e:
        raise ValueError("pdf_undecodable") from e


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
    try:
        data = attachments.read(key, MAX_ATTACHMENT_BYTES)
    except NoSuchFile:
        return Outcome(key, "ignored")  # a duplicate delivery whose twin has checked and removed the upload
    reason: str | None = None
    clean: bytes | None = None
    if len(data) > MAX_ATTACHMENT_BYTES:
        reason = "file_too_large"
    elif sniff(data) != attachment.content_type:
        reason = "file_type_mismatch"
    else:
        try:
            if attachment.content_type == "application/pdf":
                clean = clean_pdf(data)
            else:
                clean = clean_image(data, attachment.content_type)
        except ValueError as e:
            reason = str(e)
    if clean is not None:
        checked_key = f"files/{application_id}/{attachment_id}"
        # S3 may deliver an event twice, even at once: a second delivery never replaces the checked file (nor
        # the tag a submission put on it meanwhile); the same upload cleans to the same file anyway.
        attachments.write_new(checked_key, clean, attachment.content_type)
        checked = attachment.model_copy(
            update={"status": "valid", "key": checked_key, "size": len(clean), "checked_at": now}
        )
    else:
        checked = attachment.model_copy(
            update={"status": "rejected", "reason": reason, "size": len(data), "checked_at": now}
        )
    # The upload is removed once the decision is recorded: a delivery cut short before finds it on S3's retry.
    try:
        store.mark_attachment(application_id, checked)
    except Conflict:
        attachments.delete(key)
        return Outcome(key, "ignored")  # a retried event: the first delivery decided
    attachments.delete(key)
    return Outcome(key, checked.status, checked.reason)
