"""A PromQL instant query against the Prometheus HTTP API, compared with a threshold.

Plain HTTP (urllib) with the check's own timeout; an unreachable Prometheus, a query error or an empty
result is `unknown` with the reason. The fraction is 1 when the comparison holds, else 0: a threshold
is met or not. The query text and the value are shown; the URL is not (the reason names Prometheus, not
its address).
"""

from __future__ import annotations

import json
import math
import operator
import urllib.error
import urllib.parse
import urllib.request
from typing import Literal

from pydantic import Field

from bot import messages
from bot.checks.base import CheckKind, CheckResult, Params
from bot.errors import Unavailable
from bot.snapshot.snapshot import Snapshot

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class PrometheusParams(Params):
    url: str = Field(pattern=r"^https?://", description="Prometheus base URL")
    query: str = Field(min_length=1)
    op: Literal["<", "<=", ">", ">="]
    threshold: float
    unit: str = ""
    http_timeout_s: float = Field(5.0, gt=0, le=60, description="HTTP timeout; keep it below the check's timeout_s")


def instant_query(base_url: str, query: str, timeout_s: float) -> float:
    """The first sample's value of an instant query; raises Unavailable with a safe reason."""
    url = base_url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise Unavailable(messages.source_answered("Prometheus", f"answered HTTP {exc.code}")) from None
    except (urllib.error.URLError, OSError):
        raise Unavailable(messages.source_unreachable("Prometheus")) from None
    except ValueError:
        raise Unavailable(messages.source_answered("Prometheus", "answered with something that is not JSON")) from None
    if body.get("status") != "success":
        raise Unavailable(messages.source_answered("Prometheus", f"rejected the query ({body.get('errorType', 'error')})"))
    data = body.get("data") or {}
    result = data.get("result")
    if data.get("resultType") == "scalar":
        sample = result
    elif result:
        sample = result[0].get("value")
    else:
        raise Unavailable(messages.source_answered("Prometheus", "returned no samples for the query"))
    try:
        return float(sample[1])
    except (TypeError, ValueError, IndexError):
        raise Unavailable(messages.source_answered("Prometheus", "returned a sample that is not a number")) from None


def prometheus_query(params: PrometheusParams, snapshot: Snapshot) -> CheckResult:
    value = instant_query(params.url, params.query, params.http_timeout_s)
    if math.isnan(value):
        return CheckResult.unknown("the query returned NaN (no traffic in the window?)")
    met = OPS[params.op](value, params.threshold)
    shown = f"{value:.4g}{params.unit} (wanted {params.op} {params.threshold:g}{params.unit})"
    return CheckResult.measured(int(met), 1, shown, [f"{params.query} = {shown}"])


PROMETHEUS_QUERY = CheckKind("prometheus_query", PrometheusParams, prometheus_query,
                             "A PromQL instant query compared with a threshold (op <, <=, >, >=).")
