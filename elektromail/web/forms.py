"""The pages with forms of their own: sign-in, compose (the inject form), fault rules, reset and purge."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import msgspec
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from elektromail.delivery.rules import RuleError, parse_rules
from elektromail.http.inject import InjectError, InjectTooLarge, build_message, inject
from elektromail.http.schemas import Inject
from elektromail.web import auth
from elektromail.web.actions import see_other, small_form
from elektromail.web.responses import UI_HEADERS
from elektromail.web.site import Site

MAX_ATTACHMENTS = 20
_parser = BytesParser(policy=policy.SMTP)
_pretty = msgspec.json.Encoder()


class Forms:
    def __init__(self, site: Site) -> None:
        self.site = site

    # ------------------------------------------------------------ sign-in

    async def login_page(self, request: Request) -> Response:
        target = auth.local_target(request.query_params.get("next"))
        return self.site.render(request, "login.html", {"next": target, "error": None})

    async def login(self, request: Request) -> Response:
        form = await small_form(request)
        target = auth.local_target(str(form.get("next", "")))
        token = self.site.token
        if token is None:
            return see_other(target)
        if not auth.token_matches(str(form.get("token", "")), token):
            return self.site.render(request, "login.html", {"next": target, "error": "That is not the token."}, 401)
        response = RedirectResponse(target, 303, headers=UI_HEADERS)
        response.set_cookie(auth.COOKIE_NAME, auth.session_value(token), httponly=True, samesite="strict", path="/")
        return response

    # ------------------------------------------------------------ compose

    async def compose_page(self, request: Request) -> Response:
        return self.site.render(request, "compose.html", {"fields": {}, "error": None, "error_field": None})

    async def compose(self, request: Request) -> Response:
        limit = self.site.context.config.max_message_size
        async with request.form(max_files=MAX_ATTACHMENTS, max_fields=20, max_part_size=limit) as form:
            return await self._compose(request, form, limit)

    async def _compose(self, request: Request, form: FormData, limit: int) -> Response:
        fields = {name: str(form.get(name, "")) for name in ("to", "from", "subject", "text", "html")}
        files = [item for item in form.getlist("attachments") if isinstance(item, UploadFile) and item.filename]
        try:
            request_body = Inject(
                to=fields["to"],
                from_=fields["from"] or None,
                subject=fields["subject"],
                text=fields["text"] or None,
                html=fields["html"] or None,
            )
            if files:
                request_body = Inject(to=fields["to"], raw=await _with_attachments(build_message(request_body), files))
            refs = await inject(self.site.store, self.site.context.delivery.router, request_body, limit)
        except InjectError as error:
            values = {"fields": fields, "error": str(error), "error_field": error.field}
            return self.site.render(request, "compose.html", values, 422)
        except InjectTooLarge as error:
            values = {"fields": fields, "error": str(error), "error_field": ""}
            return self.site.render(request, "compose.html", values, 413)
        return see_other(f"/m/{refs[0].id}")

    # ------------------------------------------------------------ fault rules

    async def rules_page(self, request: Request) -> Response:
        rules = self.site.context.delivery.rules.rules
        text = msgspec.json.format(_pretty.encode(rules), indent=2).decode()
        return self.site.render(request, "rules.html", {"text": text, "error": None, "saved": False})

    async def save_rules(self, request: Request) -> Response:
        form = await small_form(request)
        text = str(form.get("rules", ""))
        try:
            rules = parse_rules(text if text.strip() else "null")
        except RuleError as error:
            status = 400 if error.malformed else 422
            return self.site.render(request, "rules.html", {"text": text, "error": str(error), "saved": False}, status)
        self.site.context.delivery.rules = rules
        saved = msgspec.json.format(_pretty.encode(rules.rules), indent=2).decode()
        return self.site.render(request, "rules.html", {"text": saved, "error": None, "saved": True})

    # ------------------------------------------------------------ reset and purge

    async def server_page(self, request: Request) -> Response:
        return self.site.render(request, "server.html", {"error": None})

    async def server_action(self, request: Request) -> Response:
        form = await small_form(request)
        action = str(form.get("action", ""))
        if form.get("confirm") != "yes":
            values: dict[str, Any] = {"error": "Tick the box to confirm."}
            return self.site.render(request, "server.html", values, 422)
        if action == "reset":
            await self.site.reset_server()
        elif action == "purge":
            await self.site.store.purge()
        else:
            return Response(f"unknown action {action!r}\n", 400, media_type="text/plain", headers=UI_HEADERS)
        return see_other("/")


async def _with_attachments(raw: bytes, files: list[UploadFile]) -> str:
    message = _parser.parsebytes(raw)
    assert isinstance(message, EmailMessage)
    if not message.is_multipart():
        message.make_mixed()
    for upload in files:
        maintype, _, subtype = (upload.content_type or "application/octet-stream").partition("/")
        if not subtype or "/" in subtype:
            maintype, subtype = "application", "octet-stream"
        data = await upload.read()
        if maintype == "text":  # the email package takes text parts as text
            message.add_attachment(data.decode("utf-8", "replace"), subtype=subtype, filename=upload.filename)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=upload.filename)
    return message.as_bytes().decode("utf-8")
