"""The delivery and fault rules in force: read them, or replace them all at once."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from elektromail.delivery.rules import DsnRule, RuleError, parse_rules
from elektromail.http.errors import BadRequest, Unprocessable
from elektromail.http.operations import INVALID_JSON, Answer, Resource
from elektromail.http.plane import ControlPlane, json_response

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
        "Same JSON as `ELEKTROMAIL_DSN_RULES`. Counts of `times`, probability draws and greylisted "
        "pairs start afresh. `POST /reset` restores the configured rules."
    ),
)
async def put_rules(plane: ControlPlane, request: Request) -> Response:
    body = await plane.read_bytes(request)
    try:
        rules = parse_rules(body if body.strip() else b"null")
    except RuleError as error:
        raise (BadRequest if error.malformed else Unprocessable)(str(error)) from None
    # A new rule set starts afresh: counts of `times`, random draws and greylisted pairs.
    plane.context.delivery.rules = rules
    return json_response(rules.rules)
