"""Kiosk sessions: one resident at one enrolled kiosk, from the card's challenge to the certificates ordered.

A session keeps the challenge it issued (random, sent to the kiosk anyway) so the card's signature can be checked
against it exactly once, and after authentication only the resident's id and the certificate's fingerprint:
never the card's four items, the PIN or the signature.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from madoguchi.shared.errors import Conflict, DomainError, Forbidden, Unauthorized

CHALLENGE_BYTES = 32
CHALLENGE_SECONDS = 120  # card in, PIN typed, signature back
SESSION_SECONDS = 15 * 60  # choose, pay, print; the kiosk wipes its screen sooner on inactivity

SessionState = Literal["challenged", "verifying", "authenticated", "refused"]
Sex = Literal["male", "female", "not_applicable", "unknown"]


class KioskSession(BaseModel):
    id: str
    kiosk: str = Field(description="The enrolled kiosk's device id (token sub) that opened the session")
    challenge: str = Field(description="base64url of the random challenge the card must sign")
    state: SessionState
    created_at: datetime
    challenge_expires_at: datetime
    expires_at: datetime
    resident_id: str | None = None
    certificate_fingerprint: str | None = Field(default=None, description="SHA-256 of the card's certificate")
    refusal: str | None = None


class SessionStarted(BaseModel):
    session_id: str
    challenge: str = Field(description="base64url; the kiosk hands it to the card bridge's /v1/card/sign")
    challenge_expires_at: datetime


class CardFourItems(BaseModel):
    """The basic four items as the card bridge read them (POST /v1/card/basic-four)."""

    name: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=300)
    date_of_birth: date
    sex: Sex


class AuthenticateRequest(BaseModel):
    signature: str = Field(min_length=1, max_length=1024, description="base64url, from the card bridge")
    certificate: str = Field(min_length=1, max_length=8192, description="base64url DER, from the card bridge")
    basic_four: CardFourItems


class Authenticated(BaseModel):
    session_id: str
    state: Literal["authenticated"] = "authenticated"
    expires_at: datetime


def b64url_decode(value: str) -> bytes | None:
    try:  # validate: the lenient default silently drops characters outside the alphabet
        return base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- Domain errors (each code has a translated message in madoguchi.shared.i18n) ---------------------------


class ChallengeUsed(Conflict):
    """The session's challenge was already answered (a replay, or a second tap)."""

    code = "kiosk_challenge_used"


class ChallengeExpired(Unauthorized):
    code = "kiosk_challenge_expired"


class CardRefused(Forbidden):
    """The card's certificate or signature did not verify (forged, another CA, revoked, expired …)."""

    code = "kiosk_card_refused"


class ResidentNotMatched(Forbidden):
    """A genuine card whose four items match no resident record of this city."""

    code = "kiosk_resident_not_matched"


class KioskUnavailable(DomainError):
    """The deployment has no usable JPKI CA configured: the kiosk says so before a resident types a PIN."""

    status = 503
    code = "kiosk_unavailable"


# --- Orders at the kiosk: a certificate, paid on the kiosk's card terminal, then printed -------------------

# The procedure catalogue's ids (the fee is the procedure's); koseki-shomei is the 戸籍全部事項証明書, made from
# the family-register port (docs/kiosk.md)
CertificateKind = Literal["juminhyo", "inkan-toroku-shomei", "shotoku-kazei-shomei", "koseki-shomei"]
Scope = Literal["self", "household"]
# refunding/refunded: paid, but no poll saw it before the session ended, so nothing was printed (the reconciler)
OrderState = Literal["awaiting_payment", "issued", "declined", "canceled", "refunding", "refunded"]
WAITING_STATES = ("awaiting_payment", "refunding")  # what the reconciler still has to settle
MAX_COPIES = 10  # the counter handles bulk requests (and their purpose check)


class OrderRequest(BaseModel):
    certificate: CertificateKind = Field(
        description="住民票の写し (juminhyo), 印鑑登録証明書 (inkan-toroku-shomei) or 所得課税証明書 "
        "(shotoku-kazei-shomei) or 戸籍全部事項証明書 (koseki-shomei: the card holder's own register, kept by this "
        "city); the rest at the counter"
    )
    copies: int = Field(ge=1, le=MAX_COPIES)
    scope: Scope = Field(
        default="self", description="self: the card holder only (本人のみ); household: 世帯全員 (住民票の写し only)"
    )
    fiscal_year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="所得課税証明書 only, and required there: the tax year (年度, April–March) by its starting year; "
        "it shows the income of the calendar year before",
    )

    @model_validator(mode="after")
    def _fits_the_certificate(self) -> OrderRequest:
        if self.certificate != "juminhyo" and self.scope != "self":
            raise ValueError("only a 住民票の写し lists the household")
        if (self.certificate == "shotoku-kazei-shomei") != (self.fiscal_year is not None):
            raise ValueError("fiscal_year is required for, and only for, shotoku-kazei-shomei")
        return self


class KioskOrder(BaseModel):
    """An order keeps the resident id and what was asked, never the record's content: the PDF is made from the
    city's records each time it is fetched."""

    id: str
    session_id: str
    kiosk: str
    resident_id: str
    certificate: CertificateKind
    copies: int
    scope: Scope
    amount: int
    state: OrderState
    fiscal_year: int | None = None
    created_at: datetime
    payment_intent_id: str | None = None
    reader_id: str | None = None
    decline_code: str | None = None
    issue_number: str | None = None
    verification_code: str | None = None
    issued_at: datetime | None = None
    refund_id: str | None = None
    # Who ended the order when no poll of the kiosk did, and when (the audit of the reconciler's decisions)
    settled_by: str | None = None
    settled_at: datetime | None = None


