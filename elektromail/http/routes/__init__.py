"""The control plane's resources, one module each: its handlers, each with its own OpenAPI entry.

Each module exposes ``resource`` (an :class:`elektromail.http.operations.Resource`); the app factory lists
the modules in :data:`elektromail.http.app.RESOURCES`.
"""
