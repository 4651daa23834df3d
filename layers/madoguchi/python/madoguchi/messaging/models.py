"""LINE Login linking: a signed-in resident's LINE account, and the API's requests and views.

Only the LINE user id (the ID token's `sub` for the city's provider) is kept: no name, no picture, no e-mail
(the flow asks for the `openid` scope alone).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

LINE_USER_ID = r"^U[0-9a-f]{32}$"
# state and nonce are 32 random bytes, base64url: 43 characters
STATE = r"^[A-Za-z0-9_-]{20,128}$"


class LineLink(BaseModel):
    resident: str  # the resident's `sub`
    line_user_id: str = Field(pattern=LINE_USER_ID)
    linked_at: datetime


class PendingLink(BaseModel):
    """One authorisation in progress, kept server-side under its state: who started it, the nonce the ID token
    must carry and the PKCE verifier the code exchange must send. Used once."""

    state: str
    resident: str
    nonce: str
    code_verifier: str
    expires_at: datetime


# --- API -------------------------------------------------------------------------------------------------------
class LineLinkStatus(BaseModel):
    linked: bool = Field(description="Whether the caller's LINE account is linked (the id itself is never shown)")
    linked_at: datetime | None = None


class LinkStarted(BaseModel):
    authorize_url: str = Field(description="LINE Login's authorisation page to send the browser to")


class LinkCallback(BaseModel):
    code: str = Field(min_length=1, max_length=512, description="`code` LINE Login returned to the callback page")
    state: str = Field(pattern=STATE, description="`state` LINE Login returned to the callback page")
