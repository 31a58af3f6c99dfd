"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, §3.3):
the credential and the proof options are canonicalised with RDFC-1.0 by pyld, hashed with SHA-256, and the two
hashes signed with Ed25519 (decision 0072).

JSON-LD contexts are never fetched: the two a credential names are shipped in learnhub/data/jsonld/ (copied from
the npm packages that verifiers use, see decision 0072) and any other URL is refused."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {CREDENTIALS_V2: "credentials-v2.jsonld", OPEN_BADGES_V3: "ob-v3p0-context-3.0.3.json"}
CONTEXT_DIR = Path(__file__).resolve().parent.parent / "data" / "jsonld"

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_PUBLIC_HEADER = b"\xed\x01"
"""The multicodec prefix of an Ed25519 public key in a Multikey's publicKeyMultibase."""


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, leading zero bytes kept as "1" (what multibase "z" means)."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = _BASE58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def multikey(public_key: bytes) -> str:
    """An Ed25519 public key as a Multikey publicKeyMultibase ("z6Mk...")."""
    return "z" + base58btc(ED25519_PUBLIC_HEADER + public_key)


@cache
def _context(url: str) -> dict:
    return json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def _load(url: str, options=None) -> dict:
    """pyld's document loader: only the shipped contexts, never the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(f"LearnHub does not load remote JSON-LD documents ({url})",
                                 "jsonld.LoadDocumentError", code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": _context(url)}


def canonical(document: dict) -> str:
    """RDFC-1.0 N-Quads of a JSON-LD document (pyld names the algorithm URDNA2015, which RDFC-1.0 continues)."""
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": _load})


def _hash_data(document: dict, proof_options: dict) -> bytes:
    config = {"@context": document["@context"], **proof_options}
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return (hashlib.sha256(canonical(config).encode()).digest()
            + hashlib.sha256(canonical(unsecured).encode()).digest())


def sign(document: dict, key: Ed25519PrivateKey, verification_method: str, created: str) -> dict:
    """`document` with an eddsa-rdfc-2022 DataIntegrityProof made by `key` for the assertionMethod purpose."""
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": created,
               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = key.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": "z" + base58btc(signature)}}


def verify(document: dict, public_key) -> bool:
    """Whether the proof of `document` was made by `public_key` (an Ed25519PublicKey) over exactly this content;
    for LearnHub's own checks (the independent check is tests/badge_verifier)."""
    from cryptography.exceptions import InvalidSignature

    proof = dict(document.get("proof") or {})
    value = proof.pop("proofValue", "")
    if not value.startswith("z"):
        return False
    number = 0
    for char in value[1:]:
        number = number * 58 + _BASE58.index(char)
    try:
        public_key.verify(number.to_bytes(64, "big"), _hash_data(document, proof))
    except (InvalidSignature, OverflowError):
        return False
    return True
