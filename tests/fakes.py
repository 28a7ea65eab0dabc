"""Deterministic stand-ins for models, for fast unit tests."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from langchain_core.embeddings import Embeddings


class HashEmbedder(Embeddings):
    """Bag of character bigrams hashed into 256 dimensions: similar wording → similar vectors."""

    model_name = "hash-bigrams"
    dimension = 256

    def _vector(self, text: str) -> list[float]:
        text = re.sub(r"\s+", "", text)
        vec = np.zeros(self.dimension, dtype=np.float32)
        for i in range(max(1, len(text) - 1)):
            gram = text[i : i + 2]
            vec[int(hashlib.md5(gram.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = float(np.linalg.norm(vec)) or 1.0
        return (vec / norm).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
