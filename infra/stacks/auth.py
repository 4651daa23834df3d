"""Auth: Cognito user pools for residents, staff and devices, their managed-login domains, and the trigger that
adds the API's claims.

The pools' app clients live in the web stack (infra/stacks/web.py): their callback and sign-out URLs are the
site's own address, which only exists there, and the pages' config.json is written from them in the same stack.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import catalogue
from infra.stacks.lambdas import python_function
from infra.stacks.nag import acknowledge
from infra.stacks.sources import Sources
from madoguchi.shared.departments import DEPARTMENTS

TOKEN_CLAIMS = next(fn.name for fn in catalogue.FUNCTIONS if fn.cognito_trigger)

STRONG_PASSWORDS = cognito.PasswordPolicy(
    min_length=12,
    require_lowercase=True,
    require_uppercase=True,
    require_digits=True,
    require_symbols=True,
    temp_password_validity=Duration.days(3),
)


class AuthStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, sources: Sources, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.triggers: dict[str, lambda_.Function] = {}
        self.residents = self._residents(sources)
        self.staff = self._staff(sources)
        self.devices = self._devices(sources)
        self.device_enrolment = self._device_enrolment_client()
        self.pools = [self.residents, self.staff, self.devices]
        self.pools_by_role = {"resident": self.residents, "staff": self.staff, "device": self.devices}
        prefix = self.node.try_get_context("auth_domain_prefix") or "madoguchi"
        self.domains = {role: self._domain(pool, role, prefix) for role, pool in self.pools_by_role.items()}

    def _domain(self, pool: cognito.UserPool, role: str, prefix: str) -> cognito.UserPoolDomain:
        """Managed login (the hosted sign-in pages) on a Cognito domain: `<prefix>-<role>-<account>`, unique per
        region as Cognito requires; a city with its own domain sets `auth_domain_prefix` in cdk.json."""
        domain = pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=f"{prefix}-{role}-{Aws.ACCOUNT_ID}"),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        CfnOutput(self, f"{role.capitalize()}SignInDomain", value=domain.base_url())
        return domain

    def _trigger(self, role: str, sources: Sources) -> lambda_.Function:
        fn = catalogue.function(TOKEN_CLAIMS)
        trigger = python_function(
            self,
            f"{role.capitalize()}TokenClaims",
            fn=fn,
            code_dir=sources.function_dir(fn),
            environment={"ROLE": role, "DEPARTMENTS": ",".join(DEPARTMENTS)},
        )
        self.triggers[role] = trigger
        return trigger

    def _pool(self, role: str, sources: Sources, **props: Any) -> cognito.UserPool:
        pool = cognito.UserPool(
            self,
            f"{role.capitalize()}Pool",
            password_policy=STRONG_PASSWORDS,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            lambda_triggers=cognito.UserPoolTriggers(pre_token_generation=self._trigger(role, sources)),
            **props,
        )
        CfnOutput(self, f"{role.capitalize()}PoolId", value=pool.user_pool_id)
        return pool

    def _residents(self, sources: Sources) -> cognito.UserPool:
        pool = self._pool(
            "resident",
            sources,
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                locale=cognito.StandardAttribute(required=False, mutable=True),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
        )
        acknowledge(
            pool,
            "AwsSolutions-COG2",
            "Residents include seniors without a second device; MFA (TOTP) is optional for them, "
            "and the API authorises residents only to their own records.",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "Plus tier is billed per monthly active user across the whole population; the city "
            "decides on threat protection for residents at deployment.",
        )
        return pool

    def _staff(self, sources: Sources) -> cognito.UserPool:
        pool = self._pool(
            "staff",
            sources,
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            account_recovery=cognito.AccountRecovery.NONE,  # IT resets staff accounts
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        )
        # Staff groups: the group name becomes the `department` claim.
        for precedence, (group, names) in enumerate(DEPARTMENTS.items()):
            cognito.CfnUserPoolGroup(
                self,
                f"{group.capitalize()}Group",
                user_pool_id=pool.user_pool_id,
                group_name=group,  # the department claim: a fixed name is the point
                description=names["ja"],
                precedence=precedence,
            )
        return pool

    def _device_enrolment_client(self) -> cognito.UserPoolClient:
        """The client the devices function signs enrolled devices in with (admin API, server side only): a device
        redeems its one-time code, the function creates its user with a random password, signs it in once with
        ADMIN_USER_PASSWORD_AUTH and forgets the password; the device then renews through the API with its
        refresh token (REFRESH_TOKEN_AUTH), which the function refuses once the device is revoked. No OAuth flow:
        nobody signs in to this client in a browser, so it has no callback URL and needs nothing from the web
        stack (decision: devices enrolled with a one-time code)."""
        client = cognito.UserPoolClient(
            self,
            "DeviceEnrolmentClient",
            user_pool=self.devices,
            generate_secret=False,
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            # Counted from enrolment: a machine is re-enrolled yearly (docs/operations.md); revocation is immediate
            # whatever this is, through the device record every request is checked against.
            refresh_token_validity=Duration.days(365),
            write_attributes=cognito.ClientAttributes(),
        )
        CfnOutput(self, "DeviceEnrolmentClientId", value=client.user_pool_client_id)
        return client

    def _devices(self, sources: Sources) -> cognito.UserPool:
        pool = self._pool(
            "device",
            sources,
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            account_recovery=cognito.AccountRecovery.NONE,
            # Set by the administrator at creation and never changed: decides what a device may do.
            custom_attributes={
                "device_kind": cognito.StringAttribute(min_len=1, max_len=32, mutable=False),
            },
            mfa=cognito.Mfa.OFF,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
        )
        acknowledge(
            pool,
            "AwsSolutions-COG2",
            "Kiosks and ticket machines sign in unattended; there is no person to answer an MFA "
            "challenge. Their users are admin-created and their tokens carry only the device role.",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "Adaptive authentication would challenge unattended machines it cannot reach; "
            "device credentials are provisioned and rotated by the city.",
        )
        return pool
