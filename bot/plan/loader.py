"""Load a plan file and report every problem with its path, e.g.
`phases[1].tasks[3].check.kind: unknown kind 'pod_ready'; known: certificates_ready, …`.

A plan is refused whole rather than half-loaded: a typo must not silently drop a task from the
percentages. Whatever the file holds (bytes that are not UTF-8, nesting that would exhaust the stack, a
YAML alias that contains itself) the answer is a PlanError, never a traceback; the model's bounds keep
a plan that loads measurable and renderable (tests/unit/test_plan_fuzz.py holds the loader to it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.plan.kinds import KindRegistry
from bot.plan.model import Plan

# Deeper than any plan needs (the bundled one is 7 levels), shallow enough for every recursive walk after.
MAX_DEPTH = 32
MAX_VALUES = 100_000


class PlanError(Exception):
    """The plan file cannot be used; `problems` has one line per error, each with its path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def format_loc(loc: Iterable[Any]) -> str:
    """`phases[1].tasks[0].weight`; a key that is not a plain word is quoted, so the error stays one line."""
    path = ""
    for part in loc:
        name = str(part) if isinstance(part, int) or (str(part).isprintable() and str(part).strip()) else repr(str(part))
        path += f"[{name}]" if isinstance(part, int) else (f".{name}" if path else name)
    return path


def _errors(exc: ValidationError, prefix: str = "") -> list[str]:
    problems = []
    errors = exc.errors(include_input=False, include_url=False)
    for error in errors:
        if error["type"] == "too_short" and any(
            len(other["loc"]) > len(error["loc"]) and other["loc"][: len(error["loc"])] == error["loc"] for other in errors
        ):
            continue  # pydantic's echo of a failed item inside a non-empty list
        loc = format_loc(error["loc"])
        where = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        message = str(error["msg"]).removeprefix("Value error, ").replace("Tuple should", "List should")
        problems.append(f"{where}: {message.replace(' after validation', '')}")
    return problems


def load_plan(path: Path, checks: KindRegistry[Any], actions: KindRegistry[Any] | None = None) -> Plan:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PlanError(str(path), [f"cannot read the plan file ({exc.strerror})"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(str(path), [f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"]) from None
    return parse_plan(text, checks, actions, source=str(path))


def parse_plan(text: str, checks: KindRegistry[Any], actions: KindRegistry[Any] | None = None, source: str = "plan") -> Plan:
    too_deep = _too_deep()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PlanError(source, [f"{where}not valid YAML ({getattr(exc, 'problem', None) or 'syntax error'})"]) from None
    except RecursionError:
        raise PlanError(source, [too_deep]) from None
    shape = _shape_problem(data)
    if shape:
        raise PlanError(source, [shape])
    if not isinstance(data, Mapping):
        raise PlanError(source, ["expected a mapping with `name` and `phases` at the top"])
    problems: list[str] = []
    params = _kind_params_of_tasks(data, checks, actions, problems)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, _errors(exc) + problems) from None
    problems += _duplicate_ids(plan)
    problems += _unknown_or_circular_needs(plan)
    if problems:
        raise PlanError(source, problems)
    return plan.model_copy(update={"check_params": params["check"], "action_params": params["action"]})


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels; a plan needs far fewer"


def _shape_problem(data: Any) -> str | None:
    """Nesting of lists and mappings beyond MAX_DEPTH (a structure that contains itself through a YAML alias
    is endless), or more values than MAX_VALUES (aliases that repeat a part, as in "billion laughs")."""
    stack: list[tuple[Any, int, frozenset[int]]] = [(data, 0, frozenset())]
    seen = 0
    while stack:
        node, depth, above = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            return f"more than {MAX_VALUES} values (YAML aliases repeating a part?); a plan needs far fewer"
        if not isinstance(node, list | dict):
            continue
        if depth >= MAX_DEPTH or id(node) in above:
            return _too_deep()
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1, above | {id(node)}) for child in children)
    return None


def _kind_params_of_tasks(data: Mapping[str, Any], checks: KindRegistry[Any], actions: KindRegistry[Any] | None,
                          problems: list[str]) -> dict[str, dict[str, Any]]:
    """Validate each check's and action's own parameters on the raw data, so all errors come at once.

    Returns the parsed parameters by part ("check", "action") and task id; appends to `problems`."""
    params: dict[str, dict[str, Any]] = {"check": {}, "action": {}}
    phases = data.get("phases")
    for p, phase in enumerate(phases if isinstance(phases, list) else []):
        tasks = phase.get("tasks") if isinstance(phase, Mapping) else None
        for t, task in enumerate(tasks if isinstance(tasks, list) else []):
            if not isinstance(task, Mapping):
                continue
            for part, registry in (("check", checks), ("action", actions)):
                spec = task.get(part)
                if not isinstance(spec, Mapping) or not isinstance(spec.get("kind"), str):
                    continue
                at = f"phases[{p}].tasks[{t}].{part}"
                if registry is None:
                    problems.append(f"{at}: actions are not supported by this version")
                    continue
                raw = {k: v for k, v in spec.items() if k not in ("kind", "timeout_s")}
                before = len(problems)
                value = _kind_params(spec["kind"], raw, registry, at, problems)
                if len(problems) == before:
                    params[part][str(task.get("id"))] = value
    return params


def _duplicate_ids(plan: Plan) -> list[str]:
    found: list[str] = []
    seen: dict[str, str] = {}
    for p, phase in enumerate(plan.phases):
        if phase.id in seen:
            found.append(f"phases[{p}].id: '{phase.id}' is already used at {seen[phase.id]}; ids must be unique")
        seen[phase.id] = f"phases[{p}]"
        for t, task in enumerate(phase.tasks):
            at = f"phases[{p}].tasks[{t}]"
            if task.id in seen:
                found.append(f"{at}.id: '{task.id}' is already used at {seen[task.id]}; ids must be unique")
            seen[task.id] = at
    return found


def _unknown_or_circular_needs(plan: Plan) -> list[str]:
    """`needs` name tasks of the plan, never the task itself, and never form a cycle."""
    ids = {task.id for task in plan.tasks()}
    found: list[str] = []
    for p, phase in enumerate(plan.phases):
        for t, task in enumerate(phase.tasks):
            for n, need in enumerate(task.needs):
                if need not in ids:
                    found.append(f"phases[{p}].tasks[{t}].needs[{n}]: no task '{need}' in the plan")
    graph = {task.id: set(task.needs) & ids for task in plan.tasks()}
    done: set[str] = set()
    for start in sorted(graph):
        path: list[str] = []
        found += _cycle_from(start, graph, path, done)
    return found


def _cycle_from(node: str, graph: dict[str, set[str]], path: list[str], done: set[str]) -> list[str]:
    if node in path:
        cycle = [*path[path.index(node):], node]
        return [f"needs form a cycle: {' → '.join(cycle)}"]
    if node in done:
        return []
    path.append(node)
    found = [problem for need in sorted(graph[node]) for problem in _cycle_from(need, graph, path, done)]
    path.pop()
    done.add(node)
    return found[:1]


def _kind_params(kind: str, raw: dict[str, Any], registry: KindRegistry[Any], at: str, problems: list[str]) -> Any:
    model = registry.params_model(kind)
    if model is None:
        problems.append(f"{at}.kind: unknown kind '{kind}'; known: {', '.join(sorted(registry.names()))}")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_errors(exc, at))
        return None
