"""DSN rules (decoding, validation, first-match-wins matching) and routing recipients to users."""

from __future__ import annotations

import pytest

from elektromail.config import parse_users
from elektromail.delivery.routing import Router, split_address, user_for_local_part
from elektromail.delivery.rules import (
    ACCEPTED,
    CARRY_ON,
    DATA,
    DISCONNECT,
    GREETING,
    MAIL,
    RCPT,
    TEMPFAIL,
    Decision,
    DsnRules,
    RuleError,
    compile_pattern,
    parse_rule,
    parse_rules,
)
from elektromail.delivery.service import Delivery
from elektromail.store import Store, StoreError


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
        ('[{"action": "drop"}]', "Invalid value 'drop' - at `$[0].action`"),
        ('[{"recipient": "*"}]', "missing required field `action`"),
        ('[{"action": "reject", "code": "550"}]', "Expected `int | null`, got `str` - at `$[0].code`"),
        ('[{"action": "reject", "code": 200}]', "Expected `int` >= 400 - at `$[0].code`"),
        ('[{"action": "reject", "status": "5.1"}]', "at `$[0].status`"),
        ('[{"action": "reject", "code": 450, "status": "5.1.1"}]', "rule 1: code 450 and status 5.1.1 disagree"),
        ('[{"action": "accept"}, {"action": "bounce", "code": 450}]', "Expected `int` >= 500 - at `$[1].code`"),
        ('[{"action": "reject", "text": "a\\r\\nb"}]', "at `$[0].text`"),
        ('[{"action": "reject", "extra": 1}]', "unknown field `extra`"),
        ('[{"action": "delay", "stage": "data"}]', "missing required field `ms`"),
        ('[{"action": "tempfail", "stage": "greeting"}]', "Invalid enum value 'greeting' - at `$[0].stage`"),
        ('[{"action": "tempfail", "code": 550}]', "Expected `int` <= 499 - at `$[0].code`"),
        ('[{"action": "greylist", "stage": "rcpt"}]', "unknown field `stage`"),
        ('[{"action": "reject", "times": 0}]', "Expected `int` >= 1 - at `$[0].times`"),
        ('[{"action": "reject", "probability": 1.5}]', "at `$[0].probability`"),
        ('[{"action": "disconnect", "stage": "greeting", "sender": "a@*"}]', "no sender or recipient"),
        ('[{"action": "delay", "ms": 5, "stage": "mail", "recipient": "a@*"}]', "at `$[0].recipient`"),
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


def test_a_4xx_reject_defaults_to_a_transient_status() -> None:
    verdict = parse_rules('[{"action": "reject", "code": 450}]').verdict("a@b", "c@d")
    assert (verdict.code, verdict.status) == (450, "4.1.1")


def test_each_stage_has_its_own_rules_and_delay_lets_later_rules_decide() -> None:
    rules = parse_rules(
        '[{"action": "delay", "stage": "greeting", "ms": 10},'
        ' {"action": "delay", "ms": 20, "recipient": "slow@*"},'
        ' {"action": "tempfail", "recipient": "slow@*", "code": 452, "status": "4.2.2", "text": "Later"},'
        ' {"action": "disconnect", "stage": "data", "sender": "drop@*"}]'
    )
    assert rules.stages == {GREETING, RCPT, DATA}
    assert rules.decide(GREETING) == Decision(10)
    assert rules.decide(MAIL, "a@b") is CARRY_ON
    decision = rules.decide(RCPT, "a@b", ["Slow@x"])
    assert decision.delay_ms == 20
    assert decision.verdict is not None
    assert (decision.verdict.action, decision.verdict.code, decision.verdict.status) == (TEMPFAIL, 452, "4.2.2")
    assert rules.decide(RCPT, "a@b", ["fast@x"]) is CARRY_ON
    # At the end of DATA a recipient pattern matches any of the message's recipients.
    dropped = rules.decide(DATA, "drop@x", ["a@x", "b@x"]).verdict
    assert dropped is not None
    assert dropped.action == DISCONNECT
    assert rules.verdict("a@b", "slow@x") is ACCEPTED  # injection knows only the delivery rules


def test_times_limits_a_rule_and_later_rules_take_over() -> None:
    rules = parse_rules('[{"action": "tempfail", "times": 2}, {"action": "reject", "code": 554, "status": "5.7.1"}]')
    actions = [verdict.action for _ in range(4) if (verdict := rules.decide(RCPT, "a@b", ["c@d"]).verdict)]
    assert actions == [TEMPFAIL, TEMPFAIL, "reject", "reject"]


def test_probability_is_reproducible_with_its_seed() -> None:
    text = '[{"action": "tempfail", "probability": 0.5, "seed": 7}]'

    def draws() -> list[bool]:
        rules = parse_rules(text)
        return [rules.decide(RCPT, "a@b", ["c@d"]).verdict is not None for _ in range(64)]

    first = draws()
    assert first == draws()
    assert 10 < sum(first) < 54  # both outcomes occur
    other = parse_rules('[{"action": "tempfail", "probability": 0.5, "seed": 8}]')
    assert [other.decide(RCPT, "a@b", ["c@d"]).verdict is not None for _ in range(64)] != first


