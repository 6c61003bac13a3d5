"""Builds sayso's spaCy pipeline: an installed base pipeline plus sayso's components.

Profiles name which sayso components run. ``fast`` is the rules-only set; ``full`` adds trained models
as later capabilities ship them. Both share the one parse of the base pipeline.
"""

from __future__ import annotations

import spacy
from spacy.language import Language

from sayso import _fast_rules
from sayso import components as _components
from sayso.errors import ConfigError, ErrorCode
from sayso.settings import MODEL, PROFILE, spacy_stand_ins

PROFILES: dict[str, tuple[str, ...]] = {
    "fast": tuple(c for c in _components.COMPONENT_ORDER if c not in _components.MODEL_COMPONENTS),
    "full": _components.COMPONENT_ORDER,
}


def load_base(model: str | None = None, *, speed_up: bool | None = None) -> Language:
    """Load an installed spaCy pipeline by package name or path (default: setting SAYSO_MODEL).

    ``speed_up`` swaps in sayso's exact stand-ins for spaCy's attribute ruler and rule lemmatizer
    (:mod:`sayso._fast_rules`): the same annotations on every token, in about a tenth of their time.
    Default: setting SAYSO_SPACY_STAND_INS (on).
    """
    name = model or MODEL.value()
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ConfigError(ErrorCode.E005, name=name) from exc
    use = spacy_stand_ins() if speed_up is None else speed_up
    return _fast_rules.speed_up(nlp) if use else nlp


def add_sayso_components(nlp: Language, profile: str | None = None) -> Language:
    """Append the profile's sayso components to ``nlp`` (in place), skipping any already present."""
    chosen = profile or PROFILE.value()
    if chosen not in PROFILES:
        raise ConfigError(ErrorCode.E006, name=chosen, choices=", ".join(PROFILES))
    for name in PROFILES[chosen]:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


def build_pipeline(model: str | None = None, profile: str | None = None) -> Language:
    """The base pipeline with sayso's components for ``profile`` added after it."""
    return add_sayso_components(load_base(model), profile)
