"""Exact and near-duplicate detection for ingest.

Wire stories are syndicated: the same Reuters or AP text appears on many sites, sometimes byte for byte,
sometimes with a new headline or a trimmed last paragraph. Counting each copy as an independent source
would inflate how many outlets "confirm" a figure, so ingest puts copies into one story cluster:

* exact copies share a :func:`content_hash` (SHA-256 of the whitespace-normalised text);
* near-duplicates are found with MinHash LSH (datasketch; 128 permutations over word 5-shingles,
  Jaccard threshold 0.8), the standard cheap approximation of shingle-set similarity.

The MinHash signature of every stored article is kept in the store, so that a resumed ingest rebuilds the
LSH index from the database instead of re-reading texts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
NEAR_DUPLICATE_THRESHOLD = 0.8
#: datasketch's permutation scheme, named explicitly: stored signatures are only comparable with
#: signatures of the same scheme, so a change of default in datasketch must not change ours silently.
SCHEME = "affine32"

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the text with whitespace runs collapsed (re-wrapped copies stay exact)."""
    return hashlib.sha256(_SPACE.sub(" ", text).strip().encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word ``size``-grams; a text shorter than ``size`` words is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str, num_perm: int = NUM_PERM) -> MinHash:
    """MinHash signature of the text's word shingles."""
    signature = MinHash(num_perm=num_perm, scheme=SCHEME)
    signature.update_batch([s.encode("utf-8") for s in shingles(text)])
    return signature


def signature_bytes(signature: MinHash) -> bytes:
    """The signature as little-endian uint64 bytes (what the store keeps)."""
    return np.asarray(signature.hashvalues, dtype="<u8").tobytes()


def signature_from_bytes(data: bytes, num_perm: int = NUM_PERM) -> MinHash:
    """Rebuild a stored signature (seed and permutations are datasketch's defaults, as when it was made)."""
    values = np.frombuffer(data, dtype="<u8").astype(np.uint64)
    return MinHash(num_perm=num_perm, hashvalues=values, scheme=SCHEME)


@dataclass(frozen=True)
class Match:
    """What a new text duplicates: the earlier document's key, and how (``exact`` or ``near``)."""

    key: str
    kind: str
    similarity: float


class Deduplicator:
    """Remembers the texts seen so far (by key, e.g. a locator) and tells whether a new one repeats one.

    ``add`` a text after deciding about it; ``check`` a new text first. Exact matches win over near
    ones; among near matches the most similar earlier text wins (ties: the one added first).
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[str, MinHash] = {}
        self._order: dict[str, int] = {}
        self._hashes: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, key: object) -> bool:
        return key in self._order

    def check(self, digest: str, signature: MinHash | None) -> Match | None:
        """The earlier text this one copies (same ``digest``) or nearly copies (MinHash), else None."""
        exact = self._hashes.get(digest)
        if exact is not None:
            return Match(exact, "exact", 1.0)
        if signature is None:
            return None
        best: Match | None = None
        for key in self._lsh.query(signature):
            similarity = float(signature.jaccard(self._signatures[key]))
            if similarity < self.threshold:
                continue
            if (
                best is None
                or similarity > best.similarity
                or (similarity == best.similarity and self._order[key] < self._order[best.key])
            ):
                best = Match(key, "near", similarity)
        return best

    def add(self, key: str, digest: str, signature: MinHash | None, *, original: bool = True) -> None:
        """Remember a text. Copies (``original=False``) are not indexed: their original already is."""
        if key in self._order:
            return
        self._order[key] = len(self._order)
        if not original:
            return
        self._hashes.setdefault(digest, key)
        if signature is not None:
            self._signatures[key] = signature
            self._lsh.insert(key, signature)
