"""The Dockerfile, without a Docker engine: its instructions are read and checked, then its build
is replayed (only the files it COPYs, its `pip install` steps in a clean virtualenv) and the
result is run the way the image runs it: migrate, demo, CMD and HEALTHCHECK."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from packaging.utils import canonicalize_name

from tests.fakes.slack_api import FakeSlack
from tests.support.db import sqlite_table_names
from tests.support.lock import locked_versions
from tests.support.processes import clean_env
from tests.support.slack_requests import SIGNING_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
LOCK = REPO_ROOT / "requirements.lock"
PIP_TIMEOUT_S = 900
RUN_TIMEOUT_S = 120
STARTUP_TIMEOUT_S = 20.0
EXIT_TIMEOUT_S = 10.0
BOT_TOKEN = "xoxb-test-token"


# --- reading the Dockerfile -------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-cased, e.g. "COPY"
    args: str  # everything after the keyword, continuation lines joined


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order; comments dropped and backslash continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        if not logical:
            continue
        keyword, _, args = logical.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def only(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in instructions if i.keyword == keyword]
    assert len(found) == 1, f"expected exactly one {keyword}, found {len(found)}"
    return found[0]


def env_pairs(args: str) -> dict[str, str]:
    """`ENV A=1 B="two words"` (or the legacy `ENV A 1`) as a dict."""
    tokens = shlex.split(args)
    if tokens and "=" not in tokens[0]:
        return {tokens[0]: " ".join(tokens[1:])}
    pairs: dict[str, str] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        assert sep, f"ENV token without '=': {token!r}"
        pairs[key] = value
    return pairs


def image_env(instructions: list[Instruction], upto: int | None = None) -> dict[str, str]:
    """The ENV in effect after the first `upto` instructions (all of them by default)."""
    env: dict[str, str] = {}
    for instruction in instructions[:upto]:
        if instruction.keyword == "ENV":
            env.update(env_pairs(instruction.args))
    return env


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) command; a shell-form string fails the test."""
    assert args.startswith("["), f"not exec form: {args!r}"
    value = json.loads(args)
    assert isinstance(value, list)
    assert all(isinstance(part, str) for part in value)
    return [str(part) for part in value]


def healthcheck_command(args: str) -> list[str]:
    options, sep, command = args.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {args!r}"
    assert all(opt.startswith("--") for opt in options.split()), options
    return exec_form(command.strip())


def run_steps(run_args: str) -> list[list[str]]:
    """A RUN line split at `&&` into argument lists."""
    return [shlex.split(part) for part in run_args.split("&&")]


def is_pip_install(argv: list[str]) -> bool:
    return argv[:2] == ["pip", "install"] or argv[:4] == ["python", "-m", "pip", "install"]


def is_user_setup(steps: list[list[str]]) -> bool:
    return any(step and step[0] == "useradd" for step in steps)


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return parse_dockerfile(DOCKERFILE.read_text())


# --- what the Dockerfile says -----------------------------------------------------------------


def test_base_image_is_a_slim_python_3_11_or_newer(dockerfile: list[Instruction]) -> None:
    image = only(dockerfile, "FROM").args.split()[0]
    match = re.fullmatch(
        r"python:(\d+)\.(\d+)(?:\.\d+)?-slim(?:-[a-z]+)?(?:@sha256:[0-9a-f]+)?", image
    )
    assert match, image
    assert (int(match[1]), int(match[2])) >= (3, 11)


def test_runs_as_a_non_root_user_that_a_run_step_creates(dockerfile: list[Instruction]) -> None:
    user = only(dockerfile, "USER").args.split(":")[0]
    assert user not in ("root", "0", "")

    user_index = dockerfile.index(only(dockerfile, "USER"))
    setups = [
        run_steps(i.args)
        for i in dockerfile[:user_index]
        if i.keyword == "RUN" and is_user_setup(run_steps(i.args))
    ]
    assert len(setups) == 1, "expected one RUN that creates the user, before USER"
    [useradd] = [step for step in setups[0] if step[0] == "useradd"]
    assert useradd[-1] == user
    assert "--create-home" in useradd or "-m" in useradd


