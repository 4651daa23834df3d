"""A local OpenID Connect provider standing in for Cognito's managed login. Never deployed.

One authority (issuer) per user pool, as Cognito has one per pool: `{url}/resident`, `{url}/staff`,
`{url}/device`. Each has discovery (`/.well-known/openid-configuration`), its own signing key (`/.well-known/
jwks.json`), the authorization endpoint with a sign-in page listing the demo users of infra/local/identity.py
(`/oauth2/authorize`; staff also give a password and a TOTP code, as the staff pool requires MFA), the token
endpoint (`/oauth2/token`: authorization code with PKCE S256 only, refresh tokens) and Cognito's sign-out
endpoint (`/logout?client_id=…&logout_uri=…`).

The OAuth 2.0 and OpenID Connect rules (code binding to client and redirect URI, one use per code, PKCE, refresh,
the ID token's standard claims) come from authlib's server components; this module supplies storage, users, the
page and the claims Cognito's pre-token trigger (functions/token_claims) adds: `role`, `department`,
`device_kind`, with `token_use: id` and `aud` = the app client id as Cognito writes them.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyotp
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import (
    AccessDeniedError,
    ClientMixin,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Payload,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc6749.requests import JsonRequest
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from infra.local.faults import Faults
from infra.local.identity import DEMO_USERS, DemoUser, UnknownUser

POOLS = ("resident", "staff", "device")
TOKEN_SECONDS = 3600  # the app clients' ID and access token validity (infra/stacks/auth.py)
REFRESH_SECONDS = 30 * 24 * 3600
CODE_SECONDS = 300  # Cognito's authorization codes live five minutes
CALLBACK_PATH = "/signin/"  # the pages' one callback page (web/src/pages/signin.tsx); sign-out returns to "/"

# Demo secrets, printed in docs/local-stack.md: the staff pool asks every staff member for both.
STAFF_PASSWORD = "Madoguchi-Staff-2026!"
STAFF_TOTP_SECRET = "MADOGUCHILOCALSTAFFTOTPSECRET234"


def staff_totp() -> pyotp.TOTP:
    return pyotp.TOTP(STAFF_TOTP_SECRET)


# --- models authlib asks for ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Client(ClientMixin):  # type: ignore[misc]
    """A public app client (no secret), code grant and refresh only, as the CDK app clients are."""

    client_id: str
    site_url: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.site_url + CALLBACK_PATH

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = {"openid", "profile", "email"}
        return " ".join(s for s in (scope or "openid").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return bool(redirect_uri == self.site_url + CALLBACK_PATH)

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: DemoUser
    code_challenge: str
    code_challenge_method: str
    nonce: str | None
    auth_time: int
    amr: list[str]
    expires_at: float

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_amr(self) -> list[str]:
        return self.amr


@dataclass
class RefreshToken(TokenMixin):  # type: ignore[misc]
    token: str
    client_id: str
    scope: str
    user: DemoUser
    code: str
    expires_at: float
    auth_time: int
    amr: list[str]
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return self.revoked


# --- authlib's grants, completed with this provider's storage ----------------------------------------------------
class S256Only(CodeChallenge):  # type: ignore[misc]
    """PKCE is mandatory and only S256: a missing challenge or `plain` is refused at the authorization request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 (authlib's class attribute)
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 (authlib's class attribute)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.pool.save_code(
            Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                user=request.user,
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                nonce=data.get("nonce"),
                auth_time=int(time.time()),
                amr=["pwd", "otp"] if self.server.pool.mfa else ["pwd"],
                expires_at=time.time() + CODE_SECONDS,
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        pool: Pool = self.server.pool
        return pool.find_code(code, client)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.pool.use_code(authorization_code)

    def authenticate_user(self, authorization_code: Code) -> DemoUser:
        return authorization_code.user


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]  # noqa: RUF012 (authlib's class attribute)
    INCLUDE_NEW_REFRESH_TOKEN = False  # Cognito's default: the refresh token stays until it expires

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        pool: Pool = self.server.pool
        token = pool.refresh_tokens.get(refresh_token)
        if token is None or token.is_expired() or token.is_revoked():
            return None
        return token

    def authenticate_user(self, refresh_token: RefreshToken) -> DemoUser:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        pass  # not rotated (INCLUDE_NEW_REFRESH_TOKEN is False): the same refresh token keeps working


class CognitoIdToken(OpenIDCode):  # type: ignore[misc]
    """The ID token as Cognito writes it after the pre-token trigger; also added to refresh responses."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(require_nonce=False)
        self.pool = pool

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.pool.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": self.pool.kid}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.pool.issuer, "aud": client.client_id, "iat": now, "exp": now + TOKEN_SECONDS}

    def get_compatible_claims(self, request: OAuth2Request) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_compatible_claims(request)
        if request.refresh_token is not None:  # a renewed ID token keeps the time and means of the sign-in
            claims["auth_time"] = request.refresh_token.auth_time
            claims["amr"] = request.refresh_token.amr
        return claims

    def generate_user_info(self, user: DemoUser, scope: str) -> UserInfo:
        return UserInfo(self.pool.user_claims(user))

    def process_token(self, grant: Any, response: Any) -> Any:
        token = response[1]
        token.setdefault("scope", grant.request.scope or "openid")
        return super().process_token(grant, response)


class Server(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorization server on werkzeug requests (what its Flask integration does, without Flask)."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(scopes_supported=["openid", "profile", "email"])
        self.pool = pool
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **_: secrets.token_urlsafe(32),
                refresh_token_generator=lambda **_: secrets.token_urlsafe(48),
                expires_generator=lambda *_: TOKEN_SECONDS,
            ),
        )
        id_token = CognitoIdToken(pool)
        self.register_grant(CodeGrant, [S256Only(required=True), id_token])
        self.register_grant(RefreshGrant, [id_token])

    def query_client(self, client_id: str) -> Client | None:
        return self.pool.client if client_id == self.pool.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        refresh = token.get("refresh_token")
        if refresh and request.authorization_code is not None:
            self.pool.refresh_tokens[refresh] = RefreshToken(
                token=refresh,
                client_id=request.client.client_id,
                scope=token.get("scope") or request.authorization_code.scope,
                user=request.user,
                code=request.authorization_code.code,
                expires_at=time.time() + REFRESH_SECONDS,
                auth_time=request.authorization_code.auth_time,
                amr=request.authorization_code.amr,
            )

    def create_oauth2_request(self, request: Request) -> OAuth2Request:
        return _Request(request)

    def create_json_request(self, request: Request) -> JsonRequest:
        raise NotImplementedError  # no JSON endpoints here

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            body = json.dumps(body)
        return Response(body, status=status, headers=headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def data(self) -> Any:
        return self._request.values

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {key: self._request.values.getlist(key) for key in self._request.values}


class _Request(OAuth2Request):  # type: ignore[misc]
    """authlib's request over a werkzeug request (as its Flask integration builds one over Flask's)."""

    def __init__(self, request: Request) -> None:
        super().__init__(request.method, request.url, headers=request.headers)
        self._request = request
        self.payload = _Payload(request)

    @property
    def args(self) -> Any:
        return self._request.args

    @property
    def form(self) -> Any:
        return self._request.form


# --- one user pool -----------------------------------------------------------------------------------------------
@dataclass
class Pool:
    role: str
    issuer: str
    client: Client
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    codes: dict[str, Code] = field(default_factory=dict)
    used_codes: set[str] = field(default_factory=set)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # One token request at a time per pool: two requests with the same code cannot both pass before its use.
    token_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def mfa(self) -> bool:
        return self.role == "staff"  # the staff pool's MFA is REQUIRED (infra/stacks/auth.py)

    @property
    def users(self) -> list[DemoUser]:
        return [u for u in DEMO_USERS if u.role == self.role]

    def user(self, user_id: str) -> DemoUser:
        user = next((u for u in self.users if u.id == user_id), None)
        if user is None:
            raise UnknownUser(user_id)
        return user

    def user_claims(self, user: DemoUser) -> dict[str, Any]:
        """What Cognito puts in the ID token: its own claims plus the pre-token trigger's."""
        claims: dict[str, Any] = {
            "sub": user.id,
            "token_use": "id",
            "cognito:username": user.id,
            "name": user.label,
            "role": user.role,
        }
        if user.department:
            claims["department"] = user.department
        if user.device_kind:
            claims["device_kind"] = user.device_kind
            claims["device_id"] = user.id  # the trigger's: the device pool's user name is the device's record id
        return claims

    def id_token(self, user: DemoUser, lifetime: int = TOKEN_SECONDS, audience: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": audience or self.client.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + lifetime,
            **self.user_claims(user),
        }
        return jwt.encode({"alg": "RS256", "kid": self.kid}, claims, self.key)

    def jwks(self) -> dict[str, Any]:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def discovery(self, base: str) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/oauth2/authorize",
            "token_endpoint": f"{self.issuer}/oauth2/token",
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "name", "role", "department", "device_kind", "device_id", "cognito:username"],
        }

    # storage: codes are single use; a replayed code revokes what it issued (RFC 6749 §4.1.2)
    def save_code(self, code: Code) -> None:
        with self.lock:
            self.codes[code.code] = code

    def find_code(self, code: str, client: Client) -> Code | None:
        with self.lock:
            if code in self.used_codes:
                for token in self.refresh_tokens.values():
                    if token.code == code:
                        token.revoked = True
                return None
            found = self.codes.get(code)
        if found is None or found.client_id != client.client_id or time.time() >= found.expires_at:
            return None
        return found

    def use_code(self, code: Code) -> None:
        with self.lock:
            self.codes.pop(code.code, None)
            self.used_codes.add(code.code)


