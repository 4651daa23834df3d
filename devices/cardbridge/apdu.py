"""The My Number card's application identifiers, file ids and commands (ISO/IEC 7816-4 APDUs).

Pure functions and constants; the sources for every value are listed in devices/cardbridge/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass

# Applications (DF names, selected by AID)
JPKI_AP = bytes.fromhex("D392F000260100000001")  # 公的個人認証AP
CARD_INPUT_HELPER_AP = bytes.fromhex("D3921000310001010408")  # 券面事項入力補助AP

# Files of the JPKI AP
JPKI_TOKEN_EF = bytes.fromhex("0006")  # "JPKIAPICCTOKEN2" on a My Number card
JPKI_AUTH_CERT_EF = bytes.fromhex("000A")  # 利用者証明用電子証明書
JPKI_AUTH_CA_CERT_EF = bytes.fromhex("000B")  # its issuing CA's certificate
JPKI_AUTH_KEY_EF = bytes.fromhex("0017")  # 利用者証明用 private key
JPKI_AUTH_PIN_EF = bytes.fromhex("0018")  # 利用者証明用暗証番号 (4 digits, 3 tries)

# Files of the 券面事項入力補助AP
HELPER_INDIVIDUAL_NUMBER_EF = bytes.fromhex("0001")  # 個人番号 (protected by the PIN)
HELPER_BASIC_FOUR_EF = bytes.fromhex("0002")  # 基本4情報 (protected by the PIN)
HELPER_PIN_EF = bytes.fromhex("0011")  # 券面事項入力補助用暗証番号 (4 digits, 3 tries)

MY_NUMBER_CARD_TOKEN = b"JPKIAPICCTOKEN2"

# DER DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1): the card pads and signs what it is given.
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")

# Status words
SW_OK = (0x90, 0x00)
SW_AUTH_BLOCKED = (0x69, 0x83)
SW_SECURITY_NOT_SATISFIED = (0x69, 0x82)
SW_FILE_NOT_FOUND = (0x6A, 0x82)


def select_application(aid: bytes) -> list[int]:
    """SELECT FILE by DF name, no response data (P1=04, P2=0C)."""
    return [0x00, 0xA4, 0x04, 0x0C, len(aid), *aid]


def select_file(file_id: bytes) -> list[int]:
    """SELECT FILE by EF identifier under the current DF, no response data (P1=02, P2=0C)."""
    return [0x00, 0xA4, 0x02, 0x0C, len(file_id), *file_id]


def pin_status() -> list[int]:
    """VERIFY without data: the card answers 63 Cx with x tries left and changes nothing."""
    return [0x00, 0x20, 0x00, 0x80]


def verify_pin(pin: str) -> list[int]:
    """VERIFY with the PIN as ASCII digits against the selected PIN file (P2=80: specific reference)."""
    data = pin.encode("ascii")
    return [0x00, 0x20, 0x00, 0x80, len(data), *data]


def read_binary(offset: int, length: int) -> list[int]:
    """READ BINARY at a 15-bit offset; length 256 is sent as Le=00."""
    if not 0 <= offset <= 0x7FFF or not 1 <= length <= 256:
        raise ValueError("offset or length out of range for a short READ BINARY")
    return [0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF]


def compute_signature(digest_info: bytes) -> list[int]:
    """COMPUTE DIGITAL SIGNATURE (proprietary CLA 80) with the selected key: PKCS#1 v1.5 over a DigestInfo."""
    return [0x80, 0x2A, 0x00, 0x80, len(digest_info), *digest_info, 0x00]


def tries_left(sw1: int, sw2: int) -> int | None:
    """Remaining PIN tries from a VERIFY answer; 0 when blocked; None when the answer is not about tries."""
    if (sw1, sw2) == SW_AUTH_BLOCKED:
        return 0
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return sw2 & 0x0F
    return None


@dataclass(frozen=True)
class Tlv:
    tag: bytes
    value: bytes


def parse_tlv(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """One BER-TLV (ISO/IEC 7816-4 section 5.2) at offset; returns it and the offset after it.

    Tags are kept as raw bytes: the card writes some non-minimally (the individual number under FF 10),
    which strict DER decoders refuse.
    """
    start = offset
    if offset >= len(data):
        raise ValueError("TLV: no data")
    offset += 1
    if data[start] & 0x1F == 0x1F:  # multi-byte tag
        while True:
            if offset >= len(data):
                raise ValueError("TLV: truncated tag")
            offset += 1
            if data[offset - 1] & 0x80 == 0:
                break
    tag = data[start:offset]
    if offset >= len(data):
        raise ValueError("TLV: truncated length")
    first = data[offset]
    offset += 1
    if first < 0x80:
        length = first
    elif first in (0x81, 0x82, 0x83):
        count = first - 0x80
        if offset + count > len(data):
            raise ValueError("TLV: truncated length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    else:
        raise ValueError("TLV: unsupported length form")
    if offset + length > len(data):
        raise ValueError("TLV: value longer than the data")
    return Tlv(tag, data[offset : offset + length]), offset + length


def encoded_size(header: bytes) -> int:
    """Total size of the TLV whose first bytes (tag and length, at most 7 bytes) are given."""
    offset = 1
    if header[0] & 0x1F == 0x1F:
        while header[offset] & 0x80:
            offset += 1
        offset += 1
    first = header[offset]
    offset += 1
    if first < 0x80:
        return offset + first
    count = first - 0x80
    return offset + count + int.from_bytes(header[offset : offset + count], "big")


def children(value: bytes) -> dict[bytes, bytes]:
    """The TLVs inside a constructed value, by tag (padding bytes FF or 00 after the last one are ignored)."""
    items: dict[bytes, bytes] = {}
    offset = 0
    while offset < len(value) and value[offset] not in (0x00, 0xFF):
        tlv, offset = parse_tlv(value, offset)
        items[tlv.tag] = tlv.value
    return items
