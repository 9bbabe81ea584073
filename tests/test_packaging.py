"""What a release ships: the sdist built from a clean copy of the project."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEFT_OUT = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
                                  "build", "dist")


@pytest.fixture(scope="module")
def sdist_names(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pytest.importorskip("build")
    source = tmp_path_factory.mktemp("project") / "julep-async"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    out = source / "dist"
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    (archive,) = out.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        return [name.partition("/")[2] for name in tar.getnames()]


def test_the_sdist_ships_no_tests(sdist_names: list[str]) -> None:
    assert not [name for name in sdist_names if name.startswith("tests") or "/test_" in name]


def test_the_sdist_ships_the_package_and_its_licence(sdist_names: list[str]) -> None:
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "julep_async/py.typed",
            "julep_async/testing/pytest_plugin.py"} <= set(sdist_names)


def test_the_licence_is_the_mit_licence_pyproject_names() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "julep_async contributors" in text
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text()
