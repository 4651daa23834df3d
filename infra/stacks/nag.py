"""Acknowledging cdk-nag findings: each one names its rule (or finding) and carries a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge `rule` on scope and below; a rule may name one finding (`...-IAM5[Resource::*]`)."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))
