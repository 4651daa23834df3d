"""An emulated My Number card that plugs into pcscd's virtual reader (vsmartcard's vpcd) over TCP.

vpcd framing: a 2-byte big-endian length, then the payload. A 1-byte payload is a control (0 power off,
1 power on, 2 reset, 4 send the ATR); anything longer is a command APDU, answered with data + SW1 SW2.
Closing the socket removes the card from the reader.

The card holds the two applications the bridge uses, with the files, PIN counters and signing key of a
real card (see devices/cardbridge/README.md for the sources); it answers only the commands it knows.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import rsa

from devices.cardbridge import apdu

ATR = bytes.fromhex("3BE000FF8131FE4514")  # the My Number card's ATR as OpenSC's JPKI driver lists it

SEX_CODES = {"male": "1", "female": "2", "not_applicable": "9", "unknown": "0"}


@dataclass
class Pin:
    value: str
    tries_left: int
    max_tries: int


@dataclass
class CardData:
    name: str
    address: str
    date_of_birth: str  # YYYY-MM-DD
    sex: str  # male | female | not_applicable | unknown
    individual_number: str
    auth_certificate_der: bytes
    auth_ca_certificate_der: bytes
    auth_key: rsa.RSAPrivateKey
    helper_pin: Pin = field(default_factory=lambda: Pin("1234", 3, 3))
    auth_pin: Pin = field(default_factory=lambda: Pin("1234", 3, 3))


def basic_four_record(data: CardData) -> bytes:
    items = [
        (0x22, data.name.encode("utf-8")),
        (0x23, data.address.encode("utf-8")),
        (0x24, data.date_of_birth.replace("-", "").encode("ascii")),
        (0x25, SEX_CODES[data.sex].encode("ascii")),
    ]
    # DF21 holds 2-byte offsets of the four items inside the record (its exact meaning is not needed here).
    header = b"".join(struct.pack(">H", 0) for _ in items)
    body = _tlv(b"\xdf\x21", header) + b"".join(_tlv(bytes([0xDF, tag]), value) for tag, value in items)
    return _tlv(b"\xff\x20", body) + b"\xff" * 16  # files are longer than their record


def individual_number_record(number: str) -> bytes:
    return _tlv(b"\xff\x10", number.encode("ascii")) + b"\xff"  # non-minimal tag, as on the card


def _tlv(tag: bytes, value: bytes) -> bytes:
    if len(value) < 0x80:
        length = bytes([len(value)])
    elif len(value) <= 0xFF:
        length = bytes([0x81, len(value)])
    else:
        length = bytes([0x82]) + struct.pack(">H", len(value))
    return tag + length + value


class EmulatedMyNumberCard:
    """The card's state machine: APDU in, response out."""

    def __init__(self, data: CardData) -> None:
        self.data = data
        self.commands: list[bytes] = []  # every command APDU received, for assertions
        token = apdu.MY_NUMBER_CARD_TOKEN.ljust(0x20, b" ")
        self._files: dict[bytes, dict[bytes, bytes | Pin | rsa.RSAPrivateKey]] = {
            apdu.JPKI_AP: {
                apdu.JPKI_TOKEN_EF: token,
                apdu.JPKI_AUTH_CERT_EF: data.auth_certificate_der,
                apdu.JPKI_AUTH_CA_CERT_EF: data.auth_ca_certificate_der,
                apdu.JPKI_AUTH_KEY_EF: data.auth_key,
                apdu.JPKI_AUTH_PIN_EF: data.auth_pin,
            },
            apdu.CARD_INPUT_HELPER_AP: {
                apdu.HELPER_INDIVIDUAL_NUMBER_EF: individual_number_record(data.individual_number),
                apdu.HELPER_BASIC_FOUR_EF: basic_four_record(data),
                apdu.HELPER_PIN_EF: data.helper_pin,
            },
        }
        # Files readable only after the application's PIN was verified in this power cycle.
        self._protected = {
            (apdu.CARD_INPUT_HELPER_AP, apdu.HELPER_INDIVIDUAL_NUMBER_EF): apdu.HELPER_PIN_EF,
            (apdu.CARD_INPUT_HELPER_AP, apdu.HELPER_BASIC_FOUR_EF): apdu.HELPER_PIN_EF,
            (apdu.JPKI_AP, apdu.JPKI_AUTH_KEY_EF): apdu.JPKI_AUTH_PIN_EF,
        }
        self.power_off()

    def power_off(self) -> None:
        """Power loss clears the selection and every verified PIN, as on a real card."""
        self._application: bytes | None = None
        self._file: bytes | None = None
        self._verified: set[tuple[bytes, bytes]] = set()

    def respond(self, command: bytes) -> bytes:
        self.commands.append(command)
        if len(command) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = command[:4]
        body = command[4:]
        if (cla, ins) == (0x00, 0xA4):
            return self._select(p1, p2, _data(body))
        if (cla, ins, p1, p2) == (0x00, 0x20, 0x00, 0x80):
            return self._verify(_data(body))
        if (cla, ins) == (0x00, 0xB0):
            return self._read_binary((p1 << 8) | p2, body[0] if body else 0)
        if (cla, ins, p1, p2) == (0x80, 0x2A, 0x00, 0x80):
            return self._sign(_data(body))
        return b"\x6d\x00" if cla in (0x00, 0x80) else b"\x6e\x00"

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 == 0x04 and data in self._files:
            self._application, self._file = data, None
            return b"\x90\x00"
        if p1 == 0x02 and self._application is not None and data in self._files[self._application]:
            self._file = data
            return b"\x90\x00"
        return b"\x6a\x82"

    def _current(self) -> bytes | Pin | rsa.RSAPrivateKey | None:
        if self._application is None or self._file is None:
            return None
        return self._files[self._application][self._file]

    def _verify(self, pin: bytes) -> bytes:
        current = self._current()
        if not isinstance(current, Pin):
            return b"\x69\x86"  # command not allowed: no PIN file selected
        if current.tries_left == 0:
            return b"\x69\x83"
        if not pin:
            return bytes([0x63, 0xC0 | current.tries_left])
        assert self._application is not None and self._file is not None
        if pin == current.value.encode("ascii"):
            current.tries_left = current.max_tries
            self._verified.add((self._application, self._file))
            return b"\x90\x00"
        current.tries_left -= 1
        return bytes([0x63, 0xC0 | current.tries_left])

    def _allowed(self) -> bool:
        assert self._application is not None and self._file is not None
        pin_file = self._protected.get((self._application, self._file))
        return pin_file is None or (self._application, pin_file) in self._verified

    def _read_binary(self, offset: int, length: int) -> bytes:
        current = self._current()
        if not isinstance(current, bytes):
            return b"\x69\x86"
        if not self._allowed():
            return b"\x69\x82"
        if offset >= len(current):
            return b"\x6b\x00"
        return current[offset : offset + (length or 256)] + b"\x90\x00"

    def _sign(self, digest_info: bytes) -> bytes:
        current = self._current()
        if not isinstance(current, rsa.RSAPrivateKey):
            return b"\x69\x86"
        if not self._allowed():
            return b"\x69\x82"
        return _pkcs1_v15_sign(current, digest_info) + b"\x90\x00"