# --- the sign-in page --------------------------------------------------------------------------------------------
PAGE_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "title": "サインイン",
        "resident": "市民の方のサインイン",
        "staff": "職員のサインイン",
        "device": "端末のサインイン",
        "user": "利用者を選んでください",
        "password": "パスワード",
        "otp": "確認コード（認証アプリの6桁）",
        "submit": "サインイン",
        "cancel": "やめる",
        "local": "ローカル環境の認証画面です（クラウドでは Cognito のサインイン画面）。",
        "wrong": "パスワードまたは確認コードが違います。",
        "choose": "利用者を選んでください。",
        "invalid": "サインインの要求が正しくありません。",
    },
    "ja-easy": {
        "title": "サインイン",
        "resident": "しみんの かたの サインイン",
        "staff": "しょくいんの サインイン",
        "device": "たんまつの サインイン",
        "user": "だれか えらんで ください",
        "password": "パスワード",
        "otp": "かくにん コード（6けたの すうじ）",
        "submit": "サインイン",
        "cancel": "やめる",
        "local": "ためしの がめん です。",
        "wrong": "パスワード か かくにん コード が ちがいます。",
        "choose": "だれか えらんで ください。",
        "invalid": "サインイン できません。",
    },
    "en": {
        "title": "Sign in",
        "resident": "Resident sign-in",
        "staff": "Staff sign-in",
        "device": "Device sign-in",
        "user": "Choose who you are",
        "password": "Password",
        "otp": "Verification code (6 digits from your authenticator app)",
        "submit": "Sign in",
        "cancel": "Cancel",
        "local": "Local sign-in page (Cognito's managed login in the cloud).",
        "wrong": "The password or the verification code is wrong.",
        "choose": "Please choose who you are.",
        "invalid": "This sign-in request is not valid.",
    },
    "pt": {
        "title": "Entrar",
        "resident": "Entrada de moradores",
        "staff": "Entrada de funcionários",
        "device": "Entrada de terminais",
        "user": "Escolha quem você é",
        "password": "Senha",
        "otp": "Código de verificação (6 dígitos do aplicativo autenticador)",
        "submit": "Entrar",
        "cancel": "Cancelar",
        "local": "Página de entrada local (login gerenciado do Cognito na nuvem).",
        "wrong": "A senha ou o código de verificação está errado.",
        "choose": "Escolha quem você é.",
        "invalid": "Este pedido de entrada não é válido.",
    },
    "vi": {
        "title": "Đăng nhập",
        "resident": "Đăng nhập cho cư dân",
        "staff": "Đăng nhập cho nhân viên",
        "device": "Đăng nhập cho thiết bị",
        "user": "Chọn người dùng",
        "password": "Mật khẩu",
        "otp": "Mã xác minh (6 chữ số từ ứng dụng xác thực)",
        "submit": "Đăng nhập",
        "cancel": "Hủy",
        "local": "Trang đăng nhập cục bộ (đăng nhập được quản lý của Cognito trên đám mây).",
        "wrong": "Mật khẩu hoặc mã xác minh không đúng.",
        "choose": "Vui lòng chọn người dùng.",
        "invalid": "Yêu cầu đăng nhập này không hợp lệ.",
    },
    "zh": {
        "title": "登录",
        "resident": "市民登录",
        "staff": "职员登录",
        "device": "终端登录",
        "user": "请选择用户",
        "password": "密码",
        "otp": "验证码（认证应用中的6位数字）",
        "submit": "登录",
        "cancel": "取消",
        "local": "本地登录页面（云端为 Cognito 托管登录）。",
        "wrong": "密码或验证码错误。",
        "choose": "请选择用户。",
        "invalid": "此登录请求无效。",
    },
}
HTML_LANG = {"ja-easy": "ja"}
STYLE = (
    "body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1c;line-height:1.6}"
    "fieldset{border:1px solid #767676;border-radius:6px;padding:1rem}legend{font-weight:bold;padding:0 .25rem}"
    ".choice{display:flex;gap:.5rem;align-items:center;padding:.25rem 0}.choice input{width:1.25rem;height:1.25rem}"
    ".field{margin-top:1rem}.field label{display:block;font-weight:bold}"
    ".field input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;border:1px solid #767676;"
    "border-radius:4px}button,a.button{display:inline-block;margin-top:1.5rem;margin-right:1rem;font-size:1rem;"
    "padding:.75rem 1.5rem;border-radius:6px}button{background:#0031d8;color:#fff;border:0}"
    "a.button{color:#0031d8;border:1px solid #0031d8;text-decoration:none}.problem{color:#b00000;font-weight:bold}"
    ".note{color:#333;font-size:.9rem}"
)


