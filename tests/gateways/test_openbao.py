"""The real OpenBao dev server, driven by the real hvac client."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import hvac
import pytest
from hvac.exceptions import InvalidPath, VaultDown

from bot.local.demo.openbao import OpenBaoDevServer, find_bao_binary
from tests.fixtures.vault import cleaned_client, kv_paths


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A reaped child is gone; an unreaped zombie would still answer kill(0): check its state.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _bao_processes_in_group(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pgid=,pid=,args="], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.split()[0] == str(pgid)]


def test_session_server_is_up_with_kv_v2_at_secret(openbao: OpenBaoDevServer, vault_client: hvac.Client) -> None:
    assert openbao.addr.startswith("http://127.0.0.1:")
    assert vault_client.is_authenticated()
    assert openbao.health_status() == 200
    mounts = vault_client.sys.list_mounted_secrets_engines()["data"]
    assert mounts["secret/"]["type"] == "kv"
    assert mounts["secret/"]["options"]["version"] == "2"


def test_kv_round_trip(vault_client: hvac.Client) -> None:
    path = f"carbon/test/{uuid.uuid4().hex}"
    vault_client.secrets.kv.v2.create_or_update_secret(path=path, secret={"password": "hunter2"}, mount_point="secret")
    read = vault_client.secrets.kv.v2.read_secret_version(path=path, mount_point="secret", raise_on_deleted_version=True)
    assert read["data"]["data"] == {"password": "hunter2"}
    assert path in kv_paths(vault_client)


def test_a_cleaned_client_removes_the_secrets_written_through_it(openbao: OpenBaoDevServer) -> None:
    path = f"carbon/test/{uuid.uuid4().hex}"
    with cleaned_client(openbao) as client:
        client.secrets.kv.v2.create_or_update_secret(path=path, secret={"password": "hunter2"}, mount_point="secret")
        assert path in kv_paths(client)
    check = openbao.client()
    assert path not in kv_paths(check)
    with pytest.raises(InvalidPath):
        check.secrets.kv.v2.read_secret_version(path=path, mount_point="secret", raise_on_deleted_version=True)


def test_token_is_random_per_instance_and_wrong_tokens_are_refused(openbao: OpenBaoDevServer) -> None:
    assert OpenBaoDevServer().token != OpenBaoDevServer().token
    assert not hvac.Client(url=openbao.addr, token="not-the-token").is_authenticated()


def test_seal_and_unseal(openbao: OpenBaoDevServer, vault_client: hvac.Client) -> None:
    assert openbao.unseal_key
    openbao.seal()
    assert openbao.is_sealed()
    assert openbao.health_status() == 503
    with pytest.raises(VaultDown):
        vault_client.secrets.kv.v2.read_secret_version(path="x", mount_point="secret", raise_on_deleted_version=True)
    openbao.unseal()
    assert not openbao.is_sealed()
    assert vault_client.is_authenticated()


def test_a_cleaned_client_unseals_and_removes_policies_and_engines_made_through_it(openbao: OpenBaoDevServer) -> None:
    path, policy, engine = (f"{what}-{uuid.uuid4().hex[:12]}" for what in ("left/behind", "carbon-temp", "scratch"))
    with cleaned_client(openbao) as client:
        client.secrets.kv.v2.create_or_update_secret(path=path, secret={"k": "v"})
        client.sys.create_or_update_policy(name=policy, policy='path "secret/*" { capabilities = ["read"] }')
        client.sys.enable_secrets_engine("kv", path=engine, options={"version": "2"})
        openbao.seal()
    assert not openbao.is_sealed()
    check = openbao.client()
    assert path not in kv_paths(check)
    assert policy not in check.sys.list_acl_policies()["data"]["keys"]
    assert f"{engine}/" not in check.sys.list_mounted_secrets_engines()["data"]


def test_a_private_server_starts_and_stop_leaves_no_process_or_log() -> None:
    server = OpenBaoDevServer()
    with server:
        pid = server.pid
        log = server.log_path
        assert pid is not None and log is not None and log.exists()
        assert server.client().is_authenticated()
        assert _bao_processes_in_group(pid)
    assert not _alive(pid)
    assert _bao_processes_in_group(pid) == []
    assert not log.exists()
    assert not server.running
    server.stop()  # idempotent


def test_two_servers_side_by_side() -> None:
    with OpenBaoDevServer() as one, OpenBaoDevServer() as two:
        assert one.addr != two.addr
        one.client().secrets.kv.v2.create_or_update_secret(path="only/here", secret={"a": "1"})
        assert kv_paths(two.client()) == set()


def test_start_failure_names_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A `bao` that exits at once: the error must point at the log and quote it.
    fake = tmp_path / "bao"
    fake.write_text("#!/bin/sh\necho 'Error initializing Dev mode: boom' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert find_bao_binary() == str(fake)
    server = OpenBaoDevServer()
    with pytest.raises(RuntimeError, match="boom") as err:
        server.start(timeout=10)
    message = str(err.value)
    log_name = message.split("log ", 1)[1].split(":", 1)[0]
    assert Path(log_name).exists()
    Path(log_name).unlink()
    assert not server.running
