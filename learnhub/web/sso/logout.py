"""Where logout goes for a session that an organisation's provider signed in: a page with a link to its
end-session address (OpenID Connect RP-initiated logout), which brings the person back to our home page."""

from __future__ import annotations

from flask import current_app, url_for

from learnhub.services import sso_client


def sso_logout_url(provider_session) -> dict | None:
    """{"name": the provider's name, "url": its end-session address}, or None."""
    if not isinstance(provider_session, dict):
        return None
    provider = next((item for item in current_app.config["OIDC_PROVIDERS"]
                     if item.key == provider_session.get("provider")), None)
    id_token = provider_session.get("id_token")
    if provider is None or not isinstance(id_token, str):
        return None
    url = sso_client.logout_url(provider, id_token, url_for("main.home", _external=True))
    return {"name": provider.name, "url": url} if url else None
