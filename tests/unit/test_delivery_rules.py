"""DSN rules: decoding, validation and first-match-wins matching."""

from __future__ import annotations

import pytest

from elektromail.config import UserSpec
from elektromail.delivery.routing import Router, split_address, user_for_local_part
from elektromail.delivery.rules import ACCEPTED, RuleError, compile_pattern, parse_rules


def test_no_rules_accept_everything() -> None:
    assert not parse_rules(None)
    assert parse_rules("  ").verdict("a@b", "c@d") is ACCEPTED


def test_first_match_wins_and_sender_patterns() -> None:
    rules = parse_rules(
        '[{"recipient": "*@bounce.test", "sender": "*@trusted.test", "action": "accept"},'
        ' {"recipient": "*@bounce.test", "action": "bounce", "text": "Gone away"},'
        ' {"recipient": "*", "sender": "", "action": "reject", "code": 554, "status": "5.7.1"}]'
    )
    assert rules.verdict("x@trusted.test", "a@bounce.test") is ACCEPTED
    bounced = rules.verdict("x@other.test", "A@Bounce.Test")
    assert (bounced.action, bounced.code, bounced.status, bounced.text) == ("bounce", 550, "5.1.1", "Gone away")
    rejected = rules.verdict("", "anyone@example.com")
    assert (rejected.action, rejected.code, rejected.status) == ("reject", 554, "5.7.1")
    assert rules.verdict("someone@x", "anyone@example.com") is ACCEPTED


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not valid JSON"),
        ('[{"action": "drop"}]', "Invalid enum value 'drop'"),
        ('[{"recipient": "*"}]', "missing required field `action`"),
        ('[{"action": "reject", "code": "550"}]', "Expected `int | null`"),
        ('[{"action": "reject", "code": 200}]', "rule 1: code 200"),
        ('[{"action": "reject", "status": "5.1"}]', "status '5.1'"),
        ('[{"action": "reject", "code": 450, "status": "5.1.1"}]', "disagree"),
        ('[{"action": "accept"}, {"action": "bounce", "code": 450}]', "rule 2: a bounce"),
        ('[{"action": "reject", "text": "a\\r\\nb"}]', "single line"),
        ('[{"action": "reject", "extra": 1}]', "extra"),
    ],
)
def test_invalid_rules(text: str, problem: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rules(text)
    assert problem in str(caught.value)


def test_patterns_are_literal_except_star() -> None:
    pattern = compile_pattern("a.b+*@x.test")
    assert pattern.fullmatch("A.B+anything@X.TEST")
    assert not pattern.fullmatch("aXb+t@x.test")
    assert compile_pattern("*").fullmatch("")


def test_routing() -> None:
    assert user_for_local_part("Alice+News") == "alice"
    assert user_for_local_part("+only") == "+only"
    assert split_address('"a@b"@c.example') == ("a@b", "c.example")
    router = Router([UserSpec("bob", "pw", "Robert@Corp.example")])
    assert router.user_for("robert@corp.EXAMPLE") == "bob"
    assert router.user_for("robert@elsewhere.example") == "robert"
    assert router.user_for('"quoted"@x', "Quoted+tag") == "quoted"
