"""Shared fixtures: a copy of the sample knowledge base and a real index built once per session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import Config
from indexer import IndexSettings, build_index
from indexer.embedder import Embedder, load_embedder

REPO = Path(__file__).resolve().parent.parent
SAMPLE_KNOWLEDGE = REPO / "knowledge"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real default embedding model, loaded once for the whole session."""
    return load_embedder(IndexSettings().model)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The sample knowledge base indexed once; tests get their own copies of it."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE_KNOWLEDGE, root / "knowledge")
    build_index(IndexSettings(knowledge_dir=root / "knowledge", data_dir=root / "var", progress=False), embedder=embedder)
    return root


@pytest.fixture
def config(tmp_path: Path, sample_build: Path) -> Config:
    """A Config whose knowledge and data folders are private copies of the built sample index."""
    shutil.copytree(sample_build / "knowledge", tmp_path / "knowledge")
    shutil.copytree(sample_build / "var", tmp_path / "var")
    config = Config()
    config.index.knowledge_dir = tmp_path / "knowledge"
    config.index.data_dir = tmp_path / "var"
    config.index.progress = False
    return config
