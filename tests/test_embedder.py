"""The bundled embedder: WordPiece ids, the model file's hash check, and meaning in its vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.ai_content.embedder import (
    MINILM_ONNX_SHA256,
    OnnxMiniLM,
    configured_embedder,
    minilm_onnx_path,
    verified_model,
)
from tidings.ai_content.wordpiece import minilm_wordpiece


def test_wordpiece_matches_berts_uncased_tokenizer() -> None:
    # Ids as `tokenizers` gives them with all-MiniLM-L6-v2's tokenizer.json: accents stripped,
    # punctuation split off, `git` as `gi ##t`, ideographs one by one.
    ids = minilm_wordpiece().encode("Café refunds: git-rebase(1) 日本", 256)
    assert ids == [101, 7668, 25416, 26698, 1024, 21025, 2102, 1011, 2128, 15058, 1006, 1015, 1007, 1864, 1876, 102]
    assert len(minilm_wordpiece().encode("word " * 1000, 256)) == 256


def test_a_model_file_that_is_not_the_expected_one_is_refused(tmp_path: Path) -> None:
    tampered = tmp_path / "model.onnx"
    tampered.write_bytes(minilm_onnx_path().read_bytes()[:-1] + b"\x00")
    with pytest.raises(RuntimeError, match="sha256"):
        verified_model(tampered, MINILM_ONNX_SHA256)
    with pytest.raises(RuntimeError, match="sha256"):
        OnnxMiniLM(path=tampered).embed_sync(["anything"])


def test_the_default_embedder_is_the_bundled_model_and_none_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    configured_embedder.cache_clear()
    monkeypatch.delenv("TIDINGS_EMBEDDER", raising=False)
    assert isinstance(configured_embedder(), OnnxMiniLM)
    configured_embedder.cache_clear()
    monkeypatch.setenv("TIDINGS_EMBEDDER", "none")
    assert configured_embedder() is None
    configured_embedder.cache_clear()


def test_vectors_carry_meaning() -> None:
    vectors = OnnxMiniLM().embed_sync(
        [
            "How long do refunds take?",
            "Refunds are paid back within 11 business days to the original card.",
            "How do I change my billing address?",
        ]
    )
    assert vectors.shape == (3, 384)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-5
    assert float(vectors[0] @ vectors[1]) > 0.5 > float(vectors[0] @ vectors[2])


def test_the_numpy_runtime_carries_the_same_meaning() -> None:
    # The default install runs the model on numpy alone; its vectors must be the model's.
    texts = [
        "How long do refunds take?",
        "Refunds are paid back within 11 business days to the original card.",
        "How do I change my billing address?",
    ]
    vectors = OnnxMiniLM(runtime="numpy").embed_sync(texts)
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > 0.5 > float(vectors[0] @ vectors[2])
    # The first dimensions onnxruntime 1.29 gives for these texts (rounded to 5 places).
    onnxruntime_gives = [
        [-0.06728, -0.00227, 0.04614, 0.01580, 0.04140, -0.05645],
        [-0.08601, 0.05526, 0.03888, 0.01138, 0.02073, -0.01620],
        [0.00315, 0.01815, 0.01510, -0.03940, -0.04670, -0.02479],
    ]
    assert float(abs(vectors[:, :6] - onnxruntime_gives).max()) < 2e-5
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return
    reference = OnnxMiniLM(runtime="onnxruntime").embed_sync(texts)
    assert float(abs(vectors - reference).max()) < 1e-5


def test_the_numpy_runtime_refuses_operators_it_does_not_know() -> None:
    from tidings.ai_content.onnx_numpy import NumpySession

    # A graph (field 7) with one node (field 1) whose op_type (field 4) is "Conv".
    node = b"\x22\x04Conv"
    graph = b"\x0a" + bytes([len(node)]) + node
    with pytest.raises(ValueError, match="Conv"):
        NumpySession(b"\x3a" + bytes([len(graph)]) + graph)
