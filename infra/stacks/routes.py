"""The API's methods, one nested stack per first path segment (`/staff/...`, `/queues/...`, ...).

A REST API route costs about three CloudFormation resources (a resource per new path segment, the method and,
with CDK's defaults, a Lambda permission), and CloudFormation refuses a stack of more than 500: `MadoguchiApi`
held 385 with 87 routes. Splitting the path tree at its root gives each first segment its own stack, so no
path resource is shared between two stacks, and a new route grows only its segment's stack. Lambda permissions
are one per function and nested stack (scoped to the API), not one per method, which also keeps each
function's resource policy small. See docs/decisions.md.
"""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import NestedStack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import catalogue
from infra.stacks.data import pascal_case
from infra.stacks.nag import acknowledge


@jsii.implements(apigw.IAuthorizer)
class AuthorizerRef:
    """The parent stack's Cognito authorizer, named by id (CDK's authorizer binds to a single RestApi object)."""

    def __init__(self, authorizer_id: str) -> None:
        self._authorizer_id = authorizer_id

    @property
    def authorizer_id(self) -> str:
        return self._authorizer_id

    @property
    def authorization_type(self) -> apigw.AuthorizationType:
        return apigw.AuthorizationType.COGNITO


def first_segment(path: str) -> str:
    return path.strip("/").split("/")[0]


def segments() -> dict[str, list[tuple[catalogue.Route, catalogue.Function]]]:
    """The catalogue's routes grouped by first path segment, in catalogue order."""
    groups: dict[str, list[tuple[catalogue.Route, catalogue.Function]]] = {}
    for route, fn in catalogue.routes():
        groups.setdefault(first_segment(route.path), []).append((route, fn))
    return groups


class RoutesStack(NestedStack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        rest_api_id: str,
        root_resource_id: str,
        routes: list[tuple[catalogue.Route, catalogue.Function]],
        functions: dict[str, lambda_.IFunction],
        authorizer_id: str,
        validator_id: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        api = apigw.RestApi.from_rest_api_attributes(
            self, "Api", rest_api_id=rest_api_id, root_resource_id=root_resource_id
        )
        authorizer = AuthorizerRef(authorizer_id)
        validator = apigw.RequestValidator.from_request_validator_id(self, "Validator", validator_id)
        # One API-scoped permission per function in this stack (scope_permission_to_method=False).
        integrations = {
            fn.name: apigw.LambdaIntegration(functions[fn.name], scope_permission_to_method=False) for _, fn in routes
        }
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route, fn in routes:
            resource = api.root.resource_for_path(route.path.lstrip("/"))
            if route.authenticated:
                method = resource.add_method(
                    route.method,
                    integrations[fn.name],
                    authorizer=authorizer,
                    authorization_type=apigw.AuthorizationType.COGNITO,
                    request_validator=validator,
                )
            else:
                method = resource.add_method(
                    route.method,
                    integrations[fn.name],
                    authorization_type=apigw.AuthorizationType.NONE,
                    request_validator=validator,
                )
                for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                    acknowledge(method, rule, "Public route by design (catalogue authenticated=False).")
            self.methods[(route.path, route.method)] = method


def routes_stack_id(segment: str) -> str:
    return f"{pascal_case(segment.replace('-', '_'))}Routes"
