"""The workload model's controllers, in the order a write ripples through them.

Kept apart from emulator.py so the emulator only knows "a list of controllers", and the model
(ServiceAccounts, ReplicaSets, Deployments, StatefulSets, the kubelet) can be read in one place.
"""

from __future__ import annotations

from bot.local.emulator.controllers import Controller
from bot.local.emulator.deployments import Deployments
from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.kubelet import Kubelet
from bot.local.emulator.replicasets import ReplicaSets
from bot.local.emulator.serviceaccounts import DefaultServiceAccounts
from bot.local.emulator.statefulsets import StatefulSets


def workload_controllers(client: InProcessClient, private_registries: tuple[str, ...]) -> list[Controller]:
    return [DefaultServiceAccounts(client), Deployments(client), ReplicaSets(client), StatefulSets(client),
            Kubelet(client, private_registries)]