def test_greylist_refuses_a_pair_until_its_time_has_passed() -> None:
    now = [100.0]
    decoded = parse_rules('[{"action": "greylist", "seconds": 30}]')
    rules = DsnRules(decoded.rules, clock=lambda: now[0])

    def refused(sender: str, recipient: str) -> bool:
        verdict = rules.decide(RCPT, sender, [recipient]).verdict
        assert verdict is None or (verdict.code, verdict.status) == (451, "4.7.1")
        return verdict is not None

    assert refused("a@x", "b@y")
    now[0] += 29
    assert refused("A@X", "b@y")  # the same pair, in any case
    assert refused("a@x", "c@y")  # another pair starts its own wait
    now[0] += 1
    assert not refused("a@x", "b@y")
    assert not refused("a@x", "b@y")  # and stays accepted
    assert refused("a@x", "c@y")


async def test_a_user_rule_matches_the_users_mail_however_it_is_addressed() -> None:
    store = Store()
    await store.add_user("t1", "pw", "Robert@Corp.example")
    delivery = Delivery(store, parse_rules('[{"action": "reject", "user": "T1"}]'), Router(store.owner_of), "h")
    rules = delivery.rules
    for address in ("t1@elektromail.example.com", "T1+signup@other.example", "robert@corp.example"):
        assert rules.verdict("app@x", address).action == "reject", address
        assert rules.decide(RCPT, "app@x", [address]).verdict is not None, address
    for address in ("t2@elektromail.example.com", "robert@elsewhere.example", "t1x@corp.example"):
        assert rules.verdict("app@x", address) is ACCEPTED, address
    # A rule given later (PUT /rules) routes the same way.
    delivery.rules = parse_rules('[{"action": "tempfail", "user": "t1", "stage": "data"}]')
    assert delivery.rules.decide(DATA, "app@x", ["someone@x", "robert@corp.example"]).verdict is not None
    assert delivery.rules.decide(DATA, "app@x", ["someone@x"]) is CARRY_ON


def test_a_user_rule_needs_a_recipient_stage() -> None:
    with pytest.raises(RuleError, match=r"at MAIL there is no recipient to match - at `\$\[0\].user`"):
        parse_rules('[{"action": "delay", "ms": 1, "stage": "mail", "user": "a"}]')


def test_a_replace_keeps_the_state_and_id_of_every_rule_that_stays() -> None:
    once = '{"action": "tempfail", "times": 1, "recipient": "a@x"}'
    other = '{"action": "reject", "recipient": "b@x"}'
    rules = parse_rules(f"[{once}]")
    assert rules.decide(RCPT, "s@x", ["a@x"]).verdict is not None  # used up
    (kept_id,) = rules.ids
    rules = rules.replaced(parse_rules(f"[{other}, {once}]"))
    assert rules.decide(RCPT, "s@x", ["a@x"]) is CARRY_ON  # still used up: not restarted
    assert rules.ids[1] == kept_id
    # A rule taken out and given again is a new rule.
    rules = rules.replaced(parse_rules(f"[{other}]")).replaced(parse_rules(f"[{other}, {once}]"))
    assert rules.decide(RCPT, "s@x", ["a@x"]).verdict is not None
    assert rules.ids[1] != kept_id


def test_rules_added_and_removed_one_at_a_time_leave_the_others_alone() -> None:
    rules = parse_rules('[{"action": "greylist", "seconds": 3600}]')
    assert rules.decide(RCPT, "s@x", ["a@x"]).verdict is not None  # the pair is now greylisted
    rules, first = rules.added(parse_rule('{"action": "reject", "user": "b"}'))
    rules, second = rules.added(parse_rule('{"action": "tempfail", "user": "c", "times": 1}'))
    assert [type(rule).__name__ for rule in rules.rules] == ["Tempfail", "Reject", "Greylist"]  # the newest first
    assert rules.decide(RCPT, "s@x", ["c@x"]).verdict is not None
    after = rules.removed(first)
    assert after is not None
    assert rules.removed("no-such-id") is None
    assert [type(rule).__name__ for rule in after.rules] == ["Tempfail", "Greylist"]
    assert after.ids[0] == second
    assert after.decide(RCPT, "s@x", ["c@x"]).verdict is not None  # the greylist, not the used-up tempfail
    verdict = after.decide(RCPT, "s@x", ["a@x"]).verdict
    assert verdict is not None
    assert verdict.status == "4.7.1"  # the greylisting memory stayed too


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON"),
        ('{"action": "drop"}', "Invalid value 'drop' - at `$.action`"),
        ('{"action": "reject", "code": 450, "status": "5.1.1"}', "code 450 and status 5.1.1 disagree"),
        ('[{"action": "reject"}]', "Expected `object`, got `array`"),
    ],
)
def test_one_rule_is_checked_like_a_list(text: str, problem: str) -> None:
    with pytest.raises(RuleError) as raised:
        parse_rule(text)
    assert problem in str(raised.value)
