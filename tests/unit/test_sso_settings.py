"""LEARNHUB_OIDC_PROVIDERS: what a provider needs, and the messages an operator reads (decision 0063)."""

from __future__ import annotations

import json

import pytest

from learnhub.config import ConfigError, load
from learnhub.sso_settings import parse

GOOD = {"key": "map-do", "name": "Ministerio de Administración Pública", "issuer": "https://id.map.gob.do/",
        "client_id": "learnhub", "client_secret": "s3cret", "domains": ["MAP.gob.do", "mitic.gob.do"],
        "claims": {"organisation": "org"}, "defaults": {"country": "DO"}, "role": "trainer"}


def test_a_provider_is_read_with_its_domains_claims_and_defaults():
    (provider,) = parse(json.dumps([GOOD]), production=True)
    assert provider.issuer == "https://id.map.gob.do" and provider.domains == ("map.gob.do", "mitic.gob.do")
    assert provider.claims == {"name": "name", "country": "country", "organisation": "org"}
    assert provider.role == "trainer" and provider.serves("Ana@Map.Gob.Do") and not provider.serves("ana@gob.do")
    assert parse("", production=True) == ()


@pytest.mark.parametrize(("change", "message"), [
    ({"key": "Map DO"}, "`key`"),
    ({"issuer": "http://id.map.gob.do"}, "https://"),
    ({"domains": []}, "`domains`"),
    ({"domains": ["not a domain"]}, "not a domain name"),
    ({"client_secret": ""}, "`client_secret` is missing"),
    ({"role": "admin"}, "`role` must be trainee or trainer"),
    ({"claims": {"email": "mail"}}, "`claims` may map only"),
    ({"defaults": {"role": "admin"}}, "`defaults` may give only"),
])
def test_each_mistake_is_named(change, message, tmp_path):
    raw = json.dumps([{**GOOD, **change}])
    with pytest.raises(ConfigError, match="LEARNHUB_OIDC_PROVIDERS") as error:
        load({"LEARNHUB_INSTANCE_DIR": str(tmp_path), "LEARNHUB_ENV": "production", "LEARNHUB_SECRET_KEY": "k" * 40,
              "LEARNHUB_SMTP_HOST": "smtp.example.org", "LEARNHUB_BASE_URL": "https://learnhub.example.org",
              "LEARNHUB_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "LEARNHUB_QUEUE_URL": "redis://127.0.0.1:6379/1",
              "LEARNHUB_OIDC_PROVIDERS": raw})
    assert message in str(error.value)


def test_keys_and_domains_are_not_shared_and_the_text_must_be_a_json_list():
    with pytest.raises(ValueError, match="twice"):
        parse(json.dumps([GOOD, {**GOOD, "domains": ["other.gob.do"]}]), production=False)
    with pytest.raises(ValueError, match="two providers"):
        parse(json.dumps([GOOD, {**GOOD, "key": "other"}]), production=False)
    with pytest.raises(ValueError, match="not JSON"):
        parse("[{", production=False)
    with pytest.raises(ValueError, match="JSON list"):
        parse(json.dumps(GOOD), production=False)
    local = parse(json.dumps([{**GOOD, "issuer": "http://127.0.0.1:9000"}]), production=False)
    assert local[0].issuer == "http://127.0.0.1:9000"  # plain http only outside production (test providers)
