"""Julep's v1 OpenAPI spec as the real server speaks it: the one place where the spec's
artifacts are corrected, for every test that checks the wire against the spec.

Spec artifacts (``julep-v1-api.md`` §8), corrected in memory by ``corrected_spec()``:

* defaults marked required: every ``required`` property or parameter that has a
  ``default`` is made optional (the server treats them as optional);
* list ``metadata_filter`` is sent as ``metadata_filter.<key>=<value>`` (what the server
  reads), not the spec's form-encoded object, so it is validated as absent;
* ``\\p{...}`` Unicode-property patterns (``Common.identifierSafeUnicode``) cannot be
  compiled by Python's ``re``, so those patterns are not checked;
* doc search: the spec wraps the body in ``{"body": ...}``; server and official SDK send
  the fields flat, as we do.

Extension of this project's backend: ``context_overflow="summarize"`` (the spec enum has
only truncate/adaptive).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[2] / "shared" / "reference" / "julep-openapi.yaml"


def corrected_spec() -> dict[str, Any]:
    import yaml

    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text())

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and isinstance(node.get("required"), list):
                node["required"] = [n for n in node["required"] if "default" not in (props.get(n) or {})]
                if not node["required"]:
                    del node["required"]  # OpenAPI 3.0 forbids an empty list
            if node.get("in") in ("query", "header") and "default" in (node.get("schema") or {}):
                node["required"] = False
            if node.get("name") == "metadata_filter" and node.get("in") == "query":
                node["required"] = False
            if "\\p{" in str(node.get("pattern", "")):
                del node["pattern"]  # Unicode property classes: Python's re cannot compile them
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    for owner in ("agents", "users"):  # the doc-search ``body`` wrapper
        body = spec["paths"][f"/{owner}/{{id}}/search"]["post"]["requestBody"]["content"]["application/json"]
        body["schema"] = copy.deepcopy(body["schema"]["properties"]["body"])
    spec["components"]["schemas"]["Sessions.ContextOverflowType"]["enum"].append("summarize")  # extension
    return spec
