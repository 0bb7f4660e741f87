"""One path as city deployments run it: Wissenslotse → LiteLLM proxy (real, offline) → model server
(the stand-in as its OpenAI-compatible upstream). The key comes from the environment variable
named in [llm] api_key_env, and the proxy refuses requests without it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.config import Config, LlmSettings
from bot.core import Asker, ChatCore
from indexer import Index
from indexer.embedder import Embedder
from openai_standin import Behaviour, OpenAIStandIn, passages_in
from test_grounded_answers import cited, sentence

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
MASTER_KEY = "sk-wissenslotse-test"
STARTUP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIStandIn]:
    with OpenAIStandIn() as standin:
        yield standin


@pytest.fixture(scope="module")
def gateway(upstream: OpenAIStandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A LiteLLM proxy on a free port with the stand-in as upstream; yields its /v1 base URL."""
    executable = shutil.which("litellm", path=str(Path(sys.executable).parent))
    assert executable, "litellm[proxy] is a test dependency: run bash scripts/setup.sh"
    folder = tmp_path_factory.mktemp("litellm")
    (folder / "config.yaml").write_text(
        "model_list:\n  - model_name: stadt-modell\n    litellm_params:\n      model: openai/standin-model\n"
        f"      api_base: {upstream.base_url}\n      api_key: upstream-key\n"
        "litellm_settings:\n  num_retries: 0\n  request_timeout: 30\n"
        f"general_settings:\n  master_key: {MASTER_KEY}\n", encoding="utf-8")
    port = free_port()
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
           "NO_PROXY": "127.0.0.1,localhost"}
    log = (folder / "proxy.log").open("w")
    process = subprocess.Popen([executable, "--config", str(folder / "config.yaml"), "--host", "127.0.0.1",
                                "--port", str(port)], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _alive(port):
            assert process.poll() is None, (folder / "proxy.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "LiteLLM proxy did not start in time"
            time.sleep(0.2)  # polling for readiness, bounded by the deadline above
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _alive(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/liveliness", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def core(config: Config, embedder: Embedder, gateway: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatCore]:
    monkeypatch.setenv("LOTSE_TEST_GATEWAY_KEY", MASTER_KEY)
    config.llm = LlmSettings(enabled=True, base_url=gateway, model="stadt-modell",
                             api_key_env="LOTSE_TEST_GATEWAY_KEY", timeout_seconds=30)
    core = ChatCore(config, Index(config.index, config.search, embedder=embedder))
    yield core
    core.interactions.close()


def test_checked_answer_through_the_litellm_proxy(core: ChatCore, upstream: OpenAIStandIn) -> None:
    upstream.behaviour = Behaviour(reply=lambda p: f"{cited(sentence(p, 1), 1)} Die Durchwahl lautet -4711 [1].")
    seen = len(upstream.requests)
    streamed: list[str] = []
    answer = core.ask("Wie beantrage ich ein Diensthandy?", Asker("gateway"), streamed.append)
    request = upstream.requests[seen]  # what reached the model server through the gateway
    assert request["stream"] is True and "[1] " in request["messages"][1]["content"]
    expected = cited(sentence(passages_in(request["messages"]), 1), 1)
    assert answer.phrased and answer.text == expected  # the invented extension was dropped
    assert streamed == [expected]


def test_gateway_refuses_a_wrong_key_and_the_extractive_answer_goes_out(core: ChatCore, config: Config,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_TEST_GATEWAY_KEY", "sk-wrong")
    wrong_key = ChatCore(replace(config), core.index, core.interactions)
    answer = wrong_key.ask("Wie beantrage ich ein Diensthandy?", Asker("gateway"))
    assert not answer.phrased and "IT-Serviceportal" in answer.text
    assert dict(wrong_key.phraser.stats.fallbacks) == {"http": 1}


def test_upstream_failure_through_the_gateway_gives_the_extractive_answer(core: ChatCore,
                                                                          upstream: OpenAIStandIn) -> None:
    upstream.behaviour = Behaviour(status=500)
    answer = core.ask("Wie beantrage ich ein Diensthandy?", Asker("gateway"))
    assert not answer.phrased and "IT-Serviceportal" in answer.text
    assert sum(core.phraser.stats.fallbacks.values()) == 1
