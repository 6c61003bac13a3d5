"""sayso: who says what, on whose say-so, with which figures, about which events, when and where.

The public API is small and locked by a test (tests/test_public_api.py)::

    import sayso
    analysis = sayso.analyze(text, published="2024-06-04")
    analysis.attributions, analysis.source_chain, analysis.to_json()

sayso describes what texts say and who says it; it never judges whether a claim is true.
"""

__version__ = "0.1.0"

from sayso._analyzer import Analyzer, analyze
from sayso.errors import ConfigError, InputError, SaysoError
from sayso.ingest import Article
from sayso.schema import SCHEMA_ID, Analysis, json_schema

__all__ = [
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
