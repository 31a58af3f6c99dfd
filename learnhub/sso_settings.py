"""The OpenID Connect providers LearnHub offers for single sign-on, read from LEARNHUB_OIDC_PROVIDERS
(a JSON list) and checked at start-up like every other setting (decision 0063).

Each provider: `key` (in its URLs), `name` (shown as "Sign in with <name>"), `issuer`, `client_id`,
`client_secret`, `domains` (the e-mail domains it serves), optional `claims` (which claim holds the
name, country and organisation; defaults `name`, `country`, `organisation`), `defaults` (country,
sector, organisation, organisation_type for accounts created at first sign-in when no claim gives
them) and `role` (of accounts created at first sign-in: trainee, the default, or trainer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
ROLES_FOR_NEW_ACCOUNTS = ("trainee", "trainer")
CLAIMS = ("name", "country", "organisation")
DEFAULTS = ("country", "sector", "organisation", "organisation_type")


@dataclass(frozen=True)
class OidcProvider:
    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    domains: tuple[str, ...]
    claims: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    role: str = "trainee"

    def serves(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domains


class SsoSettingsError(ValueError):
    """What is wrong, in a sentence naming the provider and the field."""


def parse(raw: str, *, production: bool) -> tuple[OidcProvider, ...]:
    """The providers of `raw` (empty: none); raises SsoSettingsError."""
    if not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except ValueError as error:
        raise SsoSettingsError(f"is not JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(items, list):
        raise SsoSettingsError("must be a JSON list of providers")
    providers, keys, domains = [], set(), set()
    for index, item in enumerate(items, 1):
        provider = _provider(item, index, production)
        if provider.key in keys:
            raise SsoSettingsError(f"names the key {provider.key!r} twice")
        taken = domains.intersection(provider.domains)
        if taken:
            raise SsoSettingsError(f"gives the domain {sorted(taken)[0]} to two providers")
        keys.add(provider.key)
        domains.update(provider.domains)
        providers.append(provider)
    return tuple(providers)


def _text(item: dict, name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SsoSettingsError(f"{where}: `{name}` is missing")
    return value.strip()


def _provider(item, index: int, production: bool) -> OidcProvider:
    if not isinstance(item, dict):
        raise SsoSettingsError(f"provider {index} is not an object")
    where = f"provider {index}"
    key = _text(item, "key", where)
    if not KEY.fullmatch(key):
        raise SsoSettingsError(f"{where}: `key` {key!r} must be lower-case letters, digits and dashes")
    where = f"provider {key!r}"
    issuer = _text(item, "issuer", where).rstrip("/")
    if not issuer.startswith("https://") and (production or not issuer.startswith("http://")):
        raise SsoSettingsError(f"{where}: `issuer` must be an https:// address")
    domains = item.get("domains")
    if not isinstance(domains, list) or not domains:
        raise SsoSettingsError(f"{where}: `domains` must list the e-mail domains it serves")
    domains = tuple(str(domain).strip().lower() for domain in domains)
    bad = [domain for domain in domains if not DOMAIN.fullmatch(domain)]
    if bad:
        raise SsoSettingsError(f"{where}: {bad[0]!r} in `domains` is not a domain name")
    claims = item.get("claims") or {}
    defaults = item.get("defaults") or {}
    if not isinstance(claims, dict) or set(claims) - set(CLAIMS):
        raise SsoSettingsError(f"{where}: `claims` may map only {', '.join(CLAIMS)}")
    if not isinstance(defaults, dict) or set(defaults) - set(DEFAULTS):
        raise SsoSettingsError(f"{where}: `defaults` may give only {', '.join(DEFAULTS)}")
    role = item.get("role", "trainee")
    if role not in ROLES_FOR_NEW_ACCOUNTS:
        raise SsoSettingsError(f"{where}: `role` must be trainee or trainer (other roles are given by an operator)")
    return OidcProvider(key=key, name=_text(item, "name", where), issuer=issuer,
                        client_id=_text(item, "client_id", where), client_secret=_text(item, "client_secret", where),
                        domains=domains, claims={name: str(claims.get(name, name)) for name in CLAIMS},
                        defaults={name: str(value) for name, value in defaults.items()}, role=role)
