"""IDEABOX_OIDC_PROVIDERS: read once at start, and a bad value stops the service with a
message naming the provider and the field, never repeating a secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ideabox.platform.settings import SettingsError, load_settings

GOOD: dict[str, Any] = {"name": "mitid", "label": "MitID",
                        "issuer": "https://broker.example/aarhus",
                        "client_id": "urn:ideabox", "client_secret": "hemmelig-nøgle-123"}


def providers(*entries: dict[str, Any]) -> dict[str, str]:
    return {"IDEABOX_OIDC_PROVIDERS": json.dumps(list(entries))}


def test_unset_means_passwords_only():
    assert load_settings({}).oidc_providers == ()


def test_providers_are_read_with_their_defaults():
    entra = {"name": "entra", "label": "Medarbejder", "role": "staff",
             "issuer": "https://login.microsoftonline.com/1c5b7a3e/v2.0",
             "client_id": "b5f0", "client_secret": "x~y", "scopes": "openid profile email"}
    mitid = {**GOOD, "residence_claim": "municipality_code",
             "residence_values": ["751", "0751"]}
    found = load_settings(providers(mitid, entra)).oidc_providers
    assert [p.name for p in found] == ["mitid", "entra"]
    assert found[0].scopes == "openid email profile" and found[0].role is None
    assert found[0].residence_values == ("751", "0751")
    assert found[1].role == "staff"
    assert found[0].discovery_url == \
        "https://broker.example/aarhus/.well-known/openid-configuration"
    assert "hemmelig" not in repr(found[0])


def test_http_is_accepted_on_loopback_only():
    for issuer in ("http://127.0.0.1:9400", "http://localhost:9400", "http://[::1]:9400"):
        assert load_settings(providers({**GOOD, "issuer": issuer})).oidc_providers
    with pytest.raises(SettingsError, match="loopback"):
        load_settings(providers({**GOOD, "issuer": "http://idp.kommune.dk"}))


@pytest.mark.parametrize(("change", "says"), [
    ({"name": "MitID"}, "name 'MitID' must match"),
    ({"name": "a" * 41}, "must match"),
    ({"name": "-mitid"}, "must match"),
    ({"label": " "}, "label must be 1 to 60 characters"),
    ({"label": "Mit\nID"}, "control characters"),
    ({"issuer": "broker.example"}, "issuer must be an https:// URL"),
    ({"issuer": "https://broker.example/?tenant=1"}, "issuer must have no query"),
    ({"client_id": ""}, "client_id must not be blank"),
    ({"client_secret": " "}, "client_secret must not be blank"),
    ({"scopes": "email profile"}, "scopes must include openid"),
    ({"role": "admin"}, "Invalid enum value 'admin' - at `$[0].role`"),
    ({"residence_claim": "kommunekode"}, "residence_values must list"),
    ({"residence_values": ["751"]}, "residence_values needs residence_claim"),
    ({"residence_claim": "kommunekode", "residence_values": [751]},
     "Expected `str`, got `int` - at `$[0].residence_values[0]`"),
    ({"secret": "x"}, "unknown field `secret`"),
])
def test_a_bad_provider_is_named_with_its_field(change, says):
    with pytest.raises(SettingsError) as error:
        load_settings(providers({**GOOD, **change}))
    message = str(error.value)
    assert message.startswith("IDEABOX_OIDC_PROVIDERS: ")
    assert says in message
    assert "hemmelig" not in message  # the secret is never repeated


def test_missing_fields_duplicates_and_bad_json_are_named():
    with pytest.raises(SettingsError, match="missing required field `client_secret`"):
        load_settings(providers({k: v for k, v in GOOD.items() if k != "client_secret"}))
    with pytest.raises(SettingsError, match=r"provider \$\[1\] \('mitid'\): name 'mitid' is used"):
        load_settings(providers(GOOD, GOOD))
    with pytest.raises(SettingsError, match="not JSON"):
        load_settings({"IDEABOX_OIDC_PROVIDERS": "[{name: mitid}]"})
    with pytest.raises(SettingsError, match="Expected `array`, got `object`"):
        load_settings({"IDEABOX_OIDC_PROVIDERS": json.dumps(GOOD)})


def test_the_timeout_is_a_positive_number():
    assert load_settings({"IDEABOX_OIDC_TIMEOUT": "2.5"}).oidc_timeout == 2.5
    with pytest.raises(SettingsError, match="IDEABOX_OIDC_TIMEOUT"):
        load_settings({"IDEABOX_OIDC_TIMEOUT": "0"})
