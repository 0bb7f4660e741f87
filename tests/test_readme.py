"""The README's two set-up commands are the ones that work, on a fresh checkout."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```sh\n(.*?)\n```\s*<!-- /{marker} -->", README, re.S)
    assert match, f"README has no {marker} block"
    return match.group(1).strip()


def test_readme_has_exactly_two_setup_commands():
    assert len(re.findall(r"<!-- (main|test)-command -->", README)) == 2
    assert block("main-command").startswith("bash scripts/setup.sh && ")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert block("test-command") in ci and "scripts/setup.sh" in ci


@pytest.mark.slow
def test_main_command_on_a_fresh_checkout(tmp_path):
    """Everything after the installation step, in a fresh clone: index the sample, then chat."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    steps = block("main-command").split(" && ")[1:]
    env = {**os.environ, "PYTHONPATH": str(clone)}
    env.pop("LOTSE_CONFIG", None)
    outputs = []
    for step in steps:
        args = shlex.split(step)
        assert args[0] == ".venv/bin/lotse"
        # The installed console script is this venv's; the code it runs is the clone's.
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args[1:]], cwd=clone, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert "38 neu" in outputs[0]
    assert "Chief Digital Officer" in outputs[1] and "Quellen:" in outputs[1]
    assert (clone / "var" / "index" / "CURRENT").exists()
