"""schemathesis against ``julep-async serve``, with Julep's spec, for agents, users, sessions
and docs (issue 9, item 6).

One driver for both runs: ``test_schemathesis.py`` calls :func:`run` with a fixed seed and a
bounded number of examples; the long random-seed run that issue 9's "Done when" asks for is
this file as a script, from the project root::

    .venv/bin/python tests/schemathesis_run.py --seed random --max-time 150

It prints schemathesis' own report and exits with its status (0: no failure). Pass
``--seed N`` to replay a run; anything after ``--`` goes to ``schemathesis run`` as is.

How a run goes:

* ``python -m julep_async serve --port 0 --api-key <fresh key>`` is started and its URL read
  from the line it prints; it is stopped (SIGTERM) when the run ends.
* An agent, a user and a doc for each are created over HTTP, and their ids (and the key)
  filled into a copy of ``schemathesis.toml`` (its ``${JULEP_SCHEMATHESIS_...}``), so that
  generated requests can name resources that exist.
* The spec is ``julep_spec.corrected_spec()`` (the spec's artifacts corrected, each with its
  reason) plus :func:`with_doc_links`, written as JSON beside the reports.
* ``schemathesis run`` (CLI, all four phases: examples, coverage, fuzzing, stateful with
  inferred links) runs on the operations :data:`OPERATIONS` selects, with the checks and
  statuses of ``schemathesis.toml`` and the generator ``schemathesis_hooks.py`` registers.
* The report directory keeps the corrected spec, the filled-in config, schemathesis' JSON
  report and ``serve.log`` (the backend's own output: tracebacks of any 500 are there).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = HERE / "schemathesis.toml"

# The agents, users, sessions and docs operations of the spec, and nothing else (not
# tools, tasks, secrets, executions, files, projects, responses, embed or jobs):
# /agents, /agents/models, /agents/{id}, /agents/{id}/docs[/{child_id}], /agents/{id}/search,
# the same under /users, /sessions[/{id}[/chat|/history|/render]], /docs/{id}.
OPERATIONS = (
    r"^/(agents|users)(/models|/\{id\}(/docs(/\{child_id\})?|/search)?)?$"
    r"|^/sessions(/\{id\}(/chat|/history|/render)?)?$"
    r"|^/docs/\{id\}$"
)
CHECKS = (  # exactly the ones issue 9 names; schemathesis.toml enables these and no other
    "not_a_server_error", "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
    "ignored_auth", "use_after_free", "ensure_resource_availability", "content_type_conformance",
)


@attrs.frozen
class Outcome:
    """What one schemathesis run found."""

    exit_code: int
    output: str  #: schemathesis' console report (empty when it was streamed instead)
    report: dict[str, Any]  #: its JSON report

    @property
    def failures(self) -> int:
        return int(self.report.get("test_cases", {}).get("unique_failures", 0))

    @property
    def errors(self) -> list[Any]:
        return list(self.report.get("errors") or [])

    def failure_report(self) -> str:
        """The FAILURES/ERRORS part of the console report: every failure with its reproduction."""
        match = re.search(r"^=+ (FAILURES|ERRORS) =+$", self.output, re.MULTILINE)
        return self.output[match.start():] if match else self.output


@contextlib.contextmanager
def serving(api_key: str, log: Path) -> Iterator[str]:
    """``julep-async serve`` on a free port, accepting only ``api_key``; yields its base URL.

    What it prints (its URL, then any traceback) goes to ``log``, never to a pipe nobody reads.
    """
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "julep_async", "serve", "--port", "0", "--api-key", api_key],
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 30
        while (found := re.search(r"http://\S+", log.read_text())) is None:  # "julep-async serve: http://..."
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"julep-async serve did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield found.group(0)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _post(url: str, api_key: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        answer: dict[str, Any] = json.load(reply)
        return answer


def make_fixtures(base_url: str, api_key: str) -> dict[str, str]:
    """An agent, a user and a doc owned by each; their ids as ``schemathesis.toml``'s variables."""
    agent = _post(f"{base_url}/agents", api_key, {"name": "schemathesis agent", "model": "gpt-4o-mini"})["id"]
    user = _post(f"{base_url}/users", api_key, {"name": "schemathesis", "about": "a user"})["id"]
    doc = {"title": "fixture", "content": "a document to find", "metadata": {"fixture": True}}
    return {
        "JULEP_SCHEMATHESIS_AGENT": agent,
        "JULEP_SCHEMATHESIS_USER": user,
        "JULEP_SCHEMATHESIS_AGENT_DOC": _post(f"{base_url}/agents/{agent}/docs", api_key, doc)["id"],
        "JULEP_SCHEMATHESIS_USER_DOC": _post(f"{base_url}/users/{user}/docs", api_key, doc)["id"],
    }


