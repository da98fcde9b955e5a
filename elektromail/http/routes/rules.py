"""The delivery and fault rules in force: read them, replace them all at once, or add and remove one.

A rule that stays keeps its state (``times`` left, probability draws, greylisted pairs) whichever way the
list changes, so tests that share a server can each add and remove their own rules without disturbing
another's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from elektromail.delivery.rules import AddedRule, DsnRule, DsnRules, RuleError, parse_rule, parse_rules
from elektromail.http.errors import BadRequest, NotFound, Unprocessable
from elektromail.http.operations import INVALID_JSON, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response
from elektromail.http.schemas import Error

resource = Resource()
T = TypeVar("T")


async def _read_rule_body(plane: ControlPlane, request: Request, parse: Callable[[bytes], T]) -> T:
    """The request body as ``parse`` reads it: malformed JSON is a 400, JSON that is no rule a 422."""
    body = await plane.read_bytes(request)
    try:
        return parse(body)
    except RuleError as error:
        raise (BadRequest if error.malformed else Unprocessable)(str(error)) from None


def _put_in_force(plane: ControlPlane, rules: DsnRules) -> None:
    plane.context.delivery.rules = rules
    plane.context.publisher.rules_changed()


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
    rules = await _read_rule_body(plane, request, lambda body: parse_rules(body if body.strip() else b"null"))
    _put_in_force(plane, plane.context.delivery.rules.replaced(rules))
    return json_response(plane.context.delivery.rules.rules)


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
    rule = await _read_rule_body(plane, request, parse_rule)
    rules, rule_id = plane.context.delivery.rules.added(rule)
    _put_in_force(plane, rules)
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
    remaining = plane.context.delivery.rules.removed(rule_id)
    if remaining is None:
        raise NotFound(f"no rule with id {rule_id!r}")
    _put_in_force(plane, remaining)
    return Response(status_code=204)
