"""LineLogin against LINE Login v2.1 (https://api.line.me/oauth2/v2.1/token); the channel id and secret come from
the `line_login` secret. The local stack points LINE_LOGIN_API_BASE / LINE_LOGIN_AUTHORIZE_URL at its stand-in."""

from __future__ import annotations

from madoguchi.messaging.store import LineLogin, LineLoginChannel, LineLoginRefused, LineLoginUnavailable
from madoguchi.shared.secrets import secret
from madoguchi.shared.settings import settings

TIMEOUT_S = 5  # within the function's timeout, with room to answer 503


class LineLoginApi(LineLogin):
    def channel(self) -> LineLoginChannel:
        values = secret("line_login")
        return LineLoginChannel(channel_id=values["channel_id"], channel_secret=values["channel_secret"])

    def authorize_endpoint(self) -> str:
        return settings().line_login_authorize_url

    def exchange(self, code: str, redirect_uri: str, code_verifier: str) -> str:
        import requests

        channel = self.channel()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": channel.channel_id,
            "client_secret": channel.channel_secret,
            "code_verifier": code_verifier,
        }
        try:
            response = requests.post(
                f"{settings().line_login_api_base.rstrip('/')}/oauth2/v2.1/token", data=form, timeout=TIMEOUT_S
            )
        except requests.RequestException as e:
            raise LineLoginUnavailable() from e
        if response.status_code >= 500:
            raise LineLoginUnavailable()
        if response.status_code != 200:
            raise LineLoginRefused()
        try:
            id_token = response.json().get("id_token")
        except ValueError as e:
            raise LineLoginUnavailable() from e
        if not isinstance(id_token, str):
            raise LineLoginRefused()
        return id_token
