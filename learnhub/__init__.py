"""LearnHub: cybersecurity courses for EU and Latin American & Caribbean public servants and operators."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from learnhub import config as config_module


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints and CLI. No schema work happens here.

    `config` overrides settings (tests use it); everything else comes from LEARNHUB_* variables and
    is checked by learnhub.config.load, which raises ConfigError with a message for the operator.
    """
    settings = config_module.load(overrides=config)
    from learnhub.web.application import LearnHubFlask

    # /static/ is served by web.static_files, under fingerprinted names.
    app = LearnHubFlask(__name__, instance_path=settings["INSTANCE_DIR"], static_folder=None)
    app.config.update(settings)
    from learnhub import logs
    from learnhub.web import input_checks

    logs.init_app(app)  # first of all hooks: request ids and the request's clock
    input_checks.init_app(app)  # next: routes use its converter, and its check precedes CSRF and limits
    if settings["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from learnhub import (
        database,
        errors,
        i18n,
        models,  # noqa: F401  (every model registered before the app first queries)
        security,
    )
    from learnhub.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)  # before any hook that reads: a page that only reads runs without a transaction
    from learnhub.reports import rollup

    rollup.install()  # coverage counts follow every flush of progress facts
    from learnhub.services import catalogue_version

    catalogue_version.install()  # any change to a course replaces the catalogue's version
    from learnhub import jobs

    jobs.init_app(app)  # mail and slow work go to the task queue after each commit
    migrate.init_app(app, db, directory=str(config_module.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.request_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(cookie_id: str):
        """The cookie holds "id:session_token"; a token replaced at logout matches nobody."""
        user_id, _, token = cookie_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        from learnhub.services import accounts

        return accounts.session_user(int(user_id), token)

    from learnhub.web import static_files, templating
    from learnhub.web.account.privacy import bp as privacy_bp
    from learnhub.web.account.views import bp as account_bp
    from learnhub.web.admin.audit import bp as admin_audit_bp
    from learnhub.web.admin.organisations import bp as admin_organisations_bp
    from learnhub.web.admin.users import bp as admin_users_bp
    from learnhub.web.admin.views import bp as admin_bp
    from learnhub.web.api.views import bp as api_bp
    from learnhub.web.auth.views import bp as auth_bp
    from learnhub.web.author import course_form as _author_course_form  # noqa: F401  (its routes)
    from learnhub.web.author import media as _author_media  # noqa: F401  (its routes)
    from learnhub.web.author import preview as _author_preview  # noqa: F401  (its routes)
    from learnhub.web.author import translations as _author_translations  # noqa: F401  (its routes)
    from learnhub.web.author.review import bp as author_review_bp
    from learnhub.web.author.views import bp as author_bp
    from learnhub.web.badges.views import bp as badges_bp
    from learnhub.web.catalog.views import bp as catalog_bp
    from learnhub.web.exports.views import bp as exports_bp
    from learnhub.web.factors.passkey_views import bp as passkeys_bp
    from learnhub.web.factors.views import admin_bp as factors_admin_bp
    from learnhub.web.factors.views import bp as factors_bp
    from learnhub.web.learn.views import bp as learn_bp
    from learnhub.web.main.views import bp as main_bp
    from learnhub.web.reports.views import bp as reports_bp
    from learnhub.web.site_pages import admin_bp as admin_pages_bp
    from learnhub.web.site_pages import bp as site_pages_bp
    from learnhub.web.sso.views import bp as sso_bp
    from learnhub.web.trainer.campaigns import bp as campaigns_bp
    from learnhub.web.trainer.views import bp as trainer_bp

    for blueprint in (main_bp, auth_bp, account_bp, catalog_bp, learn_bp, trainer_bp, reports_bp, api_bp,
                      admin_bp, admin_users_bp, admin_audit_bp, admin_pages_bp, admin_organisations_bp, exports_bp,
                      privacy_bp, site_pages_bp, factors_bp, factors_admin_bp, passkeys_bp, sso_bp, author_bp,
                      author_review_bp, campaigns_bp, badges_bp):
        app.register_blueprint(blueprint)
    csrf.exempt("learnhub.web.main.views.health")
    templating.init_app(app)
    static_files.init_app(app)  # the static files' digests, read once per process
    security.add_security_headers(app)
    errors.init_app(app)

    from learnhub.cli import register_commands

    register_commands(app)
    return app
