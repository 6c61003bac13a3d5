"""sayso's spaCy components, one module per concern.

Each module registers its factory with ``Language.factory`` on import; the ``spacy_factories`` entry
points in pyproject.toml let spaCy import them on demand, so ``nlp.add_pipe("sayso_dateline")`` works
in any pipeline. Importing this package registers them all.
"""

from sayso.components import (
    attribution,
    claims,
    dateline,
    encoder,
    entities,
    events,
    quantities,
    rhetoric,
    sources,
    timex,
)
from sayso.components._common import register_extensions

register_extensions()

# Order matters: later components read what earlier ones wrote.
COMPONENT_ORDER: tuple[str, ...] = (
    "sayso_dateline",
    "sayso_timex",
    "sayso_entities",
    "sayso_sources",
    "sayso_encoder",
    "sayso_attribution",
    "sayso_quantities",
    "sayso_events",
    "sayso_rhetoric",
    "sayso_claims",
)
# Components that run a trained model, or only read one's output: the "fast" profile leaves them out.
MODEL_COMPONENTS: frozenset[str] = frozenset({"sayso_encoder", "sayso_rhetoric", "sayso_claims"})

__all__ = [
    "COMPONENT_ORDER",
    "MODEL_COMPONENTS",
    "attribution",
    "claims",
    "dateline",
    "encoder",
    "entities",
    "events",
    "quantities",
    "register_extensions",
    "rhetoric",
    "sources",
    "timex",
]
