"""The sayso/1 contract: field names, aliases, the offset check, and the JSON Schema."""

from __future__ import annotations

import jsonschema
import pytest

import sayso
from sayso.errors import SaysoError
from sayso.schema import Analysis, Entity, Span, json_schema

MINIMUM_FIELDS = {
    "schema",
    "text",
    "title",
    "url",
    "published",
    "language",
    "dateline",
    "source_chain",
    "entities",
    "attributions",
    "quantities",
    "times",
    "events",
    "claims",
    "techniques",
}


def test_minimum_fields_present_and_aliased() -> None:
    data = Analysis(text="Hello.").to_dict()
    assert set(data) >= MINIMUM_FIELDS
    assert data["schema"] == "sayso/1"


def test_span_must_match_text() -> None:
    Analysis(text="Paris is big.", entities=[Entity(start=0, end=5, text="Paris", label="GPE")])
    with pytest.raises(SaysoError) as info:
        Analysis(text="Paris is big.", entities=[Entity(start=1, end=5, text="Paris", label="GPE")])
    assert info.value.code == "E008"
    with pytest.raises(SaysoError):
        Analysis(text="short", entities=[Entity(start=3, end=9, text="rt", label="GPE")])


def test_json_schema_accepts_real_output_and_rejects_broken(analyzer: sayso.Analyzer) -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    data = analyzer.analyze(
        "BERLIN (Reuters) - Germany's chancellor said on Monday that talks would go on."
    ).to_dict()
    jsonschema.validate(data, schema)
    broken = dict(data, entities=[{"start": "zero", "end": 1, "text": "x", "label": "ORG"}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(data, schema="sayso/2"), schema)


def test_round_trip() -> None:
    original = Analysis(
        text="Paris is big.",
        published="2024-06-04",
        entities=[Entity(start=0, end=5, text="Paris", label="GPE")],
    )
    again = Analysis.model_validate_json(original.to_json())
    assert again == original
    assert isinstance(original.entities[0], Span)
