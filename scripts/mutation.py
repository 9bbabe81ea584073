#!/usr/bin/env python3
"""Mutation testing of the core modules: does the suite notice when the code is wrong?

mutmut (the ``dev`` extra) makes small changes to a module — a comparison flipped, a
constant moved by one, an argument dropped — and runs the tests once per change (a
*mutant*). A mutant that no test fails on *survives*: some behaviour is not pinned down.

Each module of ``mutation.toml`` is measured in its own mutmut run, in
``.mutation/<module>/`` (a fresh copy of ``julep_async/`` and ``tests/``), against only the
test files listed for it; of those, mutmut runs only the tests that call the mutated
function, quickest first, stopping at the first failure, on every core at once. Every run
starts afresh, so the figures always describe the code and tests as they are now.

The score of a module is ``killed / (mutants - equivalent)``. A mutant that times out
counts as killed (a hung test fails CI too). ``[[equivalent]]`` entries of
``mutation.toml`` list the mutants judged unable to change behaviour, each with its
reason; they match a mutant by file and by the line before and after the change, so they
survive renumbering when the code around them changes. An entry that matches no
surviving mutant is reported as stale.

Usage::

    .venv/bin/pip install -e '.[test,dev]'
    .venv/bin/python scripts/mutation.py              # every module (about 20 minutes on 2 cores)
    .venv/bin/python scripts/mutation.py retry client # some of them
    .venv/bin/python scripts/mutation.py --list       # the modules, their files and tests

It prints one table row per file and, below it, the diff of every surviving mutant, and
exits 1 when a module scores under ``--fail-under`` (default 0: report only). To look at
one survivor again: ``cd .mutation/<module> && ../../.venv/bin/mutmut show <name>``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mutation.toml"
WORK = ROOT / ".mutation"
COPIED = ("julep_async", "tests")
ORDER_PLUGIN = '''"""Written by scripts/mutation.py: run the quickest tests first, so that a mutant is
killed as early as it can be (mutmut stops at the first failure)."""

import json
from pathlib import Path
from typing import Any


def pytest_collection_modifyitems(items: list[Any]) -> None:
    try:  # the durations of mutmut's first, unmutated run (the working directory is mutants/)
        durations = json.loads(Path("mutmut-stats.json").read_text(encoding="utf-8"))["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
'''
SEPARATOR = "\u01c1"  # mutmut names a method x<SEPARATOR>Class<SEPARATOR>method
DETECTED = frozenset({"killed", "timeout", "segfault", "caught by type check"})


class Equivalent:
    """One ``[[equivalent]]`` entry: a change, in a file, judged unable to alter behaviour."""

    def __init__(self, entry: dict[str, str]) -> None:
        missing = {"file", "line", "mutant", "why"} - set(entry)
        if missing:
            raise SystemExit(f"mutation.toml: an [[equivalent]] entry lacks {', '.join(sorted(missing))}: {entry}")
        self.file = entry["file"]
        self.line = _normalized(entry["line"].splitlines())
        self.mutant = _normalized(entry["mutant"].splitlines())
        self.why = entry["why"]
        self.function = entry.get("function")  # optional: where one line appears in several functions
        self.matched = 0

    def matches(self, mutant: Mutant) -> bool:
        return (mutant.file == self.file and mutant.change() == (self.line, self.mutant)
                and self.function in (None, mutant.function))


class Mutant:
    def __init__(self, name: str, file: str, status: str) -> None:
        self.name, self.file, self.status = name, file, status
        self.diff = ""
        self.equivalent: Equivalent | None = None

    @property
    def short_name(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def function(self) -> str:
        """The mutated function's name, ``Class.method`` for a method."""
        mangled = self.short_name.rpartition("__mutmut_")[0]
        return mangled[2:] if mangled.startswith("x_") else ".".join(mangled.split(SEPARATOR)[1:])

    def change(self) -> tuple[str, str]:
        """The lines taken out and put in, whitespace-insensitive."""
        lines = self.diff.splitlines()
        removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
        added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
        return _normalized(removed), _normalized(added)


