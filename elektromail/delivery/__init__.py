"""Delivery: routing recipients to users, DSN and fault rules, and RFC 3464 bounce messages."""

from __future__ import annotations

from elektromail.delivery.rules import DsnRule, DsnRules, RuleError, Verdict, parse_rules
from elektromail.delivery.service import Delivery, Recipient

__all__ = ["Delivery", "DsnRule", "DsnRules", "Recipient", "RuleError", "Verdict", "parse_rules"]
