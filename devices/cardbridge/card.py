"""The My Number card's three operations the counters need, over one PC/SC connection (pyscard).

PIN rule: read the remaining tries (VERIFY with no data) before every VERIFY, never retry on our own, and
refuse to spend the last try unless the caller says so: a blocked PIN can only be reset at city hall.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from devices.cardbridge import apdu

PinName = Literal["card_input_helper", "jpki_auth"]
Sex = Literal["male", "female", "not_applicable", "unknown"]

_PIN_FILES: dict[PinName, tuple[bytes, bytes]] = {
    "card_input_helper": (apdu.CARD_INPUT_HELPER_AP, apdu.HELPER_PIN_EF),
    "jpki_auth": (apdu.JPKI_AP, apdu.JPKI_AUTH_PIN_EF),
}
_SEX_CODES: dict[str, Sex] = {"1": "male", "2": "female", "9": "not_applicable", "0": "unknown"}  # ISO/IEC 5218


class Connection(Protocol):
    """The part of pyscard's CardConnection the card needs."""

    def transmit(self, command: list[int]) -> tuple[list[int], int, int]: ...


class CardError(Exception):
    """The card answered something other than success; code names the situation for the pages."""

    code = "card_error"

    def __init__(self, message: str, *, sw: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.sw = sw


class NotMyNumberCard(CardError):
    code = "not_my_number_card"


class InvalidPinFormat(CardError):
    code = "invalid_pin_format"


class WrongPin(CardError):
    code = "wrong_pin"

    def __init__(self, pin: PinName, tries_left: int) -> None:
        super().__init__(f"wrong PIN for {pin}: {tries_left} tries left")
        self.pin = pin
        self.tries_left = tries_left


class PinLocked(CardError):
    code = "pin_locked"

    def __init__(self, pin: PinName) -> None:
        super().__init__(f"the {pin} PIN is blocked; it can only be reset at the city hall counter")
        self.pin = pin
        self.tries_left = 0


class LastPinTry(CardError):
    """Only one try is left: the bridge stops instead of risking the lock."""

    code = "pin_last_try"

    def __init__(self, pin: PinName) -> None:
        super().__init__(f"only one try is left for the {pin} PIN; use the city hall counter to avoid a lock")
        self.pin = pin
        self.tries_left = 1


@dataclass(frozen=True)
class BasicFour:
    """基本4情報 as written on the card, normalised to NFC; dates in ISO 8601."""

    name: str
    address: str
    date_of_birth: str
    sex: Sex


@dataclass(frozen=True)
class ChallengeSignature:
    signature: bytes  # RSASSA-PKCS1-v1_5 with SHA-256 over the challenge
    certificate: bytes  # 利用者証明用電子証明書, DER


class MyNumberCard:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    # -- operations -------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Raise NotMyNumberCard unless the card has the JPKI AP with the My Number card's token."""
        try:
            self._select_application(apdu.JPKI_AP)
            self._select_file(apdu.JPKI_TOKEN_EF)
            token = self._read(apdu.JPKI_TOKEN_EF, 0x20)
        except CardError as error:
            raise NotMyNumberCard("this card is not a My Number card") from error
        if token.rstrip(b" \x00") != apdu.MY_NUMBER_CARD_TOKEN:
            raise NotMyNumberCard("this card is not a My Number card")

    def pin_tries_left(self, pin: PinName) -> int:
        application, pin_file = _PIN_FILES[pin]
        self._select_application(application)
        self._select_file(pin_file)
        return self._tries_left()

    def read_basic_four(self, pin: str, *, allow_last_try: bool = False) -> BasicFour:
        self._unlock("card_input_helper", pin, allow_last_try)
        self._select_file(apdu.HELPER_BASIC_FOUR_EF)
        record = self._read_tlv_file(apdu.HELPER_BASIC_FOUR_EF)
        return _basic_four(record)

    def read_individual_number(self, pin: str, *, allow_last_try: bool = False) -> str:
        """個人番号: only for procedures that legally need it; the caller must neither store nor log it."""
        self._unlock("card_input_helper", pin, allow_last_try)
        self._select_file(apdu.HELPER_INDIVIDUAL_NUMBER_EF)
        tlv, _ = apdu.parse_tlv(self._read_tlv_file(apdu.HELPER_INDIVIDUAL_NUMBER_EF))
        number = tlv.value.decode("ascii")
        if len(number) != 12 or not number.isdigit():
            raise CardError("the individual number on the card is malformed")
        return number

    def auth_certificate(self) -> bytes:
        """利用者証明用電子証明書 (readable without a PIN)."""
        self._select_application(apdu.JPKI_AP)
        self._select_file(apdu.JPKI_AUTH_CERT_EF)
        return self._read_tlv_file(apdu.JPKI_AUTH_CERT_EF)

    def sign_challenge(self, challenge: bytes, pin: str, *, allow_last_try: bool = False) -> ChallengeSignature:
        """Sign the server's challenge with the user-authentication key (the card pads PKCS#1 v1.5)."""
        if not 16 <= len(challenge) <= 1024:
            raise CardError("the challenge must be 16 to 1024 bytes")
        certificate = self.auth_certificate()
        self._unlock("jpki_auth", pin, allow_last_try)
        self._select_file(apdu.JPKI_AUTH_KEY_EF)
        digest_info = apdu.SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(challenge).digest()
        signature = self._transmit(apdu.compute_signature(digest_info), "COMPUTE DIGITAL SIGNATURE")
        return ChallengeSignature(signature=signature, certificate=certificate)

    # -- steps ------------------------------------------------------------------------------------------------

    def _unlock(self, pin_name: PinName, pin: str, allow_last_try: bool) -> None:
        if len(pin) != 4 or not pin.isascii() or not pin.isdigit():
            raise InvalidPinFormat("the PIN is four digits")  # checked before the card sees it: no try spent
        remaining = self.pin_tries_left(pin_name)  # selects the PIN file
        if remaining == 0:
            raise PinLocked(pin_name)
        if remaining == 1 and not allow_last_try:
            raise LastPinTry(pin_name)
        _data, sw1, sw2 = self._connection.transmit(apdu.verify_pin(pin))
        if (sw1, sw2) == apdu.SW_OK:
            return
        left = apdu.tries_left(sw1, sw2)
        if left is None:
            raise CardError("the card refused the PIN check", sw=(sw1, sw2))
        if left == 0:
            raise PinLocked(pin_name)
        raise WrongPin(pin_name, left)

    def _tries_left(self) -> int:
        _, sw1, sw2 = self._connection.transmit(apdu.pin_status())
        left = apdu.tries_left(sw1, sw2)
        if left is None:
            raise CardError("the card did not report the PIN's remaining tries", sw=(sw1, sw2))
        return left

    def _select_application(self, aid: bytes) -> None:
        self._transmit(apdu.select_application(aid), "SELECT application")

    def _select_file(self, file_id: bytes) -> None:
        self._transmit(apdu.select_file(file_id), "SELECT file")

    def _read(self, file_id: bytes, length: int, offset: int = 0) -> bytes:
        out = bytearray()
        while len(out) < length:
            chunk = self._transmit(
                apdu.read_binary(offset + len(out), min(256, length - len(out))), f"READ BINARY {file_id.hex()}"
            )
            if not chunk:
                break
            out += chunk
        return bytes(out)

    def _read_tlv_file(self, file_id: bytes) -> bytes:
        """A file holding one TLV: read its header, then exactly its size."""
        header = self._read(file_id, 7)
        size = apdu.encoded_size(header)
        if size <= len(header):
            return header[:size]
        return header + self._read(file_id, size - len(header), offset=len(header))

    def _transmit(self, command: list[int], what: str) -> bytes:
        data, sw1, sw2 = self._connection.transmit(command)
        if (sw1, sw2) != apdu.SW_OK:
            raise CardError(f"{what} failed with {sw1:02X} {sw2:02X}", sw=(sw1, sw2))
        return bytes(data)


def _basic_four(record: bytes) -> BasicFour:
    outer, _ = apdu.parse_tlv(record)
    if outer.tag != b"\xff\x20":
        raise CardError("the basic four items are not in the expected record")
    items = apdu.children(outer.value)
    try:
        name, address, birth, sex = (items[bytes([0xDF, tag])].decode("utf-8") for tag in (0x22, 0x23, 0x24, 0x25))
    except (KeyError, UnicodeDecodeError) as error:
        raise CardError("the basic four items are incomplete") from error
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8])).isoformat()
    except ValueError as error:
        raise CardError("the date of birth on the card is malformed") from error
    return BasicFour(
        name=unicodedata.normalize("NFC", name),
        address=unicodedata.normalize("NFC", address),
        date_of_birth=born,
        sex=_SEX_CODES.get(sex, "unknown"),
    )