def test_default_database_is_on_a_volume_the_user_owns(dockerfile: list[Instruction]) -> None:
    env = image_env(dockerfile)
    db_path = PurePosixPath(env["DATABASE_URL"].removeprefix("sqlite:///"))
    assert env["DATABASE_URL"].startswith("sqlite:////"), "an absolute SQLite path"
    volume_args = only(dockerfile, "VOLUME").args
    names = exec_form(volume_args) if volume_args.startswith("[") else volume_args.split()
    volumes = [PurePosixPath(v) for v in names]
    [volume] = [v for v in volumes if db_path.is_relative_to(v)]

    user = only(dockerfile, "USER").args.split(":")[0]
    [setup] = [run_steps(i.args) for i in dockerfile if i.keyword == "RUN" and "useradd" in i.args]
    assert ["mkdir", "-p", str(volume)] in setup
    assert ["chown", user, str(volume)] in setup


def test_healthcheck_runs_tradeoff_healthcheck(dockerfile: list[Instruction]) -> None:
    assert healthcheck_command(only(dockerfile, "HEALTHCHECK").args) == ["tradeoff", "healthcheck"]


def test_cmd_is_tradeoff_serve(dockerfile: list[Instruction]) -> None:
    assert exec_form(only(dockerfile, "CMD").args) == ["tradeoff", "serve"]
    assert not [i for i in dockerfile if i.keyword == "ENTRYPOINT"]


def test_exposed_port_is_the_port_the_bot_listens_on(dockerfile: list[Instruction]) -> None:
    exposed = {port.split("/")[0] for port in only(dockerfile, "EXPOSE").args.split()}
    assert exposed == {image_env(dockerfile)["PORT"]}


def test_copies_only_from_the_build_context(dockerfile: list[Instruction]) -> None:
    for instruction in dockerfile:
        if instruction.keyword == "COPY":
            assert "--from" not in instruction.args
            *sources, _dest = shlex.split(instruction.args)
            for source in sources:
                assert (REPO_ROOT / source).exists(), source


def test_every_pip_install_is_pinned_by_the_copied_lock(dockerfile: list[Instruction]) -> None:
    installs = [
        (index, step) for index, i in enumerate(dockerfile) if i.keyword == "RUN"
        for step in run_steps(i.args) if is_pip_install(step)
    ]
    assert installs
    copied_at = min(
        index for index, i in enumerate(dockerfile)
        if i.keyword == "COPY" and LOCK.name in shlex.split(i.args)[:-1]
    )
    for index, step in installs:
        assert index > copied_at, "the lock is copied before it is used"
        pinned_by = {
            step[n + 1] for n, arg in enumerate(step[:-1])
            if arg in ("-c", "--constraint", "-r", "--requirement")
        }
        assert LOCK.name in pinned_by, step


# --- replaying the build ----------------------------------------------------------------------


@dataclass
class BuiltImage:
    rootfs: Path  # stands for the image's "/"
    workdir: Path
    bin_dir: Path  # the virtualenv's scripts, first on PATH as the image's are
    runtime_env: dict[str, str]  # ENV of the finished image, paths remapped into rootfs
    cmd: list[str]
    healthcheck: list[str]


def in_rootfs(rootfs: Path, path: PurePosixPath) -> Path:
    return rootfs.joinpath(*path.parts[1:]) if path.is_absolute() else rootfs / path


