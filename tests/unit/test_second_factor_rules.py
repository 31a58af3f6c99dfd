"""Rules of the second factor that need no database: which codes TOTP accepts (drift, replay), the
shape of recovery codes and the MFA policy's configuration (decisions 0060 and 0061)."""

from __future__ import annotations

import re

import pyotp
import pytest

from learnhub.config import ConfigError, load
from learnhub.models import TotpFactor
from learnhub.services import recovery_codes, totp

NOW = 1_796_000_000.0  # a fixed instant: 30-second step 59,866,666


def factor(last_counter=None) -> TotpFactor:
    return TotpFactor(user_id=1, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", last_counter=last_counter)


def code_at(seconds: float) -> str:
    return pyotp.TOTP(factor().secret).at(seconds)


@pytest.mark.parametrize(("offset", "accepted"), [(0, True), (-30, True), (30, True), (-60, False), (60, False)])
def test_a_code_is_accepted_one_step_either_side_of_now(offset, accepted):
    counter = totp._matching_counter(factor(), code_at(NOW + offset), NOW)
    assert (counter is not None) == accepted
    if accepted:
        assert counter == int((NOW + offset) // 30)


def test_a_code_of_a_step_already_used_or_older_is_refused():
    used = int(NOW // 30)
    assert totp._matching_counter(factor(last_counter=used), code_at(NOW), NOW) is None
    assert totp._matching_counter(factor(last_counter=used), code_at(NOW - 30), NOW) is None
    assert totp._matching_counter(factor(last_counter=used), code_at(NOW + 30), NOW) == used + 1


@pytest.mark.parametrize(("typed", "looks"), [("123456", True), ("123 456", True), ("12345", False),
                                              ("1234567", False), ("abcde-fghjk", False), ("١٢٣٤٥٦", False)])
def test_six_digits_are_an_authenticator_code_anything_else_a_recovery_code(typed, looks):
    assert totp.looks_like_code(typed) is looks


def test_the_qr_code_is_an_svg_data_uri_of_the_otpauth_address():
    uri = pyotp.TOTP(factor().secret).provisioning_uri(name="ana@example.org", issuer_name=totp.ISSUER)
    assert uri.startswith("otpauth://totp/LearnHub:ana%40example.org?secret=")
    assert totp.qr_data_uri(uri).startswith("data:image/svg+xml")
    assert totp.grouped_secret(factor()) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"


def test_recovery_codes_are_ten_characters_without_look_alikes_in_two_groups():
    codes = [recovery_codes._new_code() for _ in range(200)]
    assert all(re.fullmatch(r"[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}", code) for code in codes)
    assert len(set(codes)) == 200
    assert recovery_codes.normalise(" AB2CD-EF3GH ") == "ab2cdef3gh"


def test_mfa_roles_default_to_analysts_and_admins_and_are_configurable(tmp_path):
    base = {"LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    assert load(base)["MFA_REQUIRED_ROLES"] == ("analyst", "admin")
    assert load({**base, "LEARNHUB_MFA_REQUIRED_ROLES": " Trainer, admin,analyst "})["MFA_REQUIRED_ROLES"] == (
        "trainer", "admin", "analyst")
    assert load({**base, "LEARNHUB_MFA_REQUIRED_ROLES": "none"})["MFA_REQUIRED_ROLES"] == ()
    with pytest.raises(ConfigError, match=r"LEARNHUB_MFA_REQUIRED_ROLES.*trainee"):
        load({**base, "LEARNHUB_MFA_REQUIRED_ROLES": "trainee,admin"})


def test_remembered_devices_last_thirty_days_unless_configured(tmp_path):
    base = {"LEARNHUB_INSTANCE_DIR": str(tmp_path)}
    assert load(base)["REMEMBER_DEVICE_DAYS"] == 30
    assert load({**base, "LEARNHUB_REMEMBER_DEVICE_DAYS": "0"})["REMEMBER_DEVICE_DAYS"] == 0
    with pytest.raises(ConfigError, match="LEARNHUB_REMEMBER_DEVICE_DAYS"):
        load({**base, "LEARNHUB_REMEMBER_DEVICE_DAYS": "-1"})
