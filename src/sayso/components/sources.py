"""Placeholder: being written (issue 2)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.factory("sayso_sources")
def make_sources(nlp: Language, name: str) -> object:
    def component(doc: Doc) -> Doc:
        return doc

    return component
