"""DSN rules (decoding, validation, first-match-wins matching) and routing recipients to users."""

from __future__ import annotations

import pytest

from elektromail.config import parse_users
from elektromail.delivery.routing import Router, split_address, user_for_local_part
from elektromail.delivery.rules import ACCEPTED, RuleError, compile_pattern, parse_rules
from elektromail.store.memory import Store, StoreError


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
    router = Router({"robert@corp.example": "bob"}.get)
    assert router.user_for("robert@corp.example") == "bob"
    assert router.user_for("robert@elsewhere.example") == "robert"
    assert router.user_for('"quoted"@x', "Quoted+tag") == "quoted"


async def test_routing_follows_the_users_in_the_store() -> None:
    store = Store()
    await store.add_user("bob", "pw", "Robert@Corp.example")
    router = Router(store.owner_of)
    assert router.user_for("robert@corp.EXAMPLE") == "bob"
    assert router.user_for("carol@corp.example") == "carol"
    dave = await store.add_user("dave", "pw", "carol@corp.example")  # a user added while running routes at once
    assert router.user_for("Carol@Corp.example") == "dave"
    await store.update_user(dave, email="d@corp.example")
    assert router.user_for("carol@corp.example") == "carol"
    assert router.user_for("d@corp.example") == "dave"


async def test_an_email_address_belongs_to_one_user() -> None:
    store = Store()
    bob = await store.add_user("bob", "pw", "bob@corp.example")
    carol = await store.add_user("carol", "pw")
    with pytest.raises(StoreError, match="belongs to user 'bob'"):
        await store.add_user("robert", "pw", "BOB@corp.example")
    assert store.account("robert") is None
    with pytest.raises(StoreError, match="belongs to user 'bob'"):
        await store.update_user(carol, password="new", email="bob@corp.example")
    assert (carol.password, carol.email) == ("pw", None)  # nothing changed
    await store.update_user(bob, email="bob@corp.example")  # its own address again: fine
    await store.clear()
    assert store.owner_of("bob@corp.example") is None


def test_config_refuses_one_email_address_for_two_users() -> None:
    with pytest.raises(ValueError, match="given to two users"):
        parse_users("a:x@corp.example:p,b:X@corp.example:q")
