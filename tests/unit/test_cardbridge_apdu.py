"""The bridge's APDU builders and TLV reading, on the byte layouts the card uses."""

from __future__ import annotations

import pytest

from devices.cardbridge import apdu


def test_commands_have_the_card_s_layout() -> None:
    assert bytes(apdu.select_application(apdu.JPKI_AP)).hex() == "00a4040c0ad392f000260100000001"
    assert bytes(apdu.select_file(apdu.JPKI_AUTH_PIN_EF)).hex() == "00a4020c020018"
    assert bytes(apdu.pin_status()).hex() == "00200080"
    assert bytes(apdu.verify_pin("1234")).hex() == "002000800431323334"
    assert bytes(apdu.read_binary(0x0123, 256)).hex() == "00b0012300"
    assert bytes(apdu.compute_signature(b"\x01\x02")).hex() == "802a0080020102" + "00"
    with pytest.raises(ValueError):
        apdu.read_binary(0x8000, 1)


@pytest.mark.parametrize(
    ("sw", "tries"),
    [((0x63, 0xC3), 3), ((0x63, 0xC1), 1), ((0x63, 0xC0), 0), ((0x69, 0x83), 0), ((0x90, 0x00), None)],
)
def test_tries_left_from_the_status_word(sw: tuple[int, int], tries: int | None) -> None:
    assert apdu.tries_left(*sw) == tries


def test_long_form_tags_and_lengths() -> None:
    name = "市民 一郎".encode()
    record = bytes([0xFF, 0x20, 0x81, 5 + 3 + len(name)]) + b"\xdf\x21\x02\x00\x00" + b"\xdf\x22" + bytes([len(name)])
    record += name
    outer, end = apdu.parse_tlv(record + b"\xff\xff")
    assert outer.tag == b"\xff\x20" and end == len(record)
    assert apdu.encoded_size(record[:7]) == len(record)
    assert apdu.children(outer.value)[b"\xdf\x22"].decode() == "市民 一郎"
    number, _ = apdu.parse_tlv(b"\xff\x10\x0c123456789018\xff")
    assert (number.tag, number.value) == (b"\xff\x10", b"123456789018")


@pytest.mark.parametrize("data", [b"", b"\xdf", b"\xdf\x22", b"\xdf\x22\x05abc", b"\x04\x84\x00\x00\x00\x01"])
def test_truncated_or_odd_tlvs_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        apdu.parse_tlv(data)
