"""Organisations as records (issue 17): a listed organisation gives its name, type and sector to whoever names
it, a typed one waits for an admin, and a merge moves its people with the coverage rollup following."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learnhub.models import AuditEvent, Organisation, User
from learnhub.services import organisations
from tests.conftest import form_token, log_in
from tests.integration.test_rollup import assert_rollup_is_live


def test_a_typed_organisation_waits_and_a_listed_one_is_taken_as_recorded(db, make_user):
    person = make_user(email="a@example.org", organisation="Ministerio de Salud Pública", country="DO",
                       organisation_type="government", sector="health")
    record = db.session.get(Organisation, person.organisation_id)
    assert (record.name, record.listed, record.type, record.sector) == (
        "Ministerio de Salud Pública", False, "government", "health")
    record.listed = True
    db.session.commit()
    other = make_user(email="b@example.org", organisation="  MINISTERIO DE SALUD PUBLICA ", country="DO",
                      organisation_type="private", sector="energy")
    assert other.organisation_id == record.id
    assert (other.organisation, other.organisation_type, other.sector) == (
        "Ministerio de Salud Pública", "government", "health")
    elsewhere = make_user(email="c@example.org", organisation="Ministerio de Salud Pública", country="CO")
    assert elsewhere.organisation_id != record.id  # one record per country


def test_an_admin_merges_a_spelling_into_the_listed_record_and_counts_follow(app, db, client, make_user):
    listed_one = make_user(email="a@example.org", organisation="Hospital Central", country="DO",
                           organisation_type="government", sector="health")
    target = db.session.get(Organisation, listed_one.organisation_id)
    target.listed = True
    typo = make_user(email="b@example.org", organisation="Hosp. Central", country="DO",
                     organisation_type="private", sector="energy")
    source_id = typo.organisation_id
    db.session.commit()
    make_user(role="admin", email="boss@example.org", name="Boss", language="en")
    log_in(client, "boss@example.org")
    page = client.get("/admin/organisations/").get_data(as_text=True)
    assert "Hosp. Central" in page and "Merge into" in page
    response = client.post(f"/admin/organisations/{source_id}/merge", data={**form_token(page), "into": target.id})
    assert response.status_code == 303
    db.session.expire_all()
    moved = db.session.get(User, typo.id)
    assert (moved.organisation, moved.organisation_type, moved.sector, moved.organisation_id) == (
        "Hospital Central", "government", "health", target.id)
    assert db.session.get(Organisation, source_id) is None
    assert_rollup_is_live(db.session)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "organisation.merged"))
    assert event.detail["before"]["name"] == "Hosp. Central" and event.detail["people"] == 1


def test_a_merge_needs_a_listed_target_in_the_same_country(db, make_user):
    admin = make_user(role="admin", email="boss@example.org")
    first = db.session.get(Organisation, make_user(email="a@example.org", organisation="Uno", country="DO")
                           .organisation_id)
    second = db.session.get(Organisation, make_user(email="b@example.org", organisation="Dos", country="DO")
                            .organisation_id)
    foreign = db.session.get(Organisation, make_user(email="c@example.org", organisation="Tres", country="CO")
                             .organisation_id)
    foreign.listed = True
    for source, target, code in ((first, second, "not-listed"), (first, foreign, "other-country")):
        with pytest.raises(organisations.OrganisationError) as refused:
            organisations.merge(admin, source, target)
        assert refused.value.code == code
    assert organisations.list_as_is(admin, first) is True
    assert organisations.suggestions() == ["Tres", "Uno"]


def test_registration_suggests_listed_organisations(app, db, make_user):
    person = make_user(email="a@example.org", organisation="Banco Central", country="DO")
    db.session.get(Organisation, person.organisation_id).listed = True
    db.session.commit()
    page = app.test_client().get("/register").get_data(as_text=True)
    assert 'list="organisation-suggestions"' in page and '<option value="Banco Central">' in page
