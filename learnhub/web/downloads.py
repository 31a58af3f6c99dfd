"""Files the browser saves: every download goes out through `attachment`, never a hand-built header."""

from __future__ import annotations

import io

from flask import Response, send_file

from learnhub.security import no_store


def attachment(data: bytes | str, mimetype: str, filename: str) -> Response:
    """`data` as a download named `filename` (Werkzeug quotes and encodes the name), never cached:
    every download here holds a learner's results or a report."""
    body = data.encode("utf-8") if isinstance(data, str) else data
    response = send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename,
                         etag=False, conditional=False)
    return no_store(response)
