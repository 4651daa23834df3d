"""The bridge's unchanged pyscard code against emulated My Number cards, through a real pcscd and vpcd."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from devices.cardbridge import apdu
from devices.cardbridge.bridge import BridgeConfig, CardBridge, NoCard, NotPermitted
from devices.cardbridge.card import LastPinTry, PinLocked, WrongPin
from madoguchi.kiosk.jpki import JpkiTrust, verify_card_response
from tests.devices.conftest import PIN, READER, resident
from tests.devices.mynumber_card import CardData, VirtualCardSlot
from tests.devices.pcscd import PcscDaemon
from tests.devices.pki import TestCa

pytestmark = [pytest.mark.pcsc, pytest.mark.xdist_group("pcsc")]


@pytest.fixture
def bridge(pcscd: PcscDaemon) -> Iterator[CardBridge]:
    bridge = CardBridge(BridgeConfig(reader=READER))
    bridge.start_monitor()
    wait_for(bridge, "reader_added", since=0)
    yield bridge
    bridge.stop_monitor()


@pytest.fixture
def inserted(
    bridge: CardBridge, insert_card: Callable[[CardData], VirtualCardSlot]
) -> Callable[[CardData], VirtualCardSlot]:
    """Insert a card and wait until the bridge has seen it arrive."""

    def insert(data: CardData) -> VirtualCardSlot:
        since = bridge.events.last_seq
        slot = insert_card(data)
        wait_for(bridge, "card_inserted", since=since)
        return slot

    return insert


def wait_for(bridge: CardBridge, event_type: str, *, since: int) -> dict[str, Any]:
    """The first event of a type after since; fails if none comes (the daemon polls readers, so we wait)."""
    seq = since
    for _ in range(100):
        events = bridge.events.since(seq, wait_seconds=0.2)
        for event in events:
            if event["type"] == event_type:
                return event
        if events:
            seq = events[-1]["seq"]
    raise AssertionError(f"no {event_type} event after {since}: {bridge.events.since(since)}")


def verifies(certificate_der: bytes, signature: bytes, message: bytes) -> bool:
    public_key = x509.load_der_x509_certificate(certificate_der).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    try:
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def verify_commands(slot: VirtualCardSlot) -> list[bytes]:
    return [c for c in slot.card.commands if c[:4] == bytes([0x00, 0x20, 0x00, 0x80])]


def test_reads_the_four_items_of_resident_1(bridge: CardBridge, inserted: Any, resident_1_card: CardData) -> None:
    # Given resident-1's card in the reader
    slot = inserted(resident_1_card)
    # When the bridge reads the four items with her PIN
    four = bridge.basic_four(PIN)
    # Then they are hers as the city records them
    person = resident("resident-1")
    assert asdict(four) == {key: person[key] for key in ("name", "address", "date_of_birth", "sex")}
    # And the PIN's tries were read (VERIFY without data) before the PIN was sent, once
    verifies_sent = verify_commands(slot)
    assert [len(c) for c in verifies_sent] == [4, 9]


def test_second_card_reads_items_that_match_no_resident(
    bridge: CardBridge, inserted: Any, stranger_card: CardData
) -> None:
    inserted(stranger_card)
    four = bridge.basic_four(PIN)
    assert four.name == "他市 太郎" and four.date_of_birth == "1970-01-01"
    assert not [r for r in _residents() if (r["name"], r["date_of_birth"]) == (four.name, four.date_of_birth)]


def test_signs_a_challenge_with_the_user_authentication_key(
    bridge: CardBridge, inserted: Any, resident_1_card: CardData, test_ca: TestCa
) -> None:
    inserted(resident_1_card)
    challenge = hashlib.sha256(b"server challenge").digest()
    signed = bridge.sign_challenge(challenge, PIN)
    # The certificate is the card's 利用者証明用電子証明書 and its key signed the challenge (RS256)
    assert signed.certificate == resident_1_card.auth_certificate_der
    assert verifies(signed.certificate, signed.signature, challenge)
    assert not verifies(signed.certificate, signed.signature, challenge[::-1])
    # And the cloud's JPKI check accepts the bridge's answer as it comes off the card
    trust = JpkiTrust.from_pem(
        test_ca.certificate.public_bytes(Encoding.PEM), [test_ca.crl().public_bytes(Encoding.DER)]
    )
    verified = verify_card_response(
        challenge=challenge,
        signature=signed.signature,
        certificate_der=signed.certificate,
        trust=trust,
        now=test_ca.now,
    )
    assert verified.fingerprint_sha256 == hashlib.sha256(signed.certificate).hexdigest()


def test_wrong_pins_are_counted_and_the_bridge_stops_before_the_lock(
    bridge: CardBridge, inserted: Any, resident_1_card: CardData
) -> None:
    slot = inserted(resident_1_card)
    since = bridge.events.last_seq
    # First wrong PIN: two tries left, reported as an event without the PIN
    with pytest.raises(WrongPin) as first:
        bridge.basic_four("0000")
    assert first.value.tries_left == 2
    event = wait_for(bridge, "wrong_pin", since=since)
    assert event["tries_left"] == 2 and event["pin"] == "card_input_helper" and "0000" not in str(event)
    # Second wrong PIN: one try left
    with pytest.raises(WrongPin) as second:
        bridge.basic_four("0000")
    assert second.value.tries_left == 1
    # Third attempt, even with the right PIN: the bridge refuses to spend the last try and sends no PIN
    sent_before = len(verify_commands(slot))
    with pytest.raises(LastPinTry):
        bridge.basic_four(PIN)
    assert [len(c) for c in verify_commands(slot)[sent_before:]] == [4]  # only the tries query
    assert resident_1_card.helper_pin.tries_left == 1
    wait_for(bridge, "pin_last_try", since=since)


def test_a_wrong_last_try_locks_the_card_and_the_lock_is_reported(
    pcscd: PcscDaemon, inserted: Any, resident_1_card: CardData
) -> None:
    counter_bridge = CardBridge(BridgeConfig(reader=READER, allow_last_pin_try=True))  # staff beside the resident
    slot = inserted(resident_1_card)
    for tries_left in (2, 1):
        with pytest.raises(WrongPin) as wrong:
            counter_bridge.sign_challenge(b"c" * 32, "9999")
        assert wrong.value.tries_left == tries_left
    with pytest.raises(PinLocked):
        counter_bridge.sign_challenge(b"c" * 32, "9999")
    assert resident_1_card.auth_pin.tries_left == 0
    # Once blocked, even the right PIN is not sent: the lock is read from the tries query
    sent_before = len(verify_commands(slot))
    with pytest.raises(PinLocked):
        counter_bridge.sign_challenge(b"c" * 32, PIN)
    assert [len(c) for c in verify_commands(slot)[sent_before:]] == [4]
    assert counter_bridge.events.since(0)[-1]["type"] == "pin_locked"
    # The other PIN has its own counter
    assert counter_bridge.pin_status() == {"card_input_helper": 3, "jpki_auth": 0}


def test_a_right_pin_resets_the_counter(bridge: CardBridge, inserted: Any, resident_1_card: CardData) -> None:
    inserted(resident_1_card)
    with pytest.raises(WrongPin):
        bridge.basic_four("0000")
    bridge.basic_four(PIN)
    assert bridge.pin_status()["card_input_helper"] == 3


def test_removed_card_is_reported_and_operations_refuse(
    bridge: CardBridge, inserted: Any, resident_1_card: CardData
) -> None:
    slot = inserted(resident_1_card)
    since = bridge.events.last_seq
    slot.remove()
    assert wait_for(bridge, "card_removed", since=since)["reader"] == READER
    with pytest.raises(NoCard):
        bridge.basic_four(PIN)


def test_the_verified_pin_does_not_outlive_the_operation(
    bridge: CardBridge, inserted: Any, resident_1_card: CardData
) -> None:
    slot = inserted(resident_1_card)
    bridge.basic_four(PIN)
    # A later connection that skips VERIFY cannot read the protected record: the card was unpowered
    from smartcard.System import readers

    connection = next(r for r in readers() if str(r) == READER).createConnection()
    connection.connect()
    try:
        connection.transmit(apdu.select_application(apdu.CARD_INPUT_HELPER_AP))
        connection.transmit(apdu.select_file(apdu.HELPER_BASIC_FOUR_EF))
        _, sw1, sw2 = connection.transmit(apdu.read_binary(0, 7))
    finally:
        connection.release()
    assert (sw1, sw2) == apdu.SW_SECURITY_NOT_SATISFIED
    assert slot.card.commands  # the emulated card saw the commands: the path was real


def test_individual_number_only_for_configured_procedures(
    pcscd: PcscDaemon, inserted: Any, resident_1_card: CardData
) -> None:
    inserted(resident_1_card)
    kiosk = CardBridge(BridgeConfig(reader=READER))
    with pytest.raises(NotPermitted):
        kiosk.individual_number(PIN, "juminhyo")
    assert resident_1_card.helper_pin.tries_left == 3  # refused before the card was touched
    counter = CardBridge(BridgeConfig(reader=READER, individual_number_procedures=frozenset({"jidou-teate"})))
    assert counter.individual_number(PIN, "jidou-teate") == "123456789018"


def _residents() -> list[dict[str, str]]:
    return [resident(r) for r in ("resident-1", "resident-2", "resident-pt")]