def page_language(request: Request) -> str:
    """`ui_locales` (sent by the pages) or `lang`, else the browser's Accept-Language, else Japanese."""
    for wanted in (request.values.get("ui_locales") or request.values.get("lang") or "").split():
        if wanted in PAGE_TEXT:
            return wanted
    best = request.accept_languages.best_match([lang for lang in PAGE_TEXT if lang != "ja-easy"])
    return best or "ja"


def sign_in_page(pool: Pool, request: Request, problem: str | None = None, chosen: str | None = None) -> str:
    lang = page_language(request)
    t = PAGE_TEXT[lang]
    e = html.escape
    action = e(request.full_path if request.query_string else request.path)
    choices = "".join(
        f'<div class="choice"><input type="radio" name="user" id="user-{e(u.id)}" value="{e(u.id)}"'
        f"{' checked' if u.id == chosen else ''} required>"
        f'<label for="user-{e(u.id)}">{e(u.label)} <span class="note">({e(u.id)})</span></label></div>'
        for u in pool.users
    )
    second_factor = ""
    if pool.mfa:
        second_factor = (
            f'<div class="field"><label for="password">{t["password"]}</label>'
            '<input type="password" id="password" name="password" autocomplete="current-password" required></div>'
            f'<div class="field"><label for="otp">{t["otp"]}</label>'
            '<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" '
            'pattern="[0-9]{6}" maxlength="6" required></div>'
        )
    alert = f'<p class="problem" role="alert">{t[problem]}</p>' if problem else ""
    cancel = ""
    redirect_uri = request.values.get("redirect_uri")
    if redirect_uri and pool.client.check_redirect_uri(redirect_uri):
        state = request.values.get("state") or ""
        back = f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"
        cancel = f'<a class="button" href="{e(back)}">{t["cancel"]}</a>'
    return (
        f'<!doctype html><html lang="{HTML_LANG.get(lang, lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{t["title"]} — Madoguchi</title>'
        f"<style>{STYLE}</style></head><body><main><h1>{t[pool.role]}</h1>{alert}"
        f'<form method="post" action="{action}"><fieldset><legend>{t["user"]}</legend>{choices}</fieldset>'
        f'{second_factor}<button type="submit">{t["submit"]}</button>{cancel}</form>'
        f'<p class="note">{t["local"]}</p></main></body></html>'
    )


