"""A real OpenID provider for the single sign-on tests: the certified npm package `oidc-provider`, installed
from the npm registry into tests/oidc_provider/ (from its package-lock.json) and started with a small
configuration of ours (tests/oidc_provider/server.mjs) on a free local port. Without node or npm the tests
that need it are skipped, saying so."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

FOLDER = Path(__file__).resolve().parent / "oidc_provider"
NODE, NPM = shutil.which("node"), shutil.which("npm")


def _missing(reason: str) -> None:
    """Skip, saying why; CI (LEARNHUB_REQUIRE_OIDC_PROVIDER=1) fails instead."""
    if os.environ.get("LEARNHUB_REQUIRE_OIDC_PROVIDER"):
        pytest.fail(f"the single sign-on tests are required but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _install() -> None:
    if (FOLDER / "node_modules" / "oidc-provider").is_dir():
        return
    if NPM is None:
        _missing("npm is not installed: the single sign-on tests need the npm package oidc-provider")
    done = subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=FOLDER, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"npm ci failed in {FOLDER}:\n{done.stderr[-2000:]}"


class OidcProvider:
    """One running provider: `issuer`, and `sign_in` to go through its login page without a browser."""

    def __init__(self, clients: list[dict], accounts: dict[str, dict]) -> None:
        if NODE is None:
            _missing("node is not installed: the single sign-on tests run the npm package oidc-provider")
        _install()
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        config = json.dumps({"clients": clients, "accounts": accounts})
        self.process = subprocess.Popen([NODE, "server.mjs", str(self.port), config], cwd=FOLDER,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        self.output: list[str] = []

        def read() -> None:
            for line in self.process.stdout:
                self.output.append(line)
                if line.strip() == "ready":
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30):
            self.stop()
            raise AssertionError("the OpenID provider did not start:\n" + "".join(self.output))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def sign_in(self, authorization_url: str, login: str, stop_at: str) -> str:
        """Follow the provider from `authorization_url`, sign in as `login`, and return the address it sends
        the browser back to (the first one starting with `stop_at`)."""
        browser = requests.Session()
        url, method, data = authorization_url, "GET", None
        for _ in range(12):
            response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
            if response.status_code in (302, 303):
                url, method, data = urljoin(url, response.headers["Location"]), "GET", None
                if url.startswith(stop_at):
                    return url
                continue
            assert response.status_code == 200, (response.status_code, response.text[:500])
            assert 'name="login"' in response.text, response.text[:500]
            url = urljoin(url, response.text.split('action="', 1)[1].split('"', 1)[0])
            method, data = "POST", {"login": login, "password": "any"}
        raise AssertionError("the provider never sent the browser back")
