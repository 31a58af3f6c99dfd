"""What the login page shows of single sign-on: the work-address form when providers are configured, and
"Sign in with <organisation>" when the address typed in the password form belongs to one of them."""

from __future__ import annotations

from flask import current_app

from learnhub.web.sso.forms import SsoForm


def sso_login_context(form) -> dict:
    providers = current_app.config["OIDC_PROVIDERS"]
    if not providers:
        return {}
    typed = (form.email.data or "") if form.is_submitted() else ""
    serving = next((provider for provider in providers if typed and provider.serves(typed)), None)
    sso_form = SsoForm(formdata=None, sso_email=typed or None, next=form.next.data or "")
    return {"sso_form": sso_form, "serving": serving}
