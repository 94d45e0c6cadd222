"""ServiceAccount tokens from the emulator (TokenRequest), validated by a real OpenBao through TokenReview."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import certifi
import hvac
import pytest
from hvac.exceptions import Forbidden, InternalServerError, InvalidRequest
from kubernetes import client

from bot.local.demo.openbao import OpenBaoDevServer
from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import raw


@pytest.fixture
def emu() -> Iterator[KubeEmulator]:
    with KubeEmulator(workloads=True) as emulator:
        emulator.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
        emulator.add({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "data"}})
        yield emulator


def request_token(core: client.CoreV1Api, name: str = "web", **spec: object) -> str:
    answer = core.create_namespaced_service_account_token(name, "data", {"spec": spec})
    return str(answer.status.token)


def review(api: client.ApiClient, token: str, audiences: list[str] | None = None) -> dict[str, object]:
    code, body = raw(api, "POST", f"{api.configuration.host}/apis/authentication.k8s.io/v1/tokenreviews",
                     {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                      "spec": {"token": token, **({"audiences": audiences} if audiences else {})}})
    assert code == 201
    return body["status"]  # type: ignore[no-any-return]


def test_token_review_answers_for_tokens_the_emulator_issued(emu: KubeEmulator) -> None:
    with emu.api_client() as api:
        core = client.CoreV1Api(api)
        token = request_token(core, expirationSeconds=600)
        assert token.count(".") == 2
        status = review(api, token)
        uid = emu.get("serviceaccounts", "web", "data")["metadata"]["uid"]  # type: ignore[index]
        assert status["authenticated"] is True
        assert status["user"] == {"username": "system:serviceaccount:data:web", "uid": uid,  # type: ignore[index]
                                  "groups": ["system:serviceaccounts", "system:serviceaccounts:data", "system:authenticated"],
                                  "extra": status["user"]["extra"]}  # type: ignore[index]
        assert "authenticated" not in review(api, token, audiences=["vault"])
        assert "authenticated" not in review(api, token[:-4] + "AAAA")

        core.delete_namespaced_service_account("web", "data")
        assert "invalidated" in str(review(api, token)["error"])  # a deleted account's tokens stop working


def test_token_request_refuses_short_lifetimes_and_unknown_accounts(emu: KubeEmulator) -> None:
    with emu.api_client() as api:
        core = client.CoreV1Api(api)
        with pytest.raises(client.ApiException) as short:
            request_token(core, expirationSeconds=60)
        with pytest.raises(client.ApiException) as missing:
            request_token(core, name="nobody")
    assert (short.value.status, missing.value.status) == (422, 404)


def test_openbao_kubernetes_auth_logs_in_with_an_emulator_token(emu: KubeEmulator, vault_client: hvac.Client,
                                                                  openbao: OpenBaoDevServer) -> None:
    vault_client.sys.enable_auth_method("kubernetes")
    # With disable_local_ca_jwt OpenBao insists on a CA PEM; the emulator serves plain HTTP, so any
    # certificate does (it is only used for https hosts): the first one of certifi's bundle.
    ca = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", Path(certifi.where()).read_text(), re.S)
    assert ca is not None
    vault_client.write("auth/kubernetes/config", kubernetes_host=emu.url, disable_local_ca_jwt=True,
                       kubernetes_ca_cert=ca.group(0))
    vault_client.write("auth/kubernetes/role/web", bound_service_account_names="web",
                       bound_service_account_namespaces="data", token_policies="default", token_ttl="10m")
    with emu.api_client() as api:
        core = client.CoreV1Api(api)
        token = request_token(core)
        login = hvac.Client(url=openbao.addr).auth.kubernetes.login(role="web", jwt=token)
        assert login["auth"]["client_token"]
        assert login["auth"]["metadata"]["service_account_name"] == "web"
        assert login["auth"]["metadata"]["service_account_namespace"] == "data"
        assert any(r.path == "/apis/authentication.k8s.io/v1/tokenreviews" for r in emu.requests)

        core.create_namespaced_service_account("data", {"metadata": {"name": "other"}})
        with pytest.raises((Forbidden, InvalidRequest, InternalServerError)):
            hvac.Client(url=openbao.addr).auth.kubernetes.login(role="web", jwt=request_token(core, name="other"))