def copy_into(rootfs: Path, workdir: PurePosixPath, args: str) -> None:
    """COPY as Docker does it: a directory's contents, files into a directory ending in '/'."""
    *sources, dest_text = [t for t in shlex.split(args) if not t.startswith("--")]
    dest = in_rootfs(rootfs, workdir / dest_text)
    many = len(sources) > 1 or dest_text.endswith("/")
    for source_text in sources:
        source = REPO_ROOT / source_text
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, dest, dirs_exist_ok=True, ignore=ignore)
        else:
            target = dest / source.name if many else dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def build_env(bin_dir: Path, dockerfile_env: dict[str, str]) -> dict[str, str]:
    env = clean_env(drop_interpreter=True)
    # The image turns pip's cache off to stay small; here the cache only makes the replay fast.
    env.update({k: v for k, v in dockerfile_env.items() if k != "PIP_NO_CACHE_DIR"})
    # CI pins its own installs this way; the image gets only the pins its Dockerfile names.
    env.pop("PIP_CONSTRAINT", None)
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def replay_build(instructions: list[Instruction], root: Path) -> BuiltImage:
    rootfs = root / "rootfs"
    rootfs.mkdir()
    venv_dir = root / "venv"
    made = subprocess.run(  # noqa: S603 - this interpreter's own venv module
        [sys.executable, "-m", "venv", str(venv_dir)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "include-system-site-packages = false" in (venv_dir / "pyvenv.cfg").read_text()
    bin_dir = venv_dir / "bin"
    workdir = PurePosixPath("/")
    pip_steps = 0
    for index, instruction in enumerate(instructions):
        if instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.args
            in_rootfs(rootfs, workdir).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "COPY":
            copy_into(rootfs, workdir, instruction.args)
        elif instruction.keyword == "RUN":
            steps = run_steps(instruction.args)
            if is_user_setup(steps):
                # Needs root; it only creates the user and its volume directory (checked above).
                continue
            assert len(steps) == 1 and is_pip_install(steps[0]), (
                f"this test does not know how to replay RUN {instruction.args!r}"
            )
            argv = steps[0]
            pip_args = argv[1:] if argv[0] == "pip" else argv[3:]
            result = subprocess.run(  # noqa: S603 - the venv's pip, the Dockerfile's arguments
                [str(bin_dir / "python"), "-m", "pip", *pip_args],
                cwd=in_rootfs(rootfs, workdir),
                env=build_env(bin_dir, image_env(instructions, index)),
                capture_output=True,
                text=True,
                timeout=PIP_TIMEOUT_S,
                check=False,
            )
            assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
            pip_steps += 1
    assert pip_steps >= 1, "the Dockerfile installs nothing"

    runtime_env = build_env(bin_dir, image_env(instructions))
    db_url = runtime_env["DATABASE_URL"]
    if db_url.startswith("sqlite:////"):
        db_path = in_rootfs(rootfs, PurePosixPath(db_url.removeprefix("sqlite:///")))
        db_path.parent.mkdir(parents=True, exist_ok=True)  # what the user-setup RUN makes
        runtime_env["DATABASE_URL"] = f"sqlite:///{db_path}"
    return BuiltImage(
        rootfs=rootfs,
        workdir=in_rootfs(rootfs, workdir),
        bin_dir=bin_dir,
        runtime_env=runtime_env,
        cmd=exec_form(only(instructions, "CMD").args),
        healthcheck=healthcheck_command(only(instructions, "HEALTHCHECK").args),
    )


@pytest.fixture(scope="module")
def image(dockerfile: list[Instruction], tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    return replay_build(dockerfile, tmp_path_factory.mktemp("docker-build"))


def run_in_image(
    image: BuiltImage, argv: list[str], cwd: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    executable = image.bin_dir / argv[0]
    assert executable.is_file(), f"{argv[0]} is not installed in the image"
    return subprocess.run(  # noqa: S603 - the image's own executables
        [str(executable), *argv[1:]],
        cwd=cwd,
        env={**image.runtime_env, **env},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


@pytest.mark.slow
def test_build_copies_only_what_it_names(image: BuiltImage) -> None:
    top = {p.name for p in image.workdir.iterdir()}
    # pip may leave build/ or *.egg-info next to the sources; nothing else may appear.
    extra = {name for name in top if name != "build" and not name.endswith(".egg-info")}
    assert extra == {
        "pyproject.toml", "README.md", "alembic.ini", "requirements.lock", "bot", "migrations",
    }
    assert not (image.workdir / "tests").exists()


@pytest.mark.slow
def test_the_image_has_exactly_the_locked_versions(image: BuiltImage, tmp_path: Path) -> None:
    result = subprocess.run(  # noqa: S603 - the image's own interpreter
        [str(image.bin_dir / "python"), "-c",
         "import importlib.metadata as m\n"
         "for d in m.distributions(): print(d.metadata['Name'], d.version)"],
        cwd=tmp_path, env=image.runtime_env, capture_output=True, text=True,
        timeout=RUN_TIMEOUT_S, check=False,
    )
    assert result.returncode == 0, result.stderr
    installed = {
        canonicalize_name(name): version
        for name, version in (line.split() for line in result.stdout.splitlines())
    }
    for own in ("tradeoff", "pip", "setuptools", "wheel"):
        installed.pop(own, None)
    locked = locked_versions(LOCK.read_text())
    assert installed, "nothing was installed"
    assert {name: locked.get(name) for name in installed} == installed


@pytest.mark.slow
def test_installed_package_is_not_the_source_tree(image: BuiltImage, tmp_path: Path) -> None:
    python = image.bin_dir / "python"
    result = subprocess.run(  # noqa: S603 - the image's own interpreter
        [str(python), "-c", "import bot.migrations; print(bot.migrations.__file__)"],
        cwd=tmp_path,
        env=image.runtime_env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    location = Path(result.stdout.strip())
    assert location.is_relative_to(image.bin_dir.parent), location
    assert not location.is_relative_to(REPO_ROOT)


@pytest.mark.slow
def test_migrate_works_from_any_directory(image: BuiltImage, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "data").mkdir()
    db = tmp_path / "data" / "tradeoff.db"

    result = run_in_image(image, ["tradeoff", "migrate"], elsewhere, DATABASE_URL=f"sqlite:///{db}")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert {"items", "votes", "item_counters", "alembic_version"} <= sqlite_table_names(db)


@pytest.mark.slow
def test_demo_runs_from_the_installed_package(image: BuiltImage, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"

    result = run_in_image(
        image, ["tradeoff", "demo", "--database-url", f"sqlite:///{db}"], tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert "D-1" in result.stdout
    assert "F-1" in result.stdout
    assert db.is_file()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_cmd_serves_and_healthcheck_passes(image: BuiltImage, tmp_path: Path) -> None:
    """`docker run` with the two Slack variables set: CMD starts, HEALTHCHECK reports healthy."""
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        # A free loopback port instead of the image's 3000, so parallel runs cannot collide.
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.base_url,
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
        }
        log_path = tmp_path / "serve.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(  # noqa: S603 - the image's own CMD
                [str(image.bin_dir / image.cmd[0]), *image.cmd[1:]],
                cwd=image.workdir,
                env={**image.runtime_env, **env},
                stdout=log,
                stderr=log,
            )
        try:
            healthy = None
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while time.monotonic() < deadline and proc.poll() is None:
                healthy = run_in_image(image, image.healthcheck, tmp_path, **env)
                if healthy.returncode == 0:
                    break
                time.sleep(0.2)
            assert healthy is not None and healthy.returncode == 0, log_path.read_text()
            assert "healthy" in healthy.stdout
            assert fake.calls_to("auth.test")
            db_url = image.runtime_env["DATABASE_URL"]
            assert "alembic_version" in sqlite_table_names(Path(db_url.removeprefix("sqlite:///")))

            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=EXIT_TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=EXIT_TIMEOUT_S)

    assert "Traceback" not in log_path.read_text()