# --- Cognito's admin API for the device pool ----------------------------------------------------------------------
DEVICE_POOL_ID = "ap-northeast-1_LocalDevices"  # Cognito's <region>_<id> shape
DEVICE_ENROLMENT_CLIENT = "local-device-enrolment-client"


@dataclass
class PoolUser:
    """A user created through the admin API (an enrolled device), as Cognito keeps it."""

    user: DemoUser
    password: str
    enabled: bool = True


class CognitoError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class DevicePoolAdmin:
    """The few `AWSCognitoIdentityProviderService.*` operations the devices function calls (madoguchi.devices.cognito),
    answered as Cognito answers them (JSON 1.1; errors as `__type`), so boto3 and the adapter run unchanged. The
    tokens are the device pool's own (same key, issuer and claims as its sign-in), `aud` the enrolment client."""

    pool: Pool
    users: dict[str, PoolUser] = field(default_factory=dict)

    def call(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("UserPoolId") != DEVICE_POOL_ID:
            raise CognitoError("ResourceNotFoundException", "User pool does not exist.")
        handler = getattr(self, operation, None)
        if operation not in OPERATIONS or handler is None:
            raise CognitoError("InvalidParameterException", f"{operation} is not offered by the local stand-in")
        with self.pool.lock:
            result: dict[str, Any] = handler(body)
        return result

    def _user(self, name: str) -> PoolUser:
        user = self.users.get(name)
        if user is None:
            raise CognitoError("UserNotFoundException", "User does not exist.")
        return user

    def AdminCreateUser(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str(body["Username"])
        if name in self.users:
            raise CognitoError("UsernameExistsException", "User account already exists.")
        attributes = {a["Name"]: a["Value"] for a in body.get("UserAttributes") or []}
        kind = attributes.get("custom:device_kind")
        if kind not in ("kiosk", "ticket_machine"):
            raise CognitoError("InvalidParameterException", "custom:device_kind is required")
        self.users[name] = PoolUser(DemoUser(name, "device", name, device_kind=kind), str(body["TemporaryPassword"]))
        return {"User": {"Username": name, "Enabled": True, "UserStatus": "FORCE_CHANGE_PASSWORD"}}

    def AdminSetUserPassword(self, body: dict[str, Any]) -> dict[str, Any]:
        self._user(str(body["Username"])).password = str(body["Password"])
        return {}

    def AdminInitiateAuth(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("ClientId") != DEVICE_ENROLMENT_CLIENT:
            raise CognitoError("ResourceNotFoundException", "User pool client does not exist.")
        params = body.get("AuthParameters") or {}
        if body.get("AuthFlow") == "ADMIN_USER_PASSWORD_AUTH":
            user = self.users.get(str(params.get("USERNAME")))
            if (
                user is None
                or not user.enabled
                or not secrets.compare_digest(user.password, str(params.get("PASSWORD")))
            ):
                raise CognitoError("NotAuthorizedException", "Incorrect username or password.")
            refresh = secrets.token_urlsafe(48)
            now = time.time()
            self.pool.refresh_tokens[refresh] = RefreshToken(
                token=refresh,
                client_id=DEVICE_ENROLMENT_CLIENT,
                scope="openid",
                user=user.user,
                code="",
                expires_at=now + 365 * 24 * 3600,  # the enrolment client's refresh token validity
                auth_time=int(now),
                amr=["pwd"],
            )
            return self._result(user.user, refresh)
        if body.get("AuthFlow") == "REFRESH_TOKEN_AUTH":
            token = self.pool.refresh_tokens.get(str(params.get("REFRESH_TOKEN")))
            if token is None or token.is_expired() or token.is_revoked() or token.client_id != DEVICE_ENROLMENT_CLIENT:
                raise CognitoError("NotAuthorizedException", "Invalid Refresh Token")
            user = self.users.get(token.user.id)
            if user is None or not user.enabled:
                raise CognitoError("NotAuthorizedException", "User is disabled.")
            return self._result(user.user, None)
        raise CognitoError("InvalidParameterException", "AuthFlow not enabled for this client")

    def _result(self, user: DemoUser, refresh: str | None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "IdToken": self.pool.id_token(user, audience=DEVICE_ENROLMENT_CLIENT),
            "AccessToken": secrets.token_urlsafe(32),
            "ExpiresIn": TOKEN_SECONDS,
            "TokenType": "Bearer",
        }
        if refresh:
            result["RefreshToken"] = refresh
        return {"ChallengeParameters": {}, "AuthenticationResult": result}

    def AdminUserGlobalSignOut(self, body: dict[str, Any]) -> dict[str, Any]:
        name = self._user(str(body["Username"])).user.id
        for token in self.pool.refresh_tokens.values():
            if token.user.id == name:
                token.revoked = True
        return {}

    def AdminDisableUser(self, body: dict[str, Any]) -> dict[str, Any]:
        self._user(str(body["Username"])).enabled = False
        return {}


OPERATIONS = frozenset(
    {"AdminCreateUser", "AdminSetUserPassword", "AdminInitiateAuth", "AdminUserGlobalSignOut", "AdminDisableUser"}
)


# --- the server ----------------------------------------------------------------------------------------------------
@dataclass
class LocalOidcProvider:
    """The three authorities on one local port. `site_url` (the gateway) is where clients may return to."""

    host: str = "127.0.0.1"
    site_url: str = ""
    server: BaseWSGIServer | None = None
    pools: dict[str, Pool] = field(default_factory=dict)
    servers: dict[str, Server] = field(default_factory=dict)
    device_admin: DevicePoolAdmin | None = None
    faults: Faults | None = None  # the pools' keys can be made to fail (provider "jwks", /_local/faults)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.host}:{self.server.server_port}"

    def start(self, site_url: str = "") -> LocalOidcProvider:
        self.server = make_server(self.host, 0, self._app, threaded=True)
        threading.Thread(target=self.server.serve_forever, name="oidc", daemon=True).start()
        for role in POOLS:
            pool = Pool(role, f"{self.url}/{role}", Client(f"local-{role}-client", site_url))
            self.pools[role] = pool
            self.servers[role] = Server(pool)
        self.device_admin = DevicePoolAdmin(self.pools["device"])
        self.set_site_url(site_url)
        return self

    def set_site_url(self, site_url: str) -> None:
        """The gateway's address (known once it listens): the clients' only callback and sign-out origin."""
        self.site_url = site_url.rstrip("/")
        for pool in self.pools.values():
            pool.client = Client(pool.client.client_id, self.site_url)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # for POST /_local/token, scripts and tests: the ID token the code flow would give this user
    def issue(self, user_id: str, lifetime: int = TOKEN_SECONDS) -> str:
        user = next((u for u in DEMO_USERS if u.id == user_id), None)
        if user is None:
            raise UnknownUser(user_id)
        return self.pools[user.role].id_token(user, lifetime)

    def audiences(self) -> dict[str, tuple[str, ...]]:
        """Each pool's issuer and the app clients its tokens may name (the device pool's enrolment client too)."""
        return {
            pool.issuer: (pool.client.client_id, DEVICE_ENROLMENT_CLIENT)
            if role == "device"
            else (pool.client.client_id,)
            for role, pool in self.pools.items()
        }

    def web_config(self) -> dict[str, dict[str, str]]:
        """config.json's `auth`: each audience's authority, client and sign-out endpoint."""
        return {
            role: {
                "authority": pool.issuer,
                "clientId": pool.client.client_id,
                "signOutUrl": f"{pool.issuer}/logout",
            }
            for role, pool in self.pools.items()
        }

    # --- HTTP ------------------------------------------------------------------------------------------------------
    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.handle(request)
        origin = request.headers.get("Origin")
        if origin and origin == self.site_url:  # the pages fetch discovery, keys and tokens from their origin
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response(environ, start_response)

    @property
    def cognito_endpoint(self) -> str:
        """Where boto3's `cognito-idp` client reaches the admin API (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)."""
        return f"{self.url}/cognito-idp"

    def _cognito(self, request: Request) -> Response:
        target = request.headers.get("X-Amz-Target", "")
        service, _, operation = target.partition(".")
        if service != "AWSCognitoIdentityProviderService" or self.device_admin is None:
            return Response("not found", status=404)
        try:
            body = json.loads(request.get_data() or b"{}")
            answer = self.device_admin.call(operation, body if isinstance(body, dict) else {})
        except CognitoError as error:
            payload = {"__type": error.kind, "message": str(error)}
            return Response(json.dumps(payload), status=400, content_type="application/x-amz-json-1.1")
        except (ValueError, KeyError) as error:
            payload = {"__type": "InvalidParameterException", "message": str(error)}
            return Response(json.dumps(payload), status=400, content_type="application/x-amz-json-1.1")
        return Response(json.dumps(answer), content_type="application/x-amz-json-1.1")

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") == "/cognito-idp" and request.method == "POST":
            return self._cognito(request)
        role, _, rest = request.path.strip("/").partition("/")
        pool, server = self.pools.get(role), self.servers.get(role)
        if pool is None or server is None:
            return Response("not found", status=404)
        if request.method == "OPTIONS":
            return Response(
                status=204,
                headers={"Access-Control-Allow-Methods": "GET, POST", "Access-Control-Allow-Headers": "Content-Type"},
            )
        if rest == ".well-known/openid-configuration":
            return _json(pool.discovery(self.url))
        if rest == ".well-known/jwks.json":
            fault = self.faults.take("jwks", f"GET {request.path}") if self.faults is not None else None
            if fault is not None and fault.kind == "hang":
                self.faults.hang(fault)  # type: ignore[union-attr]
            elif fault is not None and fault.kind == "malformed":
                return Response("<html>maintenance</html>", content_type="application/json")
            elif fault is not None:
                return Response('{"message": "unavailable"}', status=fault.status, content_type="application/json")
            return _json(pool.jwks())
        if rest == "oauth2/authorize" and request.method in ("GET", "POST"):
            return self._authorize(pool, server, request)
        if rest == "oauth2/token" and request.method == "POST":
            with pool.token_lock:
                response: Response = server.create_token_response(request)
            response.headers["Cache-Control"] = "no-store"
            return response
        if rest == "logout" and request.method == "GET":
            return self._logout(pool, request)
        return Response("not found", status=404)

    def _authorize(self, pool: Pool, server: Server, request: Request) -> Response:
        try:
            grant = server.get_consent_grant(request)
        except OAuth2Error as error:
            # No trusted redirect: say so on the page, never redirect to an unchecked address.
            if error.redirect_uri and pool.client.check_redirect_uri(error.redirect_uri):
                response: Response = server.handle_error_response(request, error)
                return response
            return _page(sign_in_page(pool, request, "invalid"), 400)
        if request.method == "GET":
            return _page(sign_in_page(pool, request))
        user_id = request.form.get("user", "")
        try:
            user = pool.user(user_id)
        except UnknownUser:
            return _page(sign_in_page(pool, request, "choose"), 400)
        if pool.mfa and not (
            secrets.compare_digest(request.form.get("password", ""), STAFF_PASSWORD)
            and staff_totp().verify(request.form.get("otp", ""), valid_window=1)
        ):
            return _page(sign_in_page(pool, request, "wrong", chosen=user.id), 401)
        try:
            result: Response = server.create_authorization_response(request, grant_user=user, grant=grant)
        except AccessDeniedError:
            return _page(sign_in_page(pool, request, "invalid"), 400)
        return result

    def _logout(self, pool: Pool, request: Request) -> Response:
        """Cognito's /logout: client_id and a logout_uri registered for it (the site's root)."""
        client_id = request.args.get("client_id")
        logout_uri = request.args.get("logout_uri") or request.args.get("post_logout_redirect_uri") or ""
        expected = pool.client.site_url + "/"
        if client_id != pool.client.client_id or urlsplit(logout_uri)._replace(query="").geturl() != expected:
            return _page(sign_in_page(pool, request, "invalid"), 400)
        return Response(status=302, headers={"Location": logout_uri})


def _json(payload: Any) -> Response:
    return Response(json.dumps(payload), content_type="application/json")


def _page(body: str, status: int = 200) -> Response:
    return Response(
        body,
        status=status,
        content_type="text/html; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )
