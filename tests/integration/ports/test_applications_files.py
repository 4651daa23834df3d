"""One contract for the Attachments port, run against the in-memory fake and the S3 adapter (moto)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from madoguchi.applications.store import Attachments, NoSuchFile

BUCKET = "madoguchi-local-attachments-contract"


@pytest.fixture(params=["memory", "s3"])
def files(request: pytest.FixtureRequest) -> Iterator[Attachments]:
    if request.param == "memory":
        from tests.fakes.applications import MemoryAttachments

        yield MemoryAttachments()
        return
    request.getfixturevalue("aws")
    import boto3

    from madoguchi.applications.s3 import S3Attachments

    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    yield S3Attachments(BUCKET)


def test_what_is_written_is_read_back_up_to_one_byte_past_the_limit(files: Attachments) -> None:
    files.write("files/a/f", b"0123456789", "image/png")
    assert files.read("files/a/f", 100) == b"0123456789"
    assert files.read("files/a/f", 4) == b"01234"  # one byte more than allowed tells "too large"


def test_delete_is_idempotent(files: Attachments) -> None:
    files.write("files/a/f", b"x", "image/png")
    files.delete("files/a/f")
    files.delete("files/a/f")
    with pytest.raises(NoSuchFile):
        files.read("files/a/f", 10)


def test_a_conditional_write_never_replaces_a_file(files: Attachments) -> None:
    assert files.write_new("files/a/g", b"first", "image/png") is True
    assert files.write_new("files/a/g", b"second", "image/png") is False
    assert files.read("files/a/g", 10) == b"first"


def test_uploads_are_presigned_for_the_key_and_type(files: Attachments) -> None:
    url, fields = files.presign_upload("uploads/a/f", "image/jpeg", 1024, 600)
    assert url and fields["key"] == "uploads/a/f" and fields["Content-Type"] == "image/jpeg"


def test_marking_referenced_keeps_the_file(files: Attachments) -> None:
    files.write("files/a/f", b"x", "image/png")
    files.mark_referenced("files/a/f")
    assert files.read("files/a/f", 10) == b"x"
    if not hasattr(files, "referenced"):
        import boto3

        tags = boto3.client("s3").get_object_tagging(Bucket=BUCKET, Key="files/a/f")["TagSet"]
        assert tags == [{"Key": "referenced", "Value": "true"}]
    else:
        assert "files/a/f" in files.referenced
