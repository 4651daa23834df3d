"""Local identity: the gateway verifies tokens like the Cognito authorizer; handlers decide roles."""

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (
            "resident-pt",
            {"sub": "resident-pt", "role": "resident", "department": None, "device_kind": None, "device_id": None},
        ),
        (
            "staff-kodomo",
            {"sub": "staff-kodomo", "role": "staff", "department": "kodomo", "device_kind": None, "device_id": None},
        ),
        (
            "ticket-1",
            {
                "sub": "ticket-1",
                "role": "device",
                "department": None,
                "device_kind": "ticket_machine",
                "device_id": "ticket-1",
            },
        ),
    ],
)
def test_demo_users_are_who_their_token_says(stack_url, auth_header, user, expected):
    response = requests.get(f"{stack_url}/me", headers=auth_header(user), timeout=10)
    assert response.status_code == 200
    assert response.json() == expected


def forged_token(local_stack, **overrides):
    staff = local_stack.oidc.pools["staff"]
    claims = {
        "iss": staff.issuer,
        "aud": staff.client.client_id,
        "token_use": "id",
        "iat": 1,
        "exp": 4_000_000_000,
        "sub": "staff-zei",
        "role": "staff",
    }
    claims.update(overrides)
    key = rsa.generate_private_key(65537, 2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": staff.kid})


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic abc", "Bearer not-a-jwt", "forged"],
)
def test_requests_without_a_valid_token_get_401(local_stack, stack_url, authorization):
    if authorization == "forged":  # right claims and key id, signed by a key the gateway does not trust
        authorization = f"Bearer {forged_token(local_stack)}"
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{stack_url}/me?lang=en", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.json()["message"] == "Please sign in."


def test_expired_token_gets_401(local_stack, stack_url):
    token = local_stack.oidc.issue("staff-zei", lifetime=-10)
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