def _data(body: bytes) -> bytes:
    """The command data of a short APDU body (Lc data [Le]); empty for case 1 and 2."""
    if len(body) <= 1:
        return b""
    return body[1 : 1 + body[0]]


def _pkcs1_v15_sign(key: rsa.RSAPrivateKey, digest_info: bytes) -> bytes:
    """What the card does: EMSA-PKCS1-v1_5 padding (RFC 8017 9.2 step 5) around the given DigestInfo, then RSA."""
    numbers = key.private_numbers()
    size = (key.key_size + 7) // 8
    encoded = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    signature = pow(int.from_bytes(encoded, "big"), numbers.d, numbers.public_numbers.n)
    return signature.to_bytes(size, "big")


class VirtualCardSlot:
    """Inserts an emulated card into vpcd's reader at host:port; remove() pulls it out."""

    def __init__(self, card: EmulatedMyNumberCard, port: int, host: str = "127.0.0.1") -> None:
        self.card = card
        self._address = (host, port)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self) -> VirtualCardSlot:
        self._socket = socket.create_connection(self._address, timeout=10)
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, args=(self._socket,), daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.card.power_off()

    def _serve(self, connection: socket.socket) -> None:
        try:
            while True:
                header = _receive(connection, 2)
                if header is None:
                    return
                payload = _receive(connection, struct.unpack(">H", header)[0])
                if payload is None:
                    return
                answer = self._answer(payload)
                if answer is not None:
                    connection.sendall(struct.pack(">H", len(answer)) + answer)
        except OSError:
            return

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            control = payload[0]
            if control in (0, 2):  # power off, reset: no answer
                self.card.power_off()
                return None
            if control == 1:  # power on
                return None
            if control == 4:
                return ATR
            return None
        return self.card.respond(payload)


def _receive(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
