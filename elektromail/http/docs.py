"""The Swagger UI at ``/docs``, served entirely from installed packages so it works with no network.

The UI's files are the unmodified dist files of Swagger UI 5 (the first major version that renders
OpenAPI 3.1), kept in ``static/`` with their license and read with importlib.resources so a frozen build
finds them as package data; the page and its start-up script are ours. The page's settings travel
as a JSON data block, not as script text, so a token in the URL cannot inject markup.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import msgspec

ASSET_PREFIX = "/docs/static/"
ASSET_TYPES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
STARTUP_SCRIPT_NAME = "elektromail-docs.js"

# validatorUrl null: the UI would otherwise fetch a badge from the public validator.
STARTUP_SCRIPT = b"""\
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("docs-config").textContent);
  window.ui = SwaggerUIBundle({
    url: config.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (config.token) {
        request.headers["Authorization"] = "Bearer " + config.token;
      }
      return request;
    }
  });
})();
"""

PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>elektromail HTTP API</title>
<link rel="stylesheet" href="{prefix}swagger-ui.css">
<link rel="icon" type="image/png" href="{prefix}favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script id="docs-config" type="application/json">{config}</script>
<script src="{prefix}swagger-ui-bundle.js"></script>
<script src="{prefix}{script}"></script>
</body>
</html>
"""


def page(token: str | None) -> str:
    url = "/openapi.json"
    config = msgspec.json.encode({"url": url, "token": token}).decode()
    # Inside <script> only "</" and "<!--" could end or confuse the block; \\u-escape every angle bracket.
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return PAGE.format(prefix=ASSET_PREFIX, config=config, script=STARTUP_SCRIPT_NAME)


@lru_cache(maxsize=len(ASSET_TYPES) + 1)
def asset(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of one UI file, or None for a name that is not one of them."""
    if name == STARTUP_SCRIPT_NAME:
        return STARTUP_SCRIPT, "text/javascript; charset=utf-8"
    media_type = ASSET_TYPES.get(name)
    if media_type is None:
        return None
    return (files(__package__ or "elektromail.http") / "static" / name).read_bytes(), media_type
