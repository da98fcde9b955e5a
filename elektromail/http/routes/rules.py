"""The delivery and fault rules in force: read them, replace them all at once, or add and remove one.

A rule that stays keeps its state (``times`` left, probability draws, greylisted pairs) whichever way the
list changes, so tests that share a server can each add and remove their own rules without disturbing
another's.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail.delivery.rules import AddedRule, DsnRule, RuleError, parse_rule, parse_rules
from elektromail.http.errors import BadRequest, NotFound, Unprocessable
from elektromail.http.operations import INVALID_JSON, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Error

resource = Resource()


@resource.operation(
    "GET",
    "/rules",
    "getRules",
    "The delivery and fault rules in force",
    {200: Answer("the rules, first to last, as ELEKTROMAIL_DSN_RULES writes them", list[DsnRule])},
)
async def get_rules(plane: ControlPlane, request: Request) -> Response:
    return json_response(plane.context.delivery.rules.rules)


@resource.operation(
    "PUT",
    "/rules",
    "putRules",
    "Replace every delivery and fault rule at once",
    {200: Answer("the rules now in force", list[DsnRule]), **INVALID_JSON},
    body=list[DsnRule],
    description=(
        "Same JSON as `ELEKTROMAIL_DSN_RULES`. A rule equal to one already in force keeps that one's state "
        "(`times` used, probability draws, greylisted pairs); a new rule starts afresh. `POST /reset` "
        "restores the configured rules, all afresh."
    ),
)
async def put_rules(plane: ControlPlane, request: Request) -> Response:
    body = await plane.read_bytes(request)
    try:
        rules = parse_rules(body if body.strip() else b"null")
    except RuleError as error:
        raise (BadRequest if error.malformed else Unprocessable)(str(error)) from None
    delivery = plane.context.delivery
    delivery.rules = delivery.rules.replaced(rules)
    plane.context.publisher.rules_changed()
    return json_response(delivery.rules.rules)


@resource.operation(
    "POST",
    "/rules",
    "addRule",
    "Add one rule in front of the others",
    {201: Answer("added; its id removes it", AddedRule), **INVALID_JSON},
    body=DsnRule,
    description=(
        "One rule as in `ELEKTROMAIL_DSN_RULES`, put first (it decides before the rules in force). The "
        "others keep their state. A client that adds its own rules and removes them by id needs no "
        "read-modify-write of the list."
    ),
)
async def add_rule(plane: ControlPlane, request: Request) -> Response:
    body = await plane.read_bytes(request)
    try:
        rule = parse_rule(body)
    except RuleError as error:
        raise (BadRequest if error.malformed else Unprocessable)(str(error)) from None
    delivery = plane.context.delivery
    delivery.rules, rule_id = delivery.rules.added(rule)
    plane.context.publisher.rules_changed()
    return json_response(AddedRule(id=rule_id, rule=rule), 201)


@resource.operation(
    "DELETE",
    "/rules/{id}",
    "removeRule",
    "Remove the rule with this id",
    {204: Answer("removed"), 404: Answer("no rule with this id (removed, replaced, or from before a reset)", Error)},
    description="The other rules keep their state.",
)
async def remove_rule(plane: ControlPlane, request: Request) -> Response:
    rule_id: str = request.path_params["id"]
    delivery = plane.context.delivery
    remaining = delivery.rules.removed(rule_id)
    if remaining is None:
        raise NotFound(f"no rule with id {rule_id!r}")
    delivery.rules = remaining
    plane.context.publisher.rules_changed()
    return Response(status_code=204)
