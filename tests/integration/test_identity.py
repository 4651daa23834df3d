"""Local identity: the gateway verifies tokens like the Cognito authorizer; handlers decide roles."""

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.identity import AUDIENCE, ISSUER


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("resident-pt", {"sub": "resident-pt", "role": "resident", "department": None, "device_kind": None}),
        ("staff-kodomo", {"sub": "staff-kodomo", "role": "staff", "department": "kodomo", "device_kind": None}),
        ("ticket-1", {"sub": "ticket-1", "role": "device", "department": None, "device_kind": "ticket_machine"}),
    ],
)
def test_demo_users_are_who_their_token_says(stack_url, auth_header, user, expected):
    response = requests.get(f"{stack_url}/me", headers=auth_header(user), timeout=10)
    assert response.status_code == 200
    assert response.json() == expected


def forged_token(**overrides):
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": 1, "exp": 4_000_000_000, "sub": "staff-zei", "role": "staff"}
    claims.update(overrides)
    return jwt.encode(claims, rsa.generate_private_key(65537, 2048), algorithm="RS256")


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic abc", "Bearer not-a-jwt", "forged"],
)
def test_requests_without_a_valid_token_get_401(stack_url, authorization):
    if authorization == "forged":  # right claims, signed by a key the gateway does not trust
        authorization = f"Bearer {forged_token()}"
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{stack_url}/me?lang=en", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Please sign in."


def test_expired_token_gets_401(local_stack, stack_url):
    token = local_stack.issuer.issue("staff-zei", lifetime=-10)
    response = requests.get(f"{stack_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 401


def test_token_endpoint_refuses_unknown_users(stack_url):
    response = requests.post(f"{stack_url}/_local/token", json={"user": "mallory"}, timeout=10)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize("user", ["resident-1", "kiosk-1", "ticket-1"])
def test_only_staff_may_open_the_department_inbox(stack_url, auth_header, user):
    response = requests.get(f"{stack_url}/staff/tasks", headers=auth_header(user), timeout=10)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
