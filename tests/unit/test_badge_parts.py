"""Open Badges pieces without a database (decision 0072): base58 and Multikey, the eddsa-rdfc-2022 proof over
RDFC-1.0, the status list's encoding, baking and unbaking, and the operator's key file."""

from __future__ import annotations

import base64
import gzip
import io
import json
import xml.etree.ElementTree as ET

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk
from PIL import Image
from pyld import jsonld

from learnhub import badge_key_file
from learnhub.config import ConfigError, load
from learnhub.services import badge_baking, badges, data_integrity

CREDENTIAL = {
    "@context": [data_integrity.CREDENTIALS_V2, data_integrity.OPEN_BADGES_V3],
    "id": "urn:uuid:8b5d1c1e-6a53-5a2d-9c0e-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:learn.example.org", "type": ["Profile"], "name": "Ministerio TIC",
               "url": "https://learn.example.org"},
    "validFrom": "2027-01-10T09:00:00Z",
    "name": "Contraseñas y MFA ]]> «ñ»",
    "credentialSubject": {"type": ["AchievementSubject"],
                          "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                                          "identityHash": "Łucja Dąbrowska-Wójcik"}],
                          "achievement": {"id": "https://learn.example.org/courses/passwords-mfa",
                                          "type": ["Achievement"], "name": "Contraseñas y MFA",
                                          "description": "…", "criteria": {"narrative": "Complete it."},
                                          "creditsAvailable": 1.5}},
}


def test_base58_and_multikey_follow_the_bitcoin_alphabet_and_the_ed25519_multicodec():
    assert data_integrity.base58btc(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert data_integrity.base58btc(b"\0\0\x01") == "112"
    assert data_integrity.multikey(bytes(32)).startswith("z6Mk")
    assert len(data_integrity.multikey(bytes(range(32)))) == 48


def test_a_proof_covers_every_statement_and_names_its_method():
    key = Ed25519PrivateKey.generate()
    signed = data_integrity.sign(CREDENTIAL, key, "did:web:learn.example.org#k1", "2027-01-10T09:00:01Z")
    assert signed["proof"]["proofValue"].startswith("z")
    assert {k: v for k, v in signed.items() if k != "proof"} == CREDENTIAL
    assert data_integrity.verify(signed, key.public_key())
    assert not data_integrity.verify(signed, Ed25519PrivateKey.generate().public_key())
    renamed = {**signed, "credentialSubject": {**signed["credentialSubject"], "identifier": [
        {**signed["credentialSubject"]["identifier"][0], "identityHash": "Lucja Dabrowska"}]}}
    assert not data_integrity.verify(renamed, key.public_key())
    moved = {**signed, "proof": {**signed["proof"], "created": "2027-01-11T09:00:01Z"}}
    assert not data_integrity.verify(moved, key.public_key())
    quads = data_integrity.canonical(CREDENTIAL)
    assert '"Łucja Dąbrowska-Wójcik"' in quads and "https://purl.imsglobal.org/spec/vc/ob/vocab.html#" in quads


def test_no_context_is_fetched_from_the_network():
    with pytest.raises(jsonld.JsonLdError):
        data_integrity.canonical({**CREDENTIAL, "@context": ["https://example.org/context.jsonld"]})


def test_the_status_list_is_16_kb_of_bits_gzipped_in_base64url_with_position_0_first():
    encoded = badges.encode_list([0, 7, 8, badges.LIST_SIZE - 1])
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    bits = badges.decode_list(encoded)
    assert len(bits) == badges.LIST_SIZE // 8 == 16_384
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000 and bits[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bits) == 4
    assert gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))) == bits
    assert badges.encode_list([]) == badges.encode_list([])  # no timestamp in the gzip header


def test_unbaking_a_baked_png_gives_the_same_credential():
    baked = badge_baking.bake_png(CREDENTIAL)
    assert badge_baking.unbake_png(baked) == CREDENTIAL
    image = Image.open(io.BytesIO(baked))
    image.load()
    assert image.size == (256, 256) and json.loads(image.text["openbadgecredential"]) == CREDENTIAL
    assert badge_baking.unbake_png(badge_baking.badge_image()) is None
    with pytest.raises(ValueError, match="not a PNG"):
        badge_baking.unbake_png(b"GIF89a")


def test_unbaking_the_svg_element_gives_the_same_credential_even_with_a_cdata_end_inside():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           f"<openbadges:credential><![CDATA[{badge_baking.svg_cdata(CREDENTIAL)}]]></openbadges:credential></svg>")
    element = ET.fromstring(svg).find("{https://purl.imsglobal.org/ob/v3p0}credential")  # noqa: S314
    assert json.loads(element.text) == CREDENTIAL


def test_the_operators_key_file_is_an_ed25519_private_key_as_pem_or_jwk(tmp_path):
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    pem, as_jwk = tmp_path / "issuer.pem", tmp_path / "issuer.jwk"
    pem.write_bytes(key.export_to_pem(private_key=True, password=None))
    as_jwk.write_text(key.export_private())
    assert badge_key_file.read(str(pem)).thumbprint() == badge_key_file.read(str(as_jwk)).thumbprint()
    public, rsa, junk = tmp_path / "public.jwk", tmp_path / "rsa.pem", tmp_path / "junk.txt"
    public.write_text(key.export_public())
    rsa.write_bytes(jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None))
    junk.write_text("not a key")
    for path, message in ((public, "Ed25519 private key"), (rsa, "Ed25519 private key"),
                          (junk, "neither a PEM nor a JWK"), (tmp_path / "missing.pem", "cannot be read")):
        with pytest.raises(badge_key_file.BadgeKeyFileError, match=message):
            badge_key_file.read(str(path))
        with pytest.raises(ConfigError, match="LEARNHUB_BADGE_KEY_FILE"):
            load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_BADGE_KEY_FILE": str(path)})
    config = load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_BADGE_KEY_FILE": str(pem)})
    assert config["BADGE_KEY_FILE"] == str(pem)
    assert load({"LEARNHUB_INSTANCE_DIR": str(tmp_path)})["BADGE_KEY_FILE"] == ""
