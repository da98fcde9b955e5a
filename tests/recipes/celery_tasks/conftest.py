from __future__ import annotations

from collections.abc import Iterator

import pytest
from receipts import app

from elektromail.testing import MailServer


@pytest.fixture(autouse=True)
def eager_tasks_mailing_elektromail(elektromail_server: MailServer) -> Iterator[None]:
    # Eager mode runs a task inside .delay(), in the test's process: no broker, no worker.
    saved = dict(app.conf)
    app.conf.update(
        task_always_eager=True,
        task_eager_propagates=True,  # a failing task fails the test
        smtp_host=elektromail_server.smtp_host,
        smtp_port=elektromail_server.smtp_port,
    )
    yield
    app.conf.update(saved)