class OrderView(BaseModel):
    order_id: str
    state: OrderState
    certificate: CertificateKind
    copies: int
    scope: Scope
    fiscal_year: int | None = None
    amount: int = Field(description="Fee in yen, paid on the kiosk's card terminal")
    decline_code: str | None = Field(default=None, description="Why the terminal declined the card")
    issue_number: str | None = None
    issued_at: datetime | None = None
    pdf: str | None = Field(
        default=None, description="The certificate (application/pdf, base64), once paid; made afresh each time"
    )


class HouseholdMember(BaseModel):
    name: str
    date_of_birth: date
    sex: Sex
    relationship: str = Field(description="続柄 as the record writes it (世帯主, 妻, 子 …)")
    became_resident_on: date


class SealRegistration(BaseModel):
    """The resident's registered seal (印鑑登録原票), as a 印鑑登録証明書 shows it."""

    number: str = Field(description="印鑑登録番号")
    registered_on: date
    impression: str = Field(
        description="The seal's characters; the city's register holds the scanned impression, drawn in its place"
    )


class TaxYear(BaseModel):
    """One tax year (年度) of the resident's municipal tax assessment, as a 所得課税証明書 shows it."""

    fiscal_year: int = Field(description="The 年度 by its starting year (2026 = 令和8年度: income of 2025)")
    total_income_yen: int = Field(ge=0, description="総所得金額")
    deductions_yen: int = Field(ge=0, description="所得控除額の合計")
    taxable_income_yen: int = Field(ge=0, description="課税標準額")
    municipal_tax_yen: int = Field(ge=0, description="市民税額 (所得割 + 均等割)")
    prefectural_tax_yen: int = Field(ge=0, description="県民税額 (所得割 + 均等割)")


class ResidentRecord(BaseModel):
    """The part of the city's resident record (住民記録) a certificate shows (個人番号, 本籍 and 筆頭者 omitted),
    with the resident's seal registration and tax assessments where the city holds them."""

    id: str
    address: str
    household_head: str
    members: list[HouseholdMember] = Field(description="The resident first, then the rest of the household")
    seal: SealRegistration | None = None
    tax_years: list[TaxYear] = Field(default_factory=list)

    def tax_year(self, fiscal_year: int) -> TaxYear | None:
        return next((year for year in self.tax_years if year.fiscal_year == fiscal_year), None)


class StatusEntry(BaseModel):
    """One 身分事項 of a register member: what happened (出生, 婚姻 …), when, and the register's wording of it."""

    kind: Literal["birth", "marriage", "divorce", "adoption", "death", "entry", "removal"]
    on: date
    detail: str = Field(description="The rest of the entry as the register writes it (出生地, 配偶者氏名 …)")


class RegisterMember(BaseModel):
    name: str
    date_of_birth: date
    sex: Sex
    father: str | None = None
    mother: str | None = None
    relationship: str = Field(description="続柄 to the parents as the register writes it (長男, 長女 …)")
    spouse_role: Literal["夫", "妻"] | None = Field(default=None, description="配偶者区分, while married")
    status: list[StatusEntry] = Field(default_factory=list, description="身分事項, oldest first")


class FamilyRegister(BaseModel):
    """A 戸籍 this city keeps (本籍地 here), as a 戸籍全部事項証明書 shows it: 本籍, 筆頭者 and every member."""

    honseki: str = Field(description="本籍: in this city, or the city does not keep the register")
    head: str = Field(description="筆頭者氏名")
    members: list[RegisterMember] = Field(description="In the register's order: the 筆頭者 first")
    made_on: date | None = Field(default=None, description="戸籍編製日")


class SessionNotAuthenticated(Forbidden):
    code = "kiosk_not_authenticated"


class SessionExpired(Unauthorized):
    code = "kiosk_session_expired"


class OrderKeyReused(Conflict):
    """The Idempotency-Key was used for a different order in this session."""

    code = "kiosk_order_key_reused"


class NoTerminal(DomainError):
    """No card terminal is registered for this kiosk (Stripe reader metadata `kiosk`)."""

    status = 503
    code = "kiosk_no_terminal"


class RecordUnavailable(DomainError):
    """The resident's record cannot be read now (moved out since authenticating, or being corrected)."""

    status = 409
    code = "kiosk_record_unavailable"


class NoSealRegistration(DomainError):
    """A 印鑑登録証明書 for a resident with no registered seal: refused before anything is paid."""

    status = 409
    code = "kiosk_no_seal_registration"


class NoTaxRecord(DomainError):
    """A 所得課税証明書 for a year the city has no assessment of this resident (not yet assessed, not resident
    on 1 January of that year): refused before anything is paid."""

    status = 409
    code = "kiosk_no_tax_record"


class NoFamilyRegister(DomainError):
    """A 戸籍 the city does not keep (本籍 elsewhere, or a foreign resident, who has none): refused before anything is
    paid; the register's own city issues it (広域交付 is a counter service, not a kiosk one)."""

    status = 409
    code = "kiosk_no_family_register"
