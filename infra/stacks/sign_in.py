"""The pages' app clients on the three user pools, and the `auth` part of config.json made from them.

Each client is public (no secret: the pages cannot keep one), allows only the authorization code grant (with
PKCE, which managed login applies to public clients), and returns only to the site's own addresses:
`{site}/signin/` after sign-in, `{site}/` after sign-out. The same shape is served locally from the local
OpenID Connect provider (infra/local/oidc.py).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.stacks.auth import AuthStack

CALLBACK_PATH = "/signin/"  # web/src/pages/signin: completes the sign-in and returns to the page it began on

# What residents may set on their own account through managed login; staff and devices set nothing.
WRITABLE = {
    "resident": cognito.ClientAttributes().with_standard_attributes(email=True, locale=True),
    "staff": cognito.ClientAttributes(),
    "device": cognito.ClientAttributes(),  # device_kind least of all
}


def callback_url(site_url: str) -> str:
    return site_url + CALLBACK_PATH


def sign_out_url(site_url: str) -> str:
    return site_url + "/"


class SignInClients(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, auth: AuthStack, site_url: str) -> None:
        super().__init__(scope, construct_id)
        self.auth = auth
        self.clients: dict[str, cognito.UserPoolClient] = {}
        for role, pool in auth.pools_by_role.items():
            client = cognito.UserPoolClient(
                self,
                f"{role.capitalize()}Client",
                user_pool=pool,
                generate_secret=False,
                auth_flows=cognito.AuthFlow(user_srp=True),
                o_auth=cognito.OAuthSettings(
                    flows=cognito.OAuthFlows(
                        authorization_code_grant=True, implicit_code_grant=False, client_credentials=False
                    ),
                    scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                    callback_urls=[callback_url(site_url)],
                    logout_urls=[sign_out_url(site_url)],
                ),
                supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
                prevent_user_existence_errors=True,
                enable_token_revocation=True,
                id_token_validity=Duration.hours(1),
                access_token_validity=Duration.hours(1),
                refresh_token_validity=Duration.days(30),
                write_attributes=WRITABLE[role],
            )
            # Managed login (version 2) shows a client's pages only once the client has a branding style.
            cognito.CfnManagedLoginBranding(
                self,
                f"{role.capitalize()}Branding",
                user_pool_id=pool.user_pool_id,
                client_id=client.user_pool_client_id,
                use_cognito_provided_values=True,
            )
            self.clients[role] = client

    def web_config(self) -> dict[str, Any]:
        """config.json's `auth`: per audience the authority (the pool's issuer, where discovery is), the client
        id and Cognito's sign-out endpoint on the pool's domain. Deploy-time values, resolved by CloudFormation."""
        return {
            role: {
                "authority": pool.user_pool_provider_url,
                "clientId": self.clients[role].user_pool_client_id,
                "signOutUrl": f"{self.auth.domains[role].base_url()}/logout",
            }
            for role, pool in self.auth.pools_by_role.items()
        }
