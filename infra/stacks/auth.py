"""Auth: Cognito user pools for residents, staff and devices, and the trigger that adds the API's claims."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
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
        self.pools = [self.residents, self.staff, self.devices]

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

    def _client(self, pool: cognito.UserPool, role: str, **props: Any) -> cognito.UserPoolClient:
        client = pool.add_client(
            "Client",
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            generate_secret=False,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            **props,
        )
        CfnOutput(self, f"{role.capitalize()}ClientId", value=client.user_pool_client_id)
        return client

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
        self._client(
            pool,
            "resident",
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True, locale=True),
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
        self._client(pool, "staff", write_attributes=cognito.ClientAttributes())
        return pool

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
        # Devices may not write any attribute, device_kind least of all.
        self._client(pool, "device", write_attributes=cognito.ClientAttributes())
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
