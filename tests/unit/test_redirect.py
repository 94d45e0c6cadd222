"""Moving keys from a ConfigMap to a Secret keeps every consumer reading them the same way, and the rewrite can be
undone exactly: on plain pod specs, including generated ones (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions.redirect import redirect, restore
from bot.snapshot.consumers import delivers, uses

CM, SECRET = "superset-config", "superset-config-vault"


def workload(spec: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"template": {"spec": spec}}}


def app(**container: Any) -> dict[str, Any]:
    return {"name": "app", "image": "app:1", **container}


ENV_FROM = {"containers": [app(envFrom=[{"configMapRef": {"name": CM}, "prefix": "APP_"}])]}
KEY_REF = {"containers": [app(env=[
    {"name": "DB_PASS", "valueFrom": {"configMapKeyRef": {"name": CM, "key": "DATABASE_PASSWORD"}}},
    {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": CM, "key": "MODE"}}}])]}
FILE = {"containers": [app(volumeMounts=[{"name": "conf", "mountPath": "/etc/superset"}])],
        "volumes": [{"name": "conf", "configMap": {"name": CM, "defaultMode": 0o440}}]}
ITEMS = {"containers": [app(volumeMounts=[{"name": "conf", "mountPath": "/etc/superset"}])],
         "volumes": [{"name": "conf", "configMap": {"name": CM, "items": [{"key": "MODE", "path": "mode"},
                                                                            {"key": "DATABASE_PASSWORD", "path": "db/pass"}]}}]}
MOVED = ["DATABASE_PASSWORD"]


def test_each_way_of_reading_is_found_with_its_env_var_or_file() -> None:
    assert [u.line() for u in uses(workload(ENV_FROM), CM, MOVED)] == ["env APP_DATABASE_PASSWORD"]
    assert [u.line() for u in uses(workload(KEY_REF), CM, MOVED)] == ["env DB_PASS"]
    assert [u.line() for u in uses(workload(FILE), CM, MOVED)] == ["file /etc/superset/DATABASE_PASSWORD"]
    assert [u.line() for u in uses(workload(ITEMS), CM, MOVED)] == ["file /etc/superset/db/pass"]
    assert uses(workload(KEY_REF), "other-config", MOVED) == []


def test_the_moved_key_comes_from_the_secret_the_same_way_and_the_rest_stays() -> None:
    for spec in (ENV_FROM, KEY_REF, FILE, ITEMS):
        before = uses(workload(spec), CM, MOVED)
        new, _ = redirect(spec, CM, MOVED, SECRET)
        assert before and all(delivers(new, use, SECRET) for use in before), spec
    new, _ = redirect(KEY_REF, CM, MOVED, SECRET)
    mode = new["containers"][0]["env"][1]
    assert mode["valueFrom"] == {"configMapKeyRef": {"name": CM, "key": "MODE"}}  # not moved: unchanged
    new, converted = redirect(ITEMS, CM, MOVED, SECRET)
    assert converted == ["conf"]
    assert new["volumes"][0]["projected"]["sources"] == [
        {"configMap": {"name": CM, "items": [{"key": "MODE", "path": "mode"}]}},
        {"secret": {"name": SECRET, "items": [{"key": "DATABASE_PASSWORD", "path": "db/pass"}]}}]


def test_restore_undoes_the_rewrite_and_a_second_redirect_changes_nothing() -> None:
    for spec in (ENV_FROM, KEY_REF, FILE):
        new, converted = redirect(spec, CM, MOVED, SECRET)
        assert new != spec
        assert redirect(new, CM, MOVED, SECRET)[0] == new
        assert restore(new, CM, SECRET, converted) == spec


def test_a_secret_that_does_not_deliver_the_key_is_caught() -> None:
    before = uses(workload(FILE), CM, MOVED)
    assert not any(delivers(FILE, use, SECRET) for use in before)


names = st.from_regex(r"[A-Z][A-Z_]{0,6}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(keys=st.lists(names, min_size=1, max_size=4, unique=True), moved_count=st.integers(min_value=1, max_value=4),
       prefix=st.sampled_from(["", "APP_"]), refs=st.booleans(), mounted=st.booleans())
def test_any_mix_of_readers_round_trips(keys: list[str], moved_count: int, prefix: str, refs: bool, mounted: bool) -> None:
    moved = keys[:moved_count]
    container = app(envFrom=[{"configMapRef": {"name": CM}, **({"prefix": prefix} if prefix else {})}])
    if refs:
        container["env"] = [{"name": f"V_{k}", "valueFrom": {"configMapKeyRef": {"name": CM, "key": k}}} for k in keys]
    spec: dict[str, Any] = {"containers": [container]}
    if mounted:
        container["volumeMounts"] = [{"name": "conf", "mountPath": "/conf"}]
        spec["volumes"] = [{"name": "conf", "configMap": {"name": CM}}]
    before = uses(workload(spec), CM, moved)
    new, converted = redirect(spec, CM, moved, SECRET)
    assert all(delivers(new, use, SECRET) for use in before)
    assert restore(new, CM, SECRET, converted) == spec
