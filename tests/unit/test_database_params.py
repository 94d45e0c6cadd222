"""configure_database_credentials' parameters: what a plan may say, and the clear refusal of what it may not."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.actions.database_params import DatabaseCredentialsParams, default_creation_statements


def params(**connection: Any) -> DatabaseCredentialsParams:
    conn = {"name": "appdb", "root": {"path": "carbon/apps/app-config", "field": "DATABASE_URL"},
            "roles": [{"name": "app"}], **connection}
    return DatabaseCredentialsParams.model_validate({"connections": [conn]})


def refusal(**connection: Any) -> str:
    with pytest.raises(ValidationError) as refused:
        params(**connection)
    return str(refused.value)


def test_ttls_read_as_vault_durations_and_default_statements_expire_with_the_lease() -> None:
    role = params(roles=[{"name": "app", "default_ttl": "15m", "max_ttl": "1d"}]).connections[0].roles[0]
    assert (role.default_ttl, role.max_ttl) == (900, 86400)
    assert "VALID UNTIL '{{expiration}}'" in default_creation_statements("app")[0]
    assert default_creation_statements("app")[1] == 'GRANT CONNECT ON DATABASE "app" TO "{{name}}";'


@pytest.mark.parametrize(("connection", "said"), [
    ({"roles": [{"name": "app", "default_ttl": "2h", "max_ttl": "1h"}]}, "default_ttl (7200s) is longer than max_ttl (3600s)"),
    ({"roles": [{"name": "app", "default_ttl": "soon"}]}, "'soon' is not a duration"),
    ({"roles": [{"name": "app", "creation_statements": ["SELECT 1;"]}]}, "must create the user Vault names"),
    ({"roles": [{"name": "app"}, {"name": "app"}]}, "role names repeat"),
    ({"roles": []}, "at least 1 item"),
    ({"host": "db.example/evil"}, "String should match pattern"),
    ({"root": {"path": "carbon/../x", "field": "F"}}, "must not contain '..'"),
    ({"root": {"path": "p", "field": "F", "username": "a", "username_field": "U"}}, "username or username_field, not both"),
    ({"plugin": "mysql"}, "Input should be 'postgresql'"),
    ({"rotate": True}, "Extra inputs are not permitted"),
])
def test_bad_parameters_are_refused_saying_what_would_be_right(connection: dict[str, Any], said: str) -> None:
    assert said in refusal(**connection)
