"""Issue 13, flaw 8: the upload check refuses decompression bombs before decoding, keeps nothing but the pixels
of a photo, and never stores a PDF as uploaded (active content refused, the rest rewritten)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image, PngImagePlugin

from madoguchi.applications.attachments_check import MAX_PIXELS, check_upload, clean_image, clean_pdf
from madoguchi.applications.models import Attachment
from tests.fakes.applications import MemoryApplicationStore, MemoryAttachments


def png(width: int, height: int, mode: str = "1") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("pixels", [MAX_PIXELS + 1_000_000, 2 * MAX_PIXELS + 1_000_000])
def test_an_image_over_the_pixel_limit_is_refused_before_decoding(pixels: int) -> None:
    # Under 1 MB on disk: Pillow alone only warns below twice its limit, and would decode this
    data = png(10_000, pixels // 10_000)
    assert len(data) < 1_000_000
    with pytest.raises(ValueError, match="image_too_large"):
        clean_image(data, "image/png")


def test_a_photo_keeps_nothing_but_its_pixels() -> None:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x013B] = "Owner name"  # Artist
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-123"  # BodySerialNumber
    exif.get_ifd(0x8769)[0x927C] = b"makernote"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (34.0, 57.0, 55.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"a comment", icc_profile=b"\0" * 128)
    clean = clean_image(out.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(clean)) as back:
        assert len(back.getexif()) == 0 and "comment" not in back.info and "icc_profile" not in back.info
        assert back.size == (64, 48)
    for secret in (b"Camera maker", b"Owner name", b"SERIAL-123", b"makernote", b"a comment"):
        assert secret not in clean


def test_png_text_chunks_are_dropped() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (1, 2, 3, 4)).save(out, "PNG", pnginfo=info)
    clean = clean_image(out.getvalue(), "image/png")
    assert b"Secret Person" not in clean
    with Image.open(io.BytesIO(clean)) as back:
        assert back.mode == "RGBA" and back.getpixel((0, 0)) == (1, 2, 3, 4)


def pdf(catalog_extra: str = "", page_extra: str = "") -> bytes:
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] {page_extra} >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_plain_pdf_is_rewritten_not_stored_as_uploaded() -> None:
    original = pdf()
    clean = clean_pdf(original)
    assert clean.startswith(b"%PDF-") and clean != original


@pytest.mark.parametrize(
    ("catalog", "page"),
    [
        ("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", ""),
        ("/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>", ""),  # a name hidden by #xx escapes
        ("", "/AA << /O << /S /Launch /F (cmd.exe) >> >>"),
        ("/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec >>] >> >>", ""),
        ("/AcroForm << /Fields [] /XFA [] >>", ""),
    ],
)
def test_a_pdf_with_active_content_is_refused(catalog: str, page: str) -> None:
    with pytest.raises(ValueError, match="pdf_active_content"):
        clean_pdf(pdf(catalog, page))


def test_a_truncated_or_broken_pdf_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf_truncated"):
        clean_pdf(pdf()[:-20])
    with pytest.raises(ValueError):
        clean_pdf(b"%PDF-1.7\nnot a pdf at all\n%%EOF\n")


# --- duplicate S3 events (S3 delivers at least once, sometimes twice at once) ----------------------------------
APP, FILE = "a-0123456789abcdef", "f-0123456789abcdef"
UPLOAD, CHECKED = f"uploads/{APP}/{FILE}", f"files/{APP}/{FILE}"
NOW = datetime(2030, 5, 1, tzinfo=UTC)


class TwinArrives(MemoryAttachments):
    """The bucket, where a twin delivery of the same event runs whole just after this one read the upload, and
    the resident submits at once (the checked file is tagged referenced)."""

    def __init__(self, store: MemoryApplicationStore) -> None:
        super().__init__()
        self.store, self.twin_ran = store, False

    def read(self, key: str, max_bytes: int) -> bytes:
        data = super().read(key, max_bytes)
        if not self.twin_ran:
            self.twin_ran = True
            assert check_upload(self.store, self, key, NOW).status == "valid"
            self.mark_referenced(CHECKED)
        return data


def test_a_twin_delivery_neither_replaces_the_checked_file_nor_its_tag() -> None:
    store = MemoryApplicationStore()
    store.add_attachment(APP, Attachment(id=FILE, kind="photo", content_type="image/png", key=UPLOAD, created_at=NOW))
    files = TwinArrives(store)
    files.write(UPLOAD, png(8, 8, "RGB"), "image/png")
    # the first delivery read the upload before its twin checked it; it finishes second
    assert check_upload(store, files, UPLOAD, NOW).status == "ignored"
    assert CHECKED in files.referenced  # still the file the submission tagged, never replaced by an untagged copy
    assert UPLOAD not in files.objects and store.attachment(APP, FILE).status == "valid"  # type: ignore[union-attr]


def test_a_late_duplicate_whose_upload_is_gone_is_ignored() -> None:
    store = MemoryApplicationStore()
    store.add_attachment(APP, Attachment(id=FILE, kind="photo", content_type="image/png", key=UPLOAD, created_at=NOW))
    files = MemoryAttachments()
    files.write(UPLOAD, png(8, 8, "RGB"), "image/png")
    assert check_upload(store, files, UPLOAD, NOW).status == "valid"
    assert check_upload(store, files, UPLOAD, NOW).status == "ignored"
    assert list(files.objects) == [CHECKED]
