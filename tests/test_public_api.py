"""The public API is deliberately small; this test fails when it grows or shrinks by accident."""

import inspect

import sayso


def test_public_names_are_locked() -> None:
    assert sorted(sayso.__all__) == sorted(
        [
            "SCHEMA_ID",
            "Analysis",
            "Analyzer",
            "Article",
            "ConfigError",
            "InputError",
            "SaysoError",
            "__version__",
            "analyze",
            "json_schema",
        ]
    )
    for name in sayso.__all__:
        assert hasattr(sayso, name), name


def test_analyze_signature() -> None:
    params = inspect.signature(sayso.analyze).parameters
    assert list(params) == ["text", "title", "url", "published"]
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in ("title", "url", "published"))


def test_analyze_many_signature() -> None:
    params = inspect.signature(sayso.Analyzer.analyze_many).parameters
    assert list(params) == ["self", "items", "n_process", "batch_size", "as_tuples"]


def test_schema_id() -> None:
    assert sayso.SCHEMA_ID == "sayso/1"