def with_doc_links(spec: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI links from creating a doc to reading and deleting it.

    Dependency inference links everything else, but not these: a doc's id is ``id`` in
    ``/docs/{id}`` and ``child_id`` under its owner. With them, stateful testing reads and
    deletes docs it has just created, so those replies are checked too. (A 404 there is
    still no failure: ``ensure_resource_availability`` only judges paths nested under the
    one that created the resource, and ``/docs/{id}`` is not under ``/agents/{id}/docs``.)
    """
    for owner in ("agents", "users"):
        created = spec["paths"][f"/{owner}/{{id}}/docs"]["post"]["responses"]["201"]
        created.setdefault("links", {}).update({
            "GetDoc": {"operationId": "IndividualDocsRoute_get", "parameters": {"id": "$response.body#/id"}},
            "DeleteDoc": {
                "operationId": spec["paths"][f"/{owner}/{{id}}/docs/{{child_id}}"]["delete"]["operationId"],
                "parameters": {"id": "$request.path.id", "child_id": "$response.body#/id"},
            },
        })
    return spec


def run(*, seed: int | None, max_time: int | None = None, max_examples: int | None = None, workers: int = 1,
        report_dir: Path, extra: Sequence[str] = (), stream: bool = False) -> Outcome:
    """Serve a fresh backend and run schemathesis against it once.

    ``seed=None`` lets schemathesis pick one (it prints it). ``stream`` shows the console
    report as it comes instead of capturing it.
    """
    from julep_spec import corrected_spec

    report_dir = report_dir.resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    spec = report_dir / "julep-openapi.corrected.json"
    spec.write_text(json.dumps(with_doc_links(corrected_spec(event_streams=True))))
    report = report_dir / "schemathesis-report.json"
    report.unlink(missing_ok=True)
    api_key = "st-" + secrets.token_hex(8)
    with serving(api_key, report_dir / "serve.log") as base_url:
        values = {"JULEP_SCHEMATHESIS_API_KEY": api_key, **make_fixtures(base_url, api_key)}
        # schemathesis resolves ${...} in some settings only (not in dictionaries): fill them all in here.
        config = report_dir / "schemathesis.toml"
        config.write_text(re.sub(r"\$\{(JULEP_SCHEMATHESIS_\w+)\}", lambda m: values[m.group(1)], CONFIG.read_text()))
        command = [
            sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config), "run", str(spec),
            "--url", f"{base_url}/api",  # the spec's server path; serve answers with or without it
            # The checks come from the config file alone: a --checks option would override the
            # per-operation settings there.
            "--include-path-regex", OPERATIONS, "--workers", str(workers),
            "--report", "json", "--report-json-path", str(report),
            *(["--seed", str(seed)] if seed is not None else []),
            *(["--max-time", str(max_time)] if max_time is not None else []),
            *(["--max-examples", str(max_examples)] if max_examples is not None else []),
            *extra,
        ]
        path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))  # schemathesis_hooks
        done = subprocess.run(command, cwd=report_dir, env={**os.environ, "PYTHONPATH": path}, text=True, check=False,
                              stdout=None if stream else subprocess.PIPE, stderr=subprocess.STDOUT)
    loaded = json.loads(report.read_text()) if report.exists() else {}
    return Outcome(done.returncode, done.stdout or "", loaded)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", default="random", help="an integer, or 'random' (default)")
    parser.add_argument("--max-time", type=int, default=150, help="seconds for the whole run (default: 150)")
    parser.add_argument("--max-examples", type=int, default=None, help="cases per operation and phase")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--report-dir", type=Path, default=None, help="default: a temporary directory")
    parser.add_argument("extra", nargs="*", help="after --: more `schemathesis run` options")
    args = parser.parse_args(argv)
    seed = None if args.seed == "random" else int(args.seed)
    with contextlib.ExitStack() as stack:
        report_dir = args.report_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="st-julep-")))
        started = time.monotonic()
        outcome = run(seed=seed, max_time=args.max_time, max_examples=args.max_examples, workers=args.workers,
                      report_dir=report_dir, extra=args.extra, stream=True)
        print(f"\nschemathesis_run: seed {outcome.report.get('seed')}, {outcome.failures} unique failure(s), "
              f"{len(outcome.errors)} error(s), exit {outcome.exit_code}, {time.monotonic() - started:.0f} s")
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
