"""The OpenID Connect protocol with an organisation's provider, through Authlib (decision 0063).

Authorization code flow with PKCE (S256), a fresh `state`, `nonce` and code verifier per sign-in;
the provider's endpoints come from its discovery document, whose `issuer` must be the configured one.
The ID token is checked here, every time: its signature against the provider's published keys
(re-read once when an unknown key id appears), the algorithm (never "none"), the issuer, that our
client id is its audience (Authlib's own check lets a token for another client through when it names
us as `azp`), the expiry with a minute of clock skew, and the nonce of this sign-in.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from learnhub.sso_settings import OidcProvider

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 5
CACHE_SECONDS = 3600
LEEWAY_SECONDS = 60
_cache: dict[str, tuple[float, dict]] = {}  # discovery documents and key sets, by URL, per process


class SsoError(Exception):
    """`code`: "unreachable" (the provider did not answer), "discovery", "denied" (the person or the
    provider stopped), "state", "token", "signature", "nonce", "audience", "expired", "issuer", "claims"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    verifier: str


def _get_json(url: str, refresh: bool = False) -> dict:
    cached = _cache.get(url)
    if cached is not None and not refresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoError("unreachable") from error
    if not isinstance(data, dict):
        raise SsoError("discovery")
    _cache[url] = (time.monotonic(), data)
    return data


def forget_cache() -> None:
    _cache.clear()


def metadata(provider: OidcProvider) -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0), checked."""
    data = _get_json(f"{provider.issuer}/.well-known/openid-configuration")
    if str(data.get("issuer", "")).rstrip("/") != provider.issuer:
        raise SsoError("discovery")
    if not all(isinstance(data.get(name), str) for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise SsoError("discovery")
    methods = data.get("code_challenge_methods_supported")
    if methods is not None and "S256" not in methods:
        raise SsoError("discovery")
    return data


def _client(provider: OidcProvider, redirect_uri: str, state: str | None = None) -> OAuth2Session:
    return OAuth2Session(provider.client_id, provider.client_secret, scope=SCOPE, redirect_uri=redirect_uri,
                         code_challenge_method="S256", state=state)


def authorization_request(provider: OidcProvider, redirect_uri: str, login_hint: str | None = None,
                          language: str | None = None) -> AuthorizationRequest:
    """Where to send the browser, and the secrets the caller keeps for the answer."""
    meta = metadata(provider)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    extra = {key: value for key, value in (("login_hint", login_hint), ("ui_locales", language)) if value}
    url, _ = _client(provider, redirect_uri).create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier, **extra)
    return AuthorizationRequest(url, state, nonce, verifier)


def complete(provider: OidcProvider, redirect_uri: str, response_url: str, request: AuthorizationRequest
             ) -> tuple[dict, str]:
    """Check the provider's answer (the callback's full URL), exchange the code with the verifier and
    check the ID token: returns (its claims, the ID token itself, for logout)."""
    params = {key: values[0] for key, values in parse_qs(urlsplit(response_url).query).items()}
    if "error" in params:
        raise SsoError("denied")
    if not hmac.compare_digest(params.get("state", ""), request.state):
        raise SsoError("state")
    meta = metadata(provider)
    if "iss" in params and params["iss"].rstrip("/") != provider.issuer:  # RFC 9207: no mix-up of providers
        raise SsoError("issuer")
    try:
        token = _client(provider, redirect_uri, request.state).fetch_token(
            meta["token_endpoint"], authorization_response=response_url, code_verifier=request.verifier,
            timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise SsoError("unreachable") from error
    except (OAuthError, ValueError) as error:
        raise SsoError("token") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoError("token")
    return check_id_token(id_token, provider, meta, request.nonce, token.get("access_token")), id_token


def _decode(id_token: str, meta: dict):
    algorithms = [name for name in meta.get("id_token_signing_alg_values_supported") or ["RS256"] if name != "none"]
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        return jwt.decode(id_token, KeySet.import_key_set(_get_json(meta["jwks_uri"])), registry=registry)
    except InvalidKeyIdError:  # the provider rolled its keys since we read them
        return jwt.decode(id_token, KeySet.import_key_set(_get_json(meta["jwks_uri"], refresh=True)),
                          registry=registry)


def check_id_token(id_token: str, provider: OidcProvider, meta: dict, nonce: str, access_token: str | None = None,
                   now: int | None = None) -> dict:
    """The claims of `id_token` once every check passed; SsoError naming the first that failed."""
    try:
        token = _decode(id_token, meta)
    except BadSignatureError as error:
        raise SsoError("signature") from error
    except (JoseError, ValueError, TypeError) as error:
        raise SsoError("token") from error
    options = {"iss": {"essential": True, "values": [meta["issuer"]]},
               "aud": {"essential": True, "values": [provider.client_id]}}
    claims = CodeIDToken(token.claims, token.header, options,
                         {"nonce": nonce, "client_id": provider.client_id, "access_token": access_token})
    try:
        claims.validate(now=now, leeway=LEEWAY_SECONDS)
    except ExpiredTokenError as error:
        raise SsoError("expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        raise SsoError({"nonce": "nonce", "aud": "audience", "azp": "audience", "iss": "issuer",
                        "exp": "expired"}.get(error.claim, "claims")) from error
    except JoseError as error:
        raise SsoError("claims") from error
    return dict(claims)


def logout_url(provider: OidcProvider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), or None when it has none or is down."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except SsoError:
        return None
    if not isinstance(endpoint, str):
        return None
    return add_params_to_uri(endpoint, {"id_token_hint": id_token, "client_id": provider.client_id,
                                        "post_logout_redirect_uri": post_logout_redirect_uri})
