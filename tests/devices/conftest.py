"""Fixtures for the card-reader bridge: a private pcscd with a virtual reader and emulated My Number cards."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from smartcard import scard

from tests.devices.mynumber_card import CardData, EmulatedMyNumberCard, Pin, VirtualCardSlot
from tests.devices.pcscd import PcscDaemon
from tests.devices.pki import TestCa

RESIDENTS = Path(__file__).resolve().parents[2] / "infra" / "seed" / "residents.json"
PIN = "1234"


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PcscDaemon]:
    reason = PcscDaemon.missing()
    if reason:
        pytest.fail(f"the PC/SC test path cannot run: {reason}")
    daemon = PcscDaemon().start()
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    os.environ.update(daemon.env)  # libpcsclite in this process (pyscard) talks to our daemon
    yield daemon
    daemon.stop()
    if previous is None:
        os.environ.pop("PCSCLITE_CSOCK_NAME", None)
    else:
        os.environ["PCSCLITE_CSOCK_NAME"] = previous


@pytest.fixture(scope="session")
def test_ca() -> TestCa:
    return TestCa()


def resident(resident_id: str) -> dict[str, str]:
    residents: list[dict[str, str]] = json.loads(RESIDENTS.read_text(encoding="utf-8"))
    return next(r for r in residents if r["id"] == resident_id)


@pytest.fixture
def make_card(test_ca: TestCa) -> Callable[..., CardData]:
    def make(*, name: str, address: str, date_of_birth: str, sex: str, holder: str, individual_number: str) -> CardData:
        issued = test_ca.issue(holder=holder)
        return CardData(
            name=name,
            address=address,
            date_of_birth=date_of_birth,
            sex=sex,
            individual_number=individual_number,
            auth_certificate_der=issued.certificate.public_bytes(Encoding.DER),
            auth_ca_certificate_der=test_ca.certificate.public_bytes(Encoding.DER),
            auth_key=issued.key,
            helper_pin=Pin(PIN, 3, 3),
            auth_pin=Pin(PIN, 3, 3),
        )

    return make


@pytest.fixture
def resident_1_card(make_card: Callable[..., CardData]) -> CardData:
    """The card of demo resident resident-1: its four items are hers in infra/seed/residents.json."""
    person = resident("resident-1")
    return make_card(
        name=person["name"],
        address=person["address"],
        date_of_birth=person["date_of_birth"],
        sex=person["sex"],
        holder="resident-1",
        individual_number="123456789018",
    )


@pytest.fixture
def stranger_card(make_card: Callable[..., CardData]) -> CardData:
    """A genuine card whose four items match no demo resident."""
    return make_card(
        name="他市 太郎",
        address="愛知県名古屋市中区三の丸3丁目1番1号",
        date_of_birth="1970-01-01",
        sex="male",
        holder="stranger",
        individual_number="987654321096",
    )


@pytest.fixture
def insert_card(pcscd: PcscDaemon) -> Iterator[Callable[[CardData], VirtualCardSlot]]:
    slots: list[VirtualCardSlot] = []

    def insert(data: CardData) -> VirtualCardSlot:
        slot = VirtualCardSlot(EmulatedMyNumberCard(data), pcscd.port).insert()
        slots.append(slot)
        wait_for_reader(present=True)
        return slot

    yield insert
    for slot in slots:
        slot.remove()
    wait_for_reader(present=False)


READER = "Virtual PCD 00 00"  # vpcd's first reader, the one the emulated card plugs into


def wait_for_reader(*, present: bool) -> None:
    """Block until pcscd has seen the card arrive or leave (it polls vpcd), through PC/SC itself."""
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert result == scard.SCARD_S_SUCCESS, scard.SCardGetErrorMessage(result)
    try:
        state = scard.SCARD_STATE_UNAWARE
        for _ in range(100):
            result, states = scard.SCardGetStatusChange(context, 200, [(READER, state)])
            if result == scard.SCARD_S_SUCCESS:
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if bool(state & scard.SCARD_STATE_PRESENT) == present:
                return
        raise AssertionError(f"the reader never became {'present' if present else 'empty'}")
    finally:
        scard.SCardReleaseContext(context)
