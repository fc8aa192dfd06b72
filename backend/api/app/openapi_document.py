"""Prints the API's OpenAPI document: `./pants run backend/api:openapi-document > openapi.json`.

A build artefact: the web app (frontend/web) generates its client's types from it, so a change
to an API schema reaches the web app's type check (frontend/web/BUILD)."""

from __future__ import annotations

import json
import os
import sys
import tempfile


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        # The app module makes an app on import: its embedded files go to a scratch folder. No
        # database or broker is touched: the document is the routes and their schemas.
        os.environ["DATA_DIR"] = scratch
        from backend.api.app.main import app

        document = app.openapi()
        app.state.engine.dispose()
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
