"""Single sign-on through an organisation's OpenID Connect provider (decision 0063).

`/login/sso` routes a work address to the provider that serves its domain; `/login/sso/<key>` starts
the authorization code flow (PKCE, state, nonce kept in the session); the callback checks everything
(services/sso_client.py), then decides who this is (services/sso_accounts.py): a known identity or a
new account logs in (through the second step when the account has a second factor); an address that
an account already uses must be proved with that account's password once, which links them.
"""

from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learnhub.extensions import db
from learnhub.i18n import current_language
from learnhub.security import anonymous_form, audit_request, no_store, safe_next_url
from learnhub.services import sso_accounts, sso_client
from learnhub.services.accounts import normalise_email
from learnhub.services.sso_client import AuthorizationRequest, SsoError
from learnhub.sso_settings import OidcProvider
from learnhub.web import sessions
from learnhub.web.auth.forms import LoginForm
from learnhub.web.sso.forms import SsoForm

bp = Blueprint("sso", __name__)
REQUEST_KEY = "sso_request"
REQUEST_SECONDS = 600


def providers() -> tuple[OidcProvider, ...]:
    return current_app.config["OIDC_PROVIDERS"]


def provider_for(email: str) -> OidcProvider | None:
    return next((provider for provider in providers() if provider.serves(email)), None)


def _provider(key: str) -> OidcProvider:
    provider = next((provider for provider in providers() if provider.key == key), None)
    if provider is None:
        abort(404)
    return provider


def _callback_url(provider: OidcProvider) -> str:
    return url_for("sso.callback", key=provider.key, _external=True)


def error_message(code: str, provider: OidcProvider) -> str:
    name = provider.name
    return {
        "unreachable": _("%(name)s cannot be reached right now. Try again in a few minutes, or log in with your "
                         "LearnHub password.", name=name),
        "denied": _("The sign-in at %(name)s was cancelled or refused. Nothing was changed.", name=name),
        "state": _("This sign-in link was already used or has expired. Start again from the login page."),
        "disabled": _("This account is disabled. Ask your LearnHub administrator."),
        "no-email": _("%(name)s did not give a usable e-mail address, which LearnHub needs. Ask your "
                      "organisation's administrator.", name=name),
        "foreign-domain": _("%(name)s does not sign in addresses of that domain at LearnHub.", name=name),
        "unverified": _("A LearnHub account already uses this address, and it cannot be linked to %(name)s "
                        "because the address is not verified on both sides. Log in with your password; if your "
                        "address is not confirmed yet, confirm it first (the link is on your learning page), "
                        "then sign in with %(name)s again.", name=name),
        "profile": _("%(name)s did not give your country, and no default is set for it. Ask your LearnHub "
                     "administrator.", name=name),
    }.get(code, _("The answer from %(name)s could not be trusted, so you are not signed in. Try again; if it "
                  "happens again, tell your LearnHub administrator.", name=name))


def _failed(provider: OidcProvider, code: str, status: int):
    audit_request("auth.sso_failed", provider=provider.key, reason=code)
    db.session.commit()
    html = render_template("auth/sso_error.html", provider=provider, message=error_message(code, provider))
    return no_store(current_app.make_response((html, status)))


@bp.post("/login/sso")
@anonymous_form
def route():
    """The work address typed on the login page: on to the provider that serves its domain."""
    form = SsoForm()
    if form.validate_on_submit():
        provider = provider_for(form.sso_email.data)
        if provider is not None:
            # A page with a link, not a redirect: the CSP's form-action 'self' rightly stops a form from being
            # redirected to another site, and the provider is another site.
            start_url = url_for("sso.start", key=provider.key, login_hint=normalise_email(form.sso_email.data),
                                next=safe_next_url(form.next.data))
            return render_template("auth/sso_continue.html", provider=provider, start_url=start_url)
        form.sso_email.errors.append(_("No organisation signs in this address here. Log in with your password "
                                       "instead."))
    login_form = LoginForm(formdata=None)
    return render_template("auth/login.html", form=login_form, sso_form=form), 400


@bp.get("/login/sso/<key>")
def start(key: str):
    provider = _provider(key)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    try:
        outgoing = sso_client.authorization_request(provider, _callback_url(provider),
                                                    login_hint=request.args.get("login_hint"),
                                                    language=current_language())
    except SsoError as error:
        return _failed(provider, error.code, 503 if error.code == "unreachable" else 502)
    session[REQUEST_KEY] = {"provider": provider.key, "state": outgoing.state, "nonce": outgoing.nonce,
                            "verifier": outgoing.verifier, "next": safe_next_url(request.args.get("next")),
                            "at": int(time.time())}
    return redirect(outgoing.url, 303)


@bp.get("/login/sso/<key>/callback")
def callback(key: str):
    provider = _provider(key)
    kept = session.pop(REQUEST_KEY, None)
    if (not isinstance(kept, dict) or kept.get("provider") != provider.key
            or time.time() - kept.get("at", 0) > REQUEST_SECONDS):
        return _failed(provider, "state", 400)
    outgoing = AuthorizationRequest("", kept["state"], kept["nonce"], kept["verifier"])
    try:
        claims, id_token = sso_client.complete(provider, _callback_url(provider), request.url, outgoing)
    except SsoError as error:
        return _failed(provider, error.code, 503 if error.code == "unreachable" else 400)
    outcome = sso_accounts.sign_in(provider, claims, current_language())
    if outcome.action == "refused":
        return _failed(provider, outcome.reason, 403)
    if outcome.action == "link-needed":
        audit_request("auth.sso_link_needed", actor_id=outcome.user.id, provider=provider.key)
        db.session.commit()
        session[sessions.SSO_LINK_KEY] = {"provider": provider.key, "subject": str(claims["sub"]),
                                          "email": outcome.email, "at": int(time.time())}
        flash(_("A LearnHub account already uses %(email)s. Log in to it once with your password: %(name)s "
                "will then sign you in to it.", email=outcome.email, name=provider.name), "info")
        return redirect(url_for("auth.login", next=kept.get("next")), 303)
    if outcome.action == "created":
        audit_request("account.created_by_sso", actor_id=outcome.user.id, provider=provider.key)
    logged_in = sessions.log_in_from_provider(outcome.user, provider.key, id_token)
    if not logged_in:
        return redirect(url_for("auth.second_step", next=kept.get("next")), 303)
    if outcome.action == "created":
        flash(_("Welcome to LearnHub. Your account was created from %(name)s: check your profile.",
                name=provider.name), "success")
    return redirect(kept.get("next") or url_for("main.home"), 303)


@bp.get("/logout/organisation")
def logged_out():
    """After logging out of a session that a provider signed in: a link to log out there too (a link, since
    the logout form may not be redirected to another site under the CSP's form-action 'self')."""
    target = session.pop(sessions.SSO_LOGOUT_KEY, None)
    if not isinstance(target, dict) or current_user.is_authenticated:
        return redirect(url_for("main.home"), 303)
    html = render_template("auth/sso_logged_out.html", name=target.get("name", ""), url=target.get("url", ""))
    return no_store(current_app.make_response(html))
