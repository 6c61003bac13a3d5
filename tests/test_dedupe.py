"""Exact and near-duplicate detection (content hash, MinHash LSH) and the grouping keys."""

from __future__ import annotations

from sayso.ingest._dedupe import (
    Deduplicator,
    content_hash,
    minhash,
    shingles,
    signature_bytes,
    signature_from_bytes,
)
from sayso.store import normalise_noun, speaker_key
from tests.test_store import FLOOD, FLOOD_OTHER, FLOOD_REWRITE, FOOTBALL


def test_content_hash_ignores_whitespace_layout_only() -> None:
    assert content_hash("A  b\nc ") == content_hash("A b c")
    assert content_hash("A b c") != content_hash("A b d")


def test_shingles_are_word_five_grams() -> None:
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Short text") == {"short text"}


def test_signature_survives_the_store_round_trip() -> None:
    signature = minhash(FLOOD)
    again = signature_from_bytes(signature_bytes(signature))
    assert again.jaccard(signature) == 1.0
    assert again.jaccard(minhash(FLOOD_REWRITE)) > 0.8


def test_exact_near_and_different() -> None:
    dedup = Deduplicator()
    dedup.add("wire", content_hash(FLOOD), minhash(FLOOD))
    exact = dedup.check(content_hash(FLOOD), minhash(FLOOD))
    assert exact is not None and exact.kind == "exact" and exact.key == "wire"
    near = dedup.check(content_hash(FLOOD_REWRITE), minhash(FLOOD_REWRITE))
    assert near is not None and near.kind == "near" and near.key == "wire" and near.similarity < 1
    assert dedup.check(content_hash(FLOOD_OTHER), minhash(FLOOD_OTHER)) is None
    assert dedup.check(content_hash(FOOTBALL), minhash(FOOTBALL)) is None


def test_near_duplicates_chain_through_indexed_copies() -> None:
    """A near-duplicate is indexed too, so a text close to it (but not to the first) still matches."""
    dedup = Deduplicator()
    words = [f"w{i}" for i in range(200)]
    first = " ".join(words)
    second_words = words[:186] + [f"x{i}" for i in range(14)]  # last 14 words rewritten
    third_words = [f"y{i}" for i in range(14)] + second_words[14:]  # then the first 14 too
    second, third = " ".join(second_words), " ".join(third_words)
    dedup.add("1", content_hash(first), minhash(first))
    match = dedup.check(content_hash(second), minhash(second))
    assert match is not None and match.key == "1"
    dedup.add("2", content_hash(second), minhash(second))
    assert minhash(third).jaccard(minhash(first)) < 0.8  # too far from the first text alone
    match = dedup.check(content_hash(third), minhash(third))
    assert match is not None and match.key == "2"


def test_grouping_keys() -> None:
    assert normalise_noun("homes") == normalise_noun("home") == "home"
    assert normalise_noun("houses") != normalise_noun("homes")
    assert normalise_noun("the people") == "person"
    assert normalise_noun("injured civilians") == "injured civilian"
    assert normalise_noun("families") == "family"
    assert speaker_key("she") is None
    assert speaker_key("The Ministry's") == "ministry"