def _normalized(lines: Iterable[str]) -> str:
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def load_config() -> tuple[dict[str, dict[str, Any]], dict[str, Any], list[Equivalent]]:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    modules: dict[str, dict[str, Any]] = config["modules"]
    for name, module in modules.items():
        for path in [*module["files"], *module["tests"]]:
            if not (ROOT / path).is_file():
                raise SystemExit(f"mutation.toml: [modules.{name}] names {path}, which does not exist")
    equivalents = [Equivalent(entry) for entry in config.get("equivalent", [])]
    return modules, config.get("mutmut", {}), equivalents


def _toml(value: Any) -> str:
    return json.dumps(value)  # JSON strings, numbers, booleans and lists are valid TOML


def prepare(name: str, module: dict[str, Any], settings: dict[str, Any]) -> Path:
    """A fresh working copy for one module's run, with its mutmut settings."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for directory in COPIED:
        shutil.copytree(ROOT / directory, work / directory,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis"))
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if "[tool.mutmut]" in project:
        raise SystemExit("pyproject.toml has a [tool.mutmut] table: mutmut settings belong in mutation.toml")
    (work / "_mutation_order.py").write_text(ORDER_PLUGIN, encoding="utf-8")
    tool = {
        "source_paths": ["julep_async"],
        "only_mutate": module["files"],
        "pytest_add_cli_args_test_selection": module["tests"],
        "also_copy": ["_mutation_order.py"],
        **settings,
        "pytest_add_cli_args": ["-p", "_mutation_order", *settings.get("pytest_add_cli_args", []),
                                *(f"--deselect={test}" for test in module.get("deselect", []))],
    }
    lines = "".join(f"{key} = {_toml(value)}\n" for key, value in tool.items())
    (work / "pyproject.toml").write_text(f"{project}\n[tool.mutmut]\n{lines}", encoding="utf-8")
    return work


def run_mutmut(name: str, work: Path, jobs: int) -> None:
    mutmut = Path(sys.executable).with_name("mutmut")
    if not mutmut.exists():
        raise SystemExit(f"no {mutmut}: install the dev extra (pip install -e '.[test,dev]')")
    log = work / "mutmut.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MUTANT_UNDER_TEST", None)
    with log.open("wb") as output:
        result = subprocess.run([str(mutmut), "run", "--max-children", str(jobs)], cwd=work, env=env,
                                stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        tail = log.read_bytes()[-4000:].decode(errors="replace")
        raise SystemExit(f"mutmut failed on {name} (exit {result.returncode}); the end of {log}:\n{tail}")


def results(work: Path, files: Sequence[str]) -> list[Mutant]:
    statuses: dict[Any, str] = importlib.import_module("mutmut.stats").status_by_exit_code
    mutants = []
    for file in files:
        meta = json.loads((work / "mutants" / f"{file}.meta").read_text(encoding="utf-8"))
        for key, code in meta["exit_code_by_key"].items():
            mutants.append(Mutant(key, file, statuses[code]))
    undecided = [m.name for m in mutants if m.status == "not checked"]
    if undecided:
        raise SystemExit(f"mutmut left {len(undecided)} mutant(s) unchecked, e.g. {undecided[0]}: "
                         f"see {work}/mutmut.log")
    diff_for = importlib.import_module("mutmut.mutation.diff_apply").get_diff_for_mutant
    here = Path.cwd()
    os.chdir(work)  # mutmut reads mutants/ relative to the working directory
    try:
        for mutant in mutants:
            if mutant.status not in DETECTED:
                mutant.diff = diff_for(mutant.name, path=mutant.file)
    finally:
        os.chdir(here)
    return mutants


def score(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f}%" if total else "-"


def report(outcomes: dict[str, list[Mutant]], equivalents: list[Equivalent],
           seconds: dict[str, float]) -> dict[str, float]:
    """Print the table and the survivors; return each module's score (0-100)."""
    for mutants in outcomes.values():
        for mutant in mutants:
            if mutant.status in DETECTED:
                continue
            mutant.equivalent = next((e for e in equivalents if e.matches(mutant)), None)
            if mutant.equivalent is not None:
                mutant.equivalent.matched += 1

    print("\n| module | file | killed / total | score | equivalent | survived | run |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    scores: dict[str, float] = {}
    for name, mutants in outcomes.items():
        files = sorted({m.file for m in mutants}, key=[m.file for m in mutants].index)
        rows = [(file, [m for m in mutants if m.file == file]) for file in files]
        if len(rows) > 1:
            rows.append(("all", mutants))
        for file, group in rows:
            equivalent = sum(1 for m in group if m.equivalent is not None)
            killed = sum(1 for m in group if m.status in DETECTED)
            total = len(group) - equivalent
            survived = total - killed
            took = f"{seconds[name]:.0f} s" if file == rows[-1][0] else ""
            print(f"| {name} | {file} | {killed} / {total} | {score(killed, total)} | {equivalent} | {survived} "
                  f"| {took} |")
            if file == rows[-1][0]:
                scores[name] = 100 * killed / total if total else 100.0

    for name, mutants in outcomes.items():
        survivors = [m for m in mutants if m.status not in DETECTED and m.equivalent is None]
        if not survivors:
            continue
        print(f"\n## {name}: {len(survivors)} surviving mutant(s)  (cd .mutation/{name} && mutmut show NAME)")
        for mutant in survivors:
            print(f"\n{mutant.file} {mutant.short_name} ({mutant.status})")
            removed, added = mutant.change()
            print("\n".join(f"  - {line}" for line in removed.splitlines()))
            print("\n".join(f"  + {line}" for line in added.splitlines()))

    measured = {file for mutants in outcomes.values() for file in {m.file for m in mutants}}
    stale = [e for e in equivalents if e.file in measured and not e.matched]
    if stale:
        print("\n## Stale [[equivalent]] entries: they match no surviving mutant (fixed, killed or reworded)")
        for entry in stale:
            print(f"  {entry.file}: {entry.line!r} -> {entry.mutant!r}")
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("modules", nargs="*", help="modules of mutation.toml to measure (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants run at once (default: cores)")
    parser.add_argument("--fail-under", type=float, default=0.0, help="exit 1 if a module scores under this percent")
    parser.add_argument("--list", action="store_true", help="show the modules, their files and test files, and stop")
    options = parser.parse_args(argv)

    modules, settings, equivalents = load_config()
    unknown = set(options.modules) - set(modules)
    if unknown:
        raise SystemExit(f"unknown module(s) {', '.join(sorted(unknown))}; mutation.toml has {', '.join(modules)}")
    chosen = {name: modules[name] for name in options.modules or modules}
    if options.list:
        for name, module in chosen.items():
            print(f"{name}: {' '.join(module['files'])}\n    tests: {' '.join(module['tests'])}")
        return 0

    outcomes: dict[str, list[Mutant]] = {}
    seconds: dict[str, float] = {}
    for name, module in chosen.items():
        started = time.monotonic()
        print(f"{name}: mutating {', '.join(module['files'])} ...", flush=True)
        work = prepare(name, module, settings)
        run_mutmut(name, work, options.jobs)
        outcomes[name] = results(work, module["files"])
        seconds[name] = time.monotonic() - started
        print(f"{name}: {len(outcomes[name])} mutants in {seconds[name]:.0f} s", flush=True)
    scores = report(outcomes, equivalents, seconds)
    low = [name for name, value in scores.items() if value < options.fail_under]
    if low:
        print(f"\nunder {options.fail_under:g}%: {', '.join(low)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
