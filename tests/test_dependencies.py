"""Dependency floors stay past the advisories we know of, in pyproject.toml and in what is
installed: an offline stand-in for pip-audit (which needs the network) that CI always runs.
A new advisory for a dependency goes in ADVISORIES with the first fixed version."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# (distribution, first fixed version, advisory)
ADVISORIES = [
    ("starlette", "0.40.0", "GHSA-f96h-pmfr-66vw: multipart form fields without a size limit"),
    ("starlette", "0.47.2", "GHSA-2c2j-9gv5-cj73: a large multipart upload blocks the loop"),
    ("starlette", "0.49.1", "GHSA-7f5h-v6xp-fcq8: Range header parsing DoS in FileResponse"),
    ("python-multipart", "0.0.18", "GHSA-59g5-xgcq-4qw3: DoS by boundary padding"),
    ("h11", "0.16.0", "GHSA-vqfr-h8mv-ghfj: request smuggling by chunked-encoding leniency"),
    ("aiohttp", "3.12.14", "GHSA-9548-qrrj-x5pj: request smuggling by chunked trailers"),
]


def _floors() -> dict[str, Version]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors: dict[str, Version] = {}
    for line in project["dependencies"]:
        requirement = Requirement(line)
        for spec in requirement.specifier:
            if spec.operator in (">=", "==", "~="):
                floors[requirement.name.lower()] = Version(spec.version)
    return floors


@pytest.mark.parametrize(("name", "fixed", "advisory"), ADVISORIES)
def test_pyproject_floor_is_past_the_advisory(name: str, fixed: str, advisory: str) -> None:
    floor = _floors().get(name)
    assert floor is not None, f"{name} has no floor in pyproject.toml ({advisory})"
    assert floor >= Version(fixed), f"{name}>={floor} allows {advisory}"


@pytest.mark.parametrize(("name", "fixed", "advisory"), ADVISORIES)
def test_installed_version_is_past_the_advisory(name: str, fixed: str, advisory: str) -> None:
    installed = Version(version(name))
    assert installed >= Version(fixed), f"{name} {installed} is installed: {advisory}"
