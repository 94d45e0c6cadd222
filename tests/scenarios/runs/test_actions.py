"""The cluster and Vault actions through the whole flow: apply, verify, idempotent second run, rollback."""

from __future__ import annotations

import json
from typing import Any

import hvac

from bot import messages
from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import PLAN, click, request, state, thread


def approve(bot: Any, task_id: str) -> Any:
    run = request(bot, task_id)
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    return run


def nothing_left(bot: Any, task_id: str) -> None:
    bot.slash(f"run {task_id}", user="U0ALICE")
    assert bot.last_answer()["text"] == messages.nothing_to_change(task_id)


def test_network_policies_are_created_once_and_rolled_back(bot: Any, small: KubeEmulator) -> None:
    run = approve(bot, "netpol")
    names = {p["metadata"]["name"] for p in small.list("networkpolicies", "apps")}
    assert names == {"default-deny-ingress", "allow-web-from-ingress"}  # no egress policy unless asked
    deny = small.get("networkpolicies", "default-deny-ingress", "apps")
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    nothing_left(bot, "netpol")
    click(bot, "carbon.rollback", run, "U0CAROL")
    assert state(bot, run) == "rolled_back"
    assert small.list("networkpolicies", "apps") == []


def test_rbac_gives_the_workload_its_own_account_and_rollback_restores_the_old_one(bot: Any, small: KubeEmulator) -> None:
    run = approve(bot, "rbac")
    assert small.get("serviceaccounts", "web", "apps") is not None
    rules = small.get("roles", "web", "apps")["rules"]
    assert rules == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]
    assert small.get("rolebindings", "web", "apps")["roleRef"]["name"] == "web"
    template = small.get("deployments", "web", "apps")["spec"]["template"]["spec"]
    assert template["serviceAccountName"] == "web"
    nothing_left(bot, "rbac")
    bot.slash(f"rollback {run.id}", user="U0ALICE")  # the requester alone may not change the cluster back
    assert bot.last_answer()["text"] == messages.not_allowed_to_roll_back_alone(run.id)
    assert state(bot, run) == "succeeded"
    bot.slash(f"rollback {run.id}", user="U0BOB")
    assert state(bot, run) == "rolled_back"
    assert small.get("deployments", "web", "apps")["spec"]["template"]["spec"]["serviceAccountName"] == "default"


def test_scale_restores_replicas_and_rolls_back_to_what_they_were(bot: Any, small: KubeEmulator) -> None:
    run = approve(bot, "restore")
    assert small.get("deployments", "web", "apps")["spec"]["replicas"] == 2
    nothing_left(bot, "restore")
    bot.slash(f"rollback {run.id}", user="U0BOB")
    assert small.get("deployments", "web", "apps")["spec"]["replicas"] == 0


def test_a_scale_whose_replicas_do_not_get_ready_is_rolled_back_automatically(make_carbon: Any, kube: KubeEmulator) -> None:
    from tests.fixtures.runs import PLAN, web

    kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web(ready=0)])
    bot = make_carbon(kube, CARBON_PLAN=str(PLAN))
    run = request(bot, "restore")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "rolled_back"
    said = thread(bot, run)
    assert any("0/2 ready" in t for t in said) and messages.rolled_back_automatically() in said
    assert kube.get("deployments", "web", "apps")["spec"]["replicas"] == 0  # back where the run found it


def test_vault_kubernetes_auth_is_enabled_configured_and_proven_by_a_real_login_once(
        bot: Any, small: KubeEmulator, vault_client: hvac.Client) -> None:
    run = approve(bot, "vault-auth")
    assert "kubernetes/" in vault_client.sys.list_auth_methods()["data"]
    assert vault_client.read("auth/kubernetes/config")["data"]["kubernetes_host"] == small.url
    # verify asked the cluster for a ServiceAccount token and logged in to Vault with it, which reviewed it
    assert any("serviceaccount default/default logged in to Vault" in t for t in thread(bot, run))
    assert any(r.path.endswith("/serviceaccounts/default/token") for r in small.requests)
    assert any(r.path.endswith("/tokenreviews") for r in small.requests)
    nothing_left(bot, "vault-auth")


def test_a_vault_that_cannot_review_the_clusters_tokens_fails_the_vault_auth_run(
        make_carbon: Any, small: KubeEmulator, vault_client: hvac.Client, tmp_path: Any) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.read_text().replace("kind: configure_vault_kubernetes_auth\n",
                                             'kind: configure_vault_kubernetes_auth\n'
                                             '          kubernetes_host: "http://127.0.0.1:9"\n'))
    bot = make_carbon(small, CARBON_PLAN=str(plan))
    run = request(bot, "vault-auth")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "failed"
    assert any("Vault refused a ServiceAccount login" in t for t in thread(bot, run))


def test_runs_lists_state_requester_and_approvers(bot: Any) -> None:
    run = approve(bot, "restore")
    bot.slash("runs", user="U0DAVE")
    text = str(bot.last_answer()["blocks"])
    assert run.id in text and "succeeded" in text and "<@U0ALICE>" in text and "<@U0BOB>" in text


def test_bad_input_is_answered_and_changes_nothing(bot: Any) -> None:
    for command, expected in (("approve r-zz", messages.bad_run_id("r-zz")),
                              ("approve r-0000", messages.unknown_run("r-0000")),
                              ("run tasks-nope", messages.unknown_task("tasks-nope", [])),
                              ("run", "Which task? Give its id.\nUsage: `/carbon run <task-id>`")):
        response = bot.slash(command, user="U0BOB")
        texts = [json.loads(response.body).get("text", "")] if response.body else []
        texts += [str(c.params.get("text", "")) for c in bot.answers()]
        assert expected in texts, (command, texts)
    assert bot.services.store.query("SELECT COUNT(*) AS n FROM runs")[0]["n"] == 0
