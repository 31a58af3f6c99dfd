"""Administration of accounts: the searchable list, and one account's page with what an admin may change."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from learnhub.extensions import db
from learnhub.jobs import tasks
from learnhub.models import AuditEvent, User
from learnhub.reference import country_regions
from learnhub.security import client_ip, no_store, role_required
from learnhub.services import login_throttle, personal_data, user_admin, user_directory
from learnhub.services.user_admin import Actor, AdminError
from learnhub.web.admin.forms import ActionForm, DisableForm, RoleForm, UserFilterForm

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")
admins_only = role_required("admin")
RECENT_EVENTS = 10

ADMIN_ERRORS = {
    "unknown-role": _l("Choose a role from the list."),
    "own-role": _l("You cannot change your own role: ask another administrator."),
    "own-account": _l("You cannot disable your own account: ask another administrator."),
    "last-admin": _l("This is the last active administrator: make someone else an administrator first."),
    "scope-required": _l("Choose at least one country or region for an analyst."),
    "unknown-country": _l("Choose countries from the list."),
    "no-request": _l("Nobody asked to delete this account."),
    "nothing-to-send": _l("There is no invitation or address check to send again for this account."),
}


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _actor() -> Actor:
    return Actor(current_user, client_ip())


@bp.get("/")
@admins_only
def index():
    form = UserFilterForm(request.args)
    form.fill_choices()
    filters = form.filters()
    found = user_directory.page(filters, after=request.args.get("after", type=int),
                                before=request.args.get("before", type=int))
    args = {key: value for key, value in (("q", filters.search), ("role", filters.role),
                                          ("country", filters.country), ("status", filters.status)) if value}
    return no_store(current_app.make_response(render_template(
        "admin/users.html", form=form, page=found, args=args, filtered=filters.any,
        deletion_requests=personal_data.pending_requests())))


def _render_user(user: User, role_form: RoleForm | None = None, disable_form: DisableForm | None = None,
                 status: int = 200):
    if role_form is None:
        role_form = RoleForm(data={"role": user.role, "countries": sorted(user.countries_in_scope)})
    role_form.fill_choices()
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.subject_id == user.id)
                                     .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(RECENT_EVENTS)))
    actors = {person.id: person for person in db.session.scalars(
        select(User).where(User.id.in_({event.actor_id for event in events if event.actor_id})))}
    limits = login_throttle.LoginLimits.from_config(current_app.config)
    html = render_template(
        "admin/user.html", user=user, role_form=role_form, disable_form=disable_form or DisableForm(),
        action_form=ActionForm(), events=events, actors=actors,
        throttled=user_admin.throttled_for(user, limits), resend=user_admin.mail_to_resend(user),
        pending=user_admin.pending_cohorts(user), is_self=user.id == current_user.id,
        country_regions=country_regions())
    return no_store(current_app.make_response((html, status)))


@bp.get("/<id:user_id>")
@admins_only
def show(user_id: int):
    return _render_user(_user(user_id))


@bp.post("/<id:user_id>/role")
@admins_only
def change_role(user_id: int):
    user = _user(user_id)
    form = RoleForm()
    form.fill_choices()
    if not form.validate_on_submit():
        return _render_user(user, role_form=form, status=400)
    try:
        countries = user_admin.scope_countries(form.countries.data or (), form.regions.data or ())
        changed = user_admin.set_role(_actor(), user, form.role.data, countries)
    except AdminError as error:
        target = form.countries if error.code in ("scope-required", "unknown-country") else form.role
        target.errors = [*target.errors, ADMIN_ERRORS[error.code]]
        return _render_user(user, role_form=form, status=400)
    db.session.commit()
    flash(_("The role and countries of %(name)s are saved; they count from the next page they open.",
            name=user.name) if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("admin_users.show", user_id=user.id), 303)


@bp.post("/<id:user_id>/disable")
@admins_only
def disable(user_id: int):
    user = _user(user_id)
    form = DisableForm()
    if not form.validate_on_submit():
        return _render_user(user, disable_form=form, status=400)
    try:
        changed = user_admin.disable(_actor(), user, (form.reason.data or "").strip())
    except AdminError as error:
        form.reason.errors = [ADMIN_ERRORS[error.code]]
        return _render_user(user, disable_form=form, status=400)
    db.session.commit()
    if changed:
        flash(_("%(name)s's account is disabled: their sessions and API tokens have ended.", name=user.name),
              "success")
    return redirect(url_for("admin_users.show", user_id=user.id), 303)


@bp.post("/<id:user_id>/<any(enable, unlock, resend, 'reset-password', erase):action>")
@admins_only
def act(user_id: int, action: str):
    user = _user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    actor = _actor()
    cohorts: list[int] = []
    try:
        if action == "enable":
            message = (_("%(name)s's account is enabled: they can log in again.", name=user.name)
                       if user_admin.enable(actor, user) else _("Nothing changed."))
        elif action == "unlock":
            user_admin.unlock(actor, user)
            message = _("Failed logins on %(name)s's account are forgotten: they can try again now.", name=user.name)
        elif action == "erase":
            if user.deletion_requested_at is None or user.id == current_user.id:
                raise AdminError("no-request")
            personal_data.erase(user, actor_id=current_user.id, ip=actor.ip)
            message = _("The personal data of this account is erased.")
        elif action == "resend":
            kind, cohorts = user_admin.resend_mail(actor, user)
            message = (_("The invitation is on its way to %(email)s.", email=user.email) if kind == "invitation"
                       else _("A new address check is on its way to %(email)s.", email=user.email))
        else:
            user_admin.force_password_reset(actor, user, current_app.config["PASSWORD_RESET_HOURS"])
            message = _("%(name)s's password no longer works and their sessions have ended; a link to choose a "
                        "new one is on its way to %(email)s.", name=user.name, email=user.email)
    except AdminError as error:
        flash(str(ADMIN_ERRORS[error.code]), "error")
        return redirect(url_for("admin_users.show", user_id=user.id), 303)
    db.session.commit()
    for cohort_id in cohorts:
        tasks.send_invitations(cohort_id)
    flash(message, "success")
    return redirect(url_for("admin_users.show", user_id=user.id), 303)
