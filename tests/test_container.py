"""The ``Dockerfile`` and ``compose.yaml``: their shape (multi-stage, slim Python, a non-root
user, a HEALTHCHECK on /readyz, migrations as a release step), then the image's own commands
run the same way on this machine (no image is built here: no container registry is
reachable). The build stage's RUN lines install the package from exactly the files its COPY
lines name into a fresh virtualenv; the release command migrates a database from a directory
holding only what the final stage copies; the CMD serves with the schema left alone (as
compose runs the replicas), and the HEALTHCHECK's command passes against it."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from tests.fakes.slack_api import FakeSlack
from tests.procs import ROOT, bot_env, free_port, stop_bot

RELEASE = ["python", "-m", "bot", "migrate"]


@dataclass
class Stage:
    base: str
    name: str | None
    steps: list[tuple[str, str]] = field(default_factory=list)

    def args(self, instruction: str) -> list[str]:
        return [rest for name, rest in self.steps if name == instruction]


def dockerfile() -> list[Stage]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line.strip()]
    stages: list[Stage] = []
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        instruction, _, rest = line.strip().partition(" ")
        rest = " ".join(rest.split())
        if instruction.upper() == "FROM":
            base, _, name = rest.partition(" AS ")
            stages.append(Stage(base, name or None))
        else:
            stages[-1].steps.append((instruction.upper(), rest))
    return stages


def exec_form(args: str) -> list[str]:
    """A JSON-array instruction (CMD, HEALTHCHECK's CMD), as Docker reads it."""
    parsed = json.loads(args)
    assert isinstance(parsed, list), f"not exec form: {args}"
    return [str(a) for a in parsed]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_the_image_is_multi_stage_slim_and_runs_as_a_user() -> None:
    build, final = dockerfile()
    assert build.name and f"--from={build.name}" in " ".join(final.args("COPY"))
    assert all(s.base.startswith("python:") and s.base.endswith("-slim") for s in (build, final))
    users = final.args("USER")
    assert users and users[-1] not in ("root", "0")
    assert [name for name, _ in final.steps].index("USER") < [
        name for name, _ in final.steps
    ].index("CMD")
    (health,) = final.args("HEALTHCHECK")
    assert "/readyz" in health and health.split(" CMD ")[0].startswith("--interval")
    assert exec_form(final.args("CMD")[-1]) == ["python", "-m", "bot"]


def test_compose_runs_postgresql_the_release_step_and_two_replicas() -> None:
    services = compose()["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == RELEASE
    assert (ROOT / "Procfile").read_text().splitlines()[0] == "release: " + " ".join(RELEASE)
    bot = services["bot"]
    assert bot["deploy"]["replicas"] == 2
    assert bot["command"] == exec_form(dockerfile()[-1].args("CMD")[-1])
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["image"] == services["migrate"]["image"]
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in bot["environment"]["DATABASE_URL"]


def _install(build: Stage, tmp: Path) -> Path:
    """The build stage, here: its COPY lines into a source directory, its RUN lines with
    /venv in ``tmp`` (dependencies from this machine's site-packages, as the image gets
    them from PyPI). Returns the virtualenv."""
    venv, src = tmp / "venv", tmp / "src"
    src.mkdir()
    for copy in build.args("COPY"):
        *sources, _dest = copy.split()
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, src / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(origin, src / source)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for run in build.args("RUN"):
        command = run.replace("python -m venv", f"{sys.executable} -m venv --system-site-packages")
        command = command.replace("pip install", "pip install --quiet --no-deps")
        command = command.replace("/venv", str(venv))
        subprocess.run(shlex.split(command), cwd=src, env=env, check=True, timeout=300)
    return venv


def _final_env(final: Stage, venv: Path, **settings: str) -> dict[str, str]:
    """The final stage's ENV, then the deployment's settings over it (as ``docker run -e``
    and compose's ``environment`` do), PATH the image's own."""
    env: dict[str, str] = {}
    for line in final.args("ENV"):
        for pair in shlex.split(line):
            name, _, value = pair.partition("=")
            env[name] = value.replace("/venv", str(venv)).replace("$PATH", os.environ["PATH"])
    env.update((k, v) for k, v in settings.items() if k not in ("PATH", "PYTHONPATH"))
    return env


async def test_the_image_commands_install_migrate_serve_and_pass_the_healthcheck(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    build, final = dockerfile()
    venv = await asyncio.to_thread(_install, build, tmp_path)
    app = tmp_path / "app"
    app.mkdir()
    for copy in final.args("COPY"):
        if not copy.startswith("--from"):
            for source in copy.split()[:-1]:
                shutil.copy(ROOT / source, app / source)
    port = free_port()
    replica = compose()["services"]["bot"]["environment"]  # PostgreSQL there; SQLite here
    replica = {k: v for k, v in replica.items() if k != "DATABASE_URL"}
    database = f"sqlite:///{tmp_path / 'porting.db'}"
    env = _final_env(final, venv, **bot_env(fake_slack, port, DATABASE_URL=database, **replica))
    assert env["MIGRATE_ON_START"] == "false"  # as compose runs the replicas

    where = await asyncio.create_subprocess_exec(
        "python", "-c", "import bot; print(bot.__file__)", env=env, cwd=app,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert (await where.communicate())[0].decode().startswith(str(venv))

    release = await asyncio.create_subprocess_exec(
        *RELEASE, env=env, cwd=app, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await release.communicate()
    assert release.returncode == 0 and "database schema is at" in out.decode()

    log = (tmp_path / "bot.log").open("wb")
    server = subprocess.Popen(  # noqa: ASYNC220 (spawn only)
        exec_form(final.args("CMD")[-1]), env=env, cwd=app, stdout=log, stderr=log
    )
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(600):
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, (tmp_path / "bot.log").read_text()
                await asyncio.sleep(0.1)
        check = exec_form(final.args("HEALTHCHECK")[0].split(" CMD ", 1)[1])
        probe = await asyncio.create_subprocess_exec(*check, env=env, cwd=app)
        assert await probe.wait() == 0
    finally:
        await stop_bot(server)
        log.close()
