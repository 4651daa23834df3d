"""The bridge's core: one reader, one card operation at a time, events for the pages.

PC/SC through pyscard only; the HTTP server (server.py) is a thin doorway to these methods.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from smartcard import scard
from smartcard.Exceptions import CardConnectionException, NoCardException
from smartcard.System import readers as list_readers

from devices.cardbridge.card import (
    BasicFour,
    CardError,
    ChallengeSignature,
    LastPinTry,
    MyNumberCard,
    PinLocked,
    WrongPin,
)
from devices.cardbridge.events import EventLog

log = logging.getLogger("cardbridge")
T = TypeVar("T")


class NoCard(CardError):
    code = "no_card"


class NoReader(CardError):
    code = "no_reader"


class NotPermitted(CardError):
    code = "not_permitted"


@dataclass(frozen=True)
class BridgeConfig:
    reader: str | None = None  # part of the reader's PC/SC name; None: the first reader holding a card
    allow_last_pin_try: bool = False  # kiosks keep the default; a counter PC with staff beside may allow it
    # Procedures for which a law (番号法 別表) lets the city collect the 個人番号; empty: never read it.
    individual_number_procedures: frozenset[str] = field(default_factory=frozenset)


class CardBridge:
    def __init__(self, config: BridgeConfig, events: EventLog | None = None) -> None:
        self.config = config
        self.events = events or EventLog()
        self._card_lock = threading.Lock()  # one operation at a time: the PIN state belongs to one resident
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self.readers_with_card: dict[str, bool] = {}

    # -- card operations --------------------------------------------------------------------------------------

    def pin_status(self) -> dict[str, int]:
        return self._with_card(
            lambda card: {name: card.pin_tries_left(name) for name in ("card_input_helper", "jpki_auth")}
        )

    def basic_four(self, pin: str) -> BasicFour:
        return self._with_card(lambda card: card.read_basic_four(pin, allow_last_try=self.config.allow_last_pin_try))

    def sign_challenge(self, challenge: bytes, pin: str) -> ChallengeSignature:
        return self._with_card(
            lambda card: card.sign_challenge(challenge, pin, allow_last_try=self.config.allow_last_pin_try)
        )

    def individual_number(self, pin: str, procedure: str) -> str:
        if procedure not in self.config.individual_number_procedures:
            raise NotPermitted(f"procedure {procedure!r} is not configured to need the individual number")
        return self._with_card(
            lambda card: card.read_individual_number(pin, allow_last_try=self.config.allow_last_pin_try)
        )

    def _with_card(self, operation: Callable[[MyNumberCard], T]) -> T:
        with self._card_lock:
            reader = self._reader_with_card()
            connection = reader.createConnection()
            try:
                # Exclusive: nothing else talks to the card meanwhile; disconnecting unpowers it, which
                # clears the verified PIN before the next resident.
                connection.connect(mode=scard.SCARD_SHARE_EXCLUSIVE)
            except (NoCardException, CardConnectionException) as error:
                connection.release()
                raise NoCard("no card in the reader") from error
            try:
                card = MyNumberCard(connection)
                card.check()
                return operation(card)
            except (WrongPin, PinLocked, LastPinTry) as error:
                self._emit_pin_event(str(reader), error)
                raise
            except CardConnectionException as error:
                raise NoCard("the card was removed during the operation") from error
            finally:
                with contextlib.suppress(CardConnectionException):
                    connection.release()  # disconnects (unpowering the card) and frees the PC/SC context

    def _emit_pin_event(self, reader: str, error: WrongPin | PinLocked | LastPinTry) -> None:
        kind = {WrongPin: "wrong_pin", PinLocked: "pin_locked", LastPinTry: "pin_last_try"}[type(error)]
        self.events.emit(kind, reader=reader, pin=error.pin, tries_left=error.tries_left)

    def _reader_with_card(self) -> Any:
        available = [reader for reader in list_readers() if self._wanted(str(reader))]
        if not available:
            raise NoReader("no card reader is connected")
        for reader in available:
            if self.readers_with_card.get(str(reader), True):
                return reader
        raise NoCard("no card in the reader")

    def _wanted(self, reader_name: str) -> bool:
        return self.config.reader is None or self.config.reader in reader_name

    # -- reader monitoring ------------------------------------------------------------------------------------

    def start_monitor(self) -> None:
        self._stop.clear()
        self._monitor = threading.Thread(target=self._watch, name="cardbridge-monitor", daemon=True)
        self._monitor.start()

    def stop_monitor(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout=5)

    def _watch(self) -> None:
        """SCardGetStatusChange with a short timeout, so stop_monitor returns promptly."""
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != scard.SCARD_S_SUCCESS:
            log.error("PC/SC is not available: %s", scard.SCardGetErrorMessage(result))
            return
        try:
            states: dict[str, int] = {}
            while not self._stop.is_set():
                result, names = scard.SCardListReaders(context, [])
                if result != scard.SCARD_S_SUCCESS:
                    names = []  # no reader connected (SCARD_E_NO_READERS_AVAILABLE) or the service restarting
                names = [name for name in names or [] if self._wanted(name)]
                for name in set(states) - set(names):
                    was_present = self.readers_with_card.pop(name, False)
                    states.pop(name)
                    if was_present:
                        self.events.emit("card_removed", reader=name)
                    self.events.emit("reader_removed", reader=name)
                for name in names:
                    if name not in states:
                        states[name] = scard.SCARD_STATE_UNAWARE
                        self.events.emit("reader_added", reader=name)
                if not names:
                    self._stop.wait(0.5)
                    continue
                result, new_states = scard.SCardGetStatusChange(context, 300, [(n, states[n]) for n in names])
                if result == scard.SCARD_E_TIMEOUT:
                    continue
                if result != scard.SCARD_S_SUCCESS:
                    self._stop.wait(0.3)
                    continue
                for name, event_state, _atr in new_states:
                    states[name] = event_state & ~scard.SCARD_STATE_CHANGED
                    present = bool(event_state & scard.SCARD_STATE_PRESENT)
                    if present != self.readers_with_card.get(name, False):
                        self.readers_with_card[name] = present
                        self.events.emit("card_inserted" if present else "card_removed", reader=name)
        finally:
            scard.SCardReleaseContext(context)
