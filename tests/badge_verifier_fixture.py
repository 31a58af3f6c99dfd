"""An independent verifier for the Open Badges tests: Digital Bazaar's VC libraries (npm), installed into
tests/badge_verifier/ by `npm ci` from its package-lock.json and run by tests/badge_verifier/verify.mjs, against
LearnHub served over HTTPS on a free local port (did:web and the status lists are fetched from it, nothing else).
Without node or npm the tests that need it are skipped, saying so; CI (LEARNHUB_REQUIRE_OIDC_PROVIDER=1, the
switch that makes every npm-backed test required) fails instead."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server

FOLDER = Path(__file__).resolve().parent / "badge_verifier"
NODE, NPM = shutil.which("node"), shutil.which("npm")


def _missing(reason: str) -> None:
    if os.environ.get("LEARNHUB_REQUIRE_OIDC_PROVIDER"):
        pytest.fail(f"the Open Badges verifier tests are required but {reason}")
    pytest.skip(reason)


def install() -> None:
    """`npm ci` once; skip (or fail in CI) without node and npm."""
    if NODE is None:
        _missing("node is not installed: the Open Badges tests run the npm package @digitalbazaar/vc")
    if (FOLDER / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return
    if NPM is None:
        _missing("npm is not installed: the Open Badges tests need the npm package @digitalbazaar/vc")
    done = subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=FOLDER, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"npm ci failed in {FOLDER}:\n{done.stderr[-2000:]}"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for https://127.0.0.1 that node is told to trust (NODE_EXTRA_CA_CERTS): (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class HttpsServer:
    """`app` served at `origin` (https://127.0.0.1:PORT) in a thread; its BASE_URL is set to that origin."""

    def __init__(self, app, folder: Path) -> None:
        self.cert_file, key_file = self_signed(folder)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, key_file)
        self.server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
        self.origin = f"https://127.0.0.1:{self.server.server_port}"
        app.config["BASE_URL"] = self.origin
        self.folder = folder
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()

    def verify(self, credentials: list[dict]) -> list[dict]:
        """What the independent verifier says of each credential: {"verified", "revoked", "errors"}."""
        request = self.folder / "verify-request.json"
        request.write_text(json.dumps({"origin": self.origin, "credentials": credentials}), encoding="utf-8")
        done = subprocess.run([NODE, "verify.mjs", str(request)], cwd=FOLDER, capture_output=True, text=True,
                              timeout=120, check=False, env={**os.environ, "NODE_EXTRA_CA_CERTS": str(self.cert_file)})
        assert done.returncode == 0, done.stderr[-3000:]
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
