"""Exact, faster stand-ins for two of spaCy's rule components: the attribute ruler and the rule lemmatizer.

Why: spaCy's ``attribute_ruler`` (the component that maps fine-grained tags to coarse POS and morphology
in the English pipelines) runs a token ``Matcher`` over 179 patterns. On PolNeAR dev it takes about 10% of
the bare pipeline's time, as much as several of sayso's own components together, and its patterns are
fixed-length token tests on one or two attributes ("TAG is VBZ", "LOWER is 'gets' and TAG is VBZ",
"DEP is expl, then LOWER in (is, are, ...)"). Those are answered here by comparing columns of
``Doc.to_array`` (equality, IN, NOT_IN, REGEX); patterns with operators or other keys still go through a
spaCy ``Matcher`` that holds only them. The lemmatizer stand-in is :class:`_MemoLemmatizer`.

What stays exactly as in spaCy (:class:`FastAttributeRuler` subclasses ``AttributeRuler`` and keeps its
patterns, serialisation and ``match``):

* which tokens each rule matches: the matcher's own test (every key of every pattern token must hold) on
  the values the doc has *before* any rule writes;
* the order of writing: rules apply in the order they were added (spaCy sorts matches by rule number),
  so when two rules set the same attribute of a token the later rule wins;
* the values written: each rule's normalised attributes, the morphology added to the vocab as spaCy adds it.

Only rules whose attributes are POS, TAG, MORPH, LEMMA or DEP take the fast path (all 179 of the English
pipelines'); a ruler with any other attribute (extension attributes, entity types...) runs spaCy's code
unchanged. ``tests/test_fast_rules.py`` compares every token attribute against spaCy's own ruler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from spacy.attrs import DEP, IDS, LEMMA, LOWER, MORPH, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

__all__ = ["FastAttributeRuler", "speed_up", "speed_up_attribute_ruler", "speed_up_lemmatizer"]

#: Token attributes a compiled condition may read: string-valued ones compared by hash, and boolean flags.
_STRING_KEYS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "NORM": NORM, "TAG": TAG, "DEP": DEP}
_FLAG_KEYS = ("IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_LOWER")
#: Attributes a rule may write on the fast path: ``Doc.from_array`` sets them with the same
#: ``Token.set_struct_attr`` call as spaCy's ruler (which also offers them to the lexeme, which has none).
_WRITABLE = (POS, TAG, MORPH, LEMMA, DEP)

UIntArray = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Condition:
    """One key of one pattern token, as the Matcher tests it.

    ``kind`` is ``"in"`` (the token's value is one of ``hashes``: plain values and ``IN``), ``"not_in"``
    (``NOT_IN``) or ``"regex"`` (``re.search`` on the value's string, as the Matcher's REGEX predicate).
    """

    attr: int
    kind: str
    hashes: UIntArray
    regex: re.Pattern[str] | None = None


#: A compiled pattern: one list of conditions per token (fixed length: no operators).
_Pattern = list[list[_Condition]]


def _read(doc: Any, attrs: Sequence[int]) -> UIntArray:
    """``doc.to_array`` of ``attrs`` as a (tokens x attrs) uint64 table."""
    table: UIntArray = np.asarray(doc.to_array(list(attrs)), dtype=np.uint64).reshape(len(doc), -1)
    return table


def _write(doc: Any, attrs: Sequence[int], table: UIntArray) -> None:
    """``doc.from_array``: each attribute set with spaCy's ``Token.set_struct_attr``."""
    doc.from_array(list(attrs), np.ascontiguousarray(table, dtype=np.uint64))


class FastAttributeRuler(AttributeRuler):
    """``AttributeRuler`` whose ``__call__`` answers fixed-length patterns from attribute columns."""

    def __init__(self, vocab: Any, name: str = "attribute_ruler", **kwargs: Any) -> None:
        super().__init__(vocab, name, **kwargs)
        self._compiled: list[list[_Pattern]] | None = None  # per rule, its column-tested patterns
        self._rest: Matcher | None = None
        self._columns: list[int] = []
        self._writes: list[dict[int, int]] = []
        self._written: list[int] = []  # every attribute some rule writes
        self._fast_ok = False
        #: per REGEX pattern, whether it matches the string of each value hash seen so far
        self._regex_cache: dict[str, dict[int, bool]] = {}

    # spaCy calls add() for every rule (also when loading from disk): any change invalidates the tables
    def add(self, patterns: Iterable[Any], attrs: dict[Any, Any], index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._compiled = None

    def _compile(self) -> None:
        """Split every rule's patterns into column tests and the rest (kept in a small Matcher)."""
        compiled: list[list[_Pattern]] = []
        rest = Matcher(self.vocab, validate=False)
        columns: set[int] = set()
        writes: list[dict[int, int]] = []
        fast_ok = True
        for rule, attrs in enumerate(self.attrs):
            if any(key not in _WRITABLE for key in attrs):
                fast_ok = False
            # normalised by AttributeRuler.add: MORPH as its hash, POS as its id, strings as hashes
            writes.append({key: int(value) for key, value in attrs.items() if key in _WRITABLE})
            key_name = str(rule)
            patterns = self.matcher.get(key_name)[1] if key_name in self.matcher else []
            simple: list[_Pattern] = []
            complex_patterns: list[Any] = []
            for pattern in patterns:
                tokens = self._compile_pattern(pattern)
                index = self.indices[rule]
                if tokens is None or not -len(tokens) <= index < len(tokens):
                    complex_patterns.append(pattern)  # the Matcher path also raises spaCy's index error
                else:
                    simple.append(tokens)
                    columns.update(c.attr for conditions in tokens for c in conditions)
            if complex_patterns:
                rest.add(key_name, complex_patterns)
            compiled.append(simple)
        self._compiled = compiled
        self._rest = rest if len(rest) else None
        self._columns = sorted(columns)
        self._writes = writes
        self._written = sorted({attr for write in writes for attr in write})
        self._fast_ok = fast_ok

    def _compile_pattern(self, pattern: Sequence[dict[str, Any]]) -> _Pattern | None:
        """Column tests of a pattern, or None when it needs the Matcher (operators, other keys)."""
        tokens: _Pattern = []
        for spec in pattern:
            conditions: list[_Condition] = []
            for raw_key, value in spec.items():
                key = raw_key.upper()
                if key in _STRING_KEYS:
                    condition = self._string_condition(_STRING_KEYS[key], value)
                elif key in _FLAG_KEYS and isinstance(value, bool):
                    condition = _Condition(IDS[key], "in", np.array([int(value)], dtype=np.uint64))
                else:
                    return None  # "OP", "LENGTH", extension attributes...
                if condition is None:
                    return None
                conditions.append(condition)
            if not conditions:
                return None
            tokens.append(conditions)
        return tokens or None

    def _string_condition(self, attr: int, value: Any) -> _Condition | None:
        def hashes(values: Iterable[str]) -> UIntArray:
            return np.array([self.vocab.strings.add(v) for v in values], dtype=np.uint64)

        if isinstance(value, str):
            return _Condition(attr, "in", hashes([value]))
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((op, arg),) = value.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
            return _Condition(attr, op.lower(), hashes(arg))
        if op == "REGEX" and isinstance(arg, str):
            return _Condition(attr, "regex", np.zeros(0, dtype=np.uint64), re.compile(arg))
        return None

    def _test(self, condition: _Condition, column: UIntArray) -> BoolArray:
        if condition.kind == "regex":
            assert condition.regex is not None
            values, inverse = np.unique(column, return_inverse=True)
            known = self._regex_cache.setdefault(condition.regex.pattern, {})
            if len(known) > 200_000:  # a bound for long-running processes; the answers never change
                known.clear()
            found = np.zeros(len(values), dtype=np.bool_)
            for i, value in enumerate(values.tolist()):
                hit = known.get(value)
                if hit is None:
                    hit = known[value] = bool(condition.regex.search(self.vocab.strings[value]))
                found[i] = hit
            result: BoolArray = found[inverse.reshape(-1)]
            return result
        matched: BoolArray = (
            column == condition.hashes[0] if len(condition.hashes) == 1 else np.isin(column, condition.hashes)
        )
        return ~matched if condition.kind == "not_in" else matched

    def _rule_tokens(self, doc: Doc) -> list[npt.NDArray[np.int64]]:
        """Per rule, the indices of the tokens it writes (tested before any rule has written)."""
        assert self._compiled is not None
        n = len(doc)
        table = _read(doc, self._columns) if self._columns else np.zeros((n, 0), np.uint64)
        column = {attr: table[:, i] for i, attr in enumerate(self._columns)}
        extra: dict[int, list[int]] = {}
        if self._rest is not None:
            for match_id, start, end in self._rest(doc, allow_missing=True, as_spans=False):
                rule = int(self.vocab.strings[match_id])
                index = self.indices[rule]
                position = (start if index >= 0 else end) + index
                if not start <= position < end:
                    raise IndexError(f"attribute ruler rule {rule}: index {index} outside its match")
                extra.setdefault(rule, []).append(position)
        out: list[npt.NDArray[np.int64]] = []
        empty = np.zeros(0, dtype=np.int64)
        for rule, patterns in enumerate(self._compiled):
            index = self.indices[rule]
            hits: list[npt.NDArray[np.int64]] = []
            for tokens in patterns:
                length = len(tokens)
                starts = n - length + 1  # a match may start at 0 .. n - length
                if starts <= 0:
                    continue
                mask = np.ones(starts, dtype=np.bool_)
                for offset, conditions in enumerate(tokens):
                    for condition in conditions:
                        mask &= self._test(condition, column[condition.attr][offset : offset + starts])
                found = np.flatnonzero(mask)
                if len(found):
                    hits.append(found + (index if index >= 0 else length + index))
            if rule in extra:
                hits.append(np.array(extra[rule], dtype=np.int64))
            out.append(np.unique(np.concatenate(hits)) if len(hits) > 1 else (hits[0] if hits else empty))
        return out

    def __call__(self, doc: Doc) -> Doc:
        if self._compiled is None:
            self._compile()
        if not self._fast_ok or len(doc) == 0:
            return super().__call__(doc)
        error_handler = self.get_error_handler()
        try:
            values = _read(doc, self._written)
            col = {attr: i for i, attr in enumerate(self._written)}
            for tokens, write in zip(self._rule_tokens(doc), self._writes, strict=True):
                if len(tokens):
                    for attr, value in write.items():
                        values[tokens, col[attr]] = value
            _write(doc, self._written, values)
            return doc
        except Exception as exc:  # spaCy's contract: the pipeline's error handler decides
            return error_handler(self.name, self, [doc], exc)


@Language.factory("sayso_attribute_ruler", default_config={"validate": False})
def make_fast_attribute_ruler(nlp: Language, name: str, validate: bool) -> FastAttributeRuler:
    """The table-driven attribute ruler (empty; :func:`speed_up_attribute_ruler` fills it)."""
    return FastAttributeRuler(nlp.vocab, name, validate=validate)


def speed_up_attribute_ruler(nlp: Language) -> bool:
    """Swap every spaCy ``AttributeRuler`` of ``nlp`` for a :class:`FastAttributeRuler` with its rules.

    Returns whether anything was swapped. The new component keeps the old one's name and place, so
    ``nlp.pipe_names`` and ``nlp.get_pipe("attribute_ruler")`` work as before.
    """
    swapped = False
    for name, component in list(nlp.pipeline):
        if type(component) is not AttributeRuler:
            continue
        rules = component.patterns
        fast: Any = nlp.replace_pipe(name, "sayso_attribute_ruler")
        fast.add_patterns(rules)
        swapped = True
    return swapped


class _MemoLemmatizer:
    """Mixed into a pipeline's own rule lemmatizer class: one dict lookup per token instead of the rules.

    Why: spaCy's rule lemmatizer caches only the words its rules change; for every base form (most
    tokens) it re-reads the token's morphology on every call, about 0.3 s per 80,000 tokens once warm and
    1.2 s cold. Its answer depends only on the token's text, coarse POS and morphology (the tables are
    fixed), so it is kept per ``(ORTH, POS, MORPH)`` after the first time; a token not seen in that
    combination goes through the class's own ``lemmatize``. Tokens whose lemma is already set (by the
    attribute ruler) are left alone unless ``overwrite`` is on, as in spaCy.
    """

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickle as the original class and re-apply the memo on load.

        The subclass is made at run time (:func:`_memo_class`), so pickle cannot find it by name; spaCy
        pipelines are pickled by ``nlp.pipe(n_process=...)`` where processes are spawned, and by users.
        """
        component: Any = self
        memo_cls = type(self)
        component.__class__ = memo_cls.__bases__[1]  # the original class answers the question
        try:
            build, args, *rest = component.__reduce_ex__(protocol)
        finally:
            component.__class__ = memo_cls
        return (_rebuild_with_memo, (build, args), *rest)

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer: Any = self
        if lemmatizer.mode != "rule" or len(doc) == 0:
            return super().__call__(doc)  # type: ignore[misc,no-any-return]
        if not lemmatizer._validated:
            lemmatizer._validate_tables()
        error_handler = lemmatizer.get_error_handler()
        try:
            memo = lemmatizer.__dict__.setdefault("_memo", {})
            if len(memo) > 500_000:  # a bound for long-running processes
                memo.clear()
            table = _read(doc, [ORTH, POS, MORPH, LEMMA])
            lemmas = table[:, 3].copy()
            overwrite = bool(lemmatizer.overwrite)
            strings = doc.vocab.strings
            for i, (orth, pos, morph, lemma) in enumerate(table.tolist()):
                if overwrite or lemma == 0:
                    key = (orth, pos, morph)
                    found = memo.get(key)
                    if found is None:
                        found = memo[key] = strings.add(lemmatizer.lemmatize(doc[i])[0])
                    lemmas[i] = found
            _write(doc, [LEMMA], lemmas.reshape(-1, 1))
            return doc
        except Exception as exc:
            return error_handler(lemmatizer.name, lemmatizer, [doc], exc)  # type: ignore[no-any-return]


_MEMO_CLASSES: dict[type, type] = {}


def _memo_class(cls: type) -> type:
    """The memo subclass of a lemmatizer class (one per class, so pickled copies share it)."""
    memo = _MEMO_CLASSES.get(cls)
    if memo is None:
        memo = _MEMO_CLASSES[cls] = type(f"Memo{cls.__name__}", (_MemoLemmatizer, cls), {})
    return memo


def _rebuild_with_memo(build: Any, args: Any) -> Any:
    """Unpickling: build the original lemmatizer, then give it the memo again."""
    component = build(*args)
    component.__class__ = _memo_class(type(component))
    return component


def speed_up_lemmatizer(nlp: Language) -> bool:
    """Give every rule-mode spaCy ``Lemmatizer`` of ``nlp`` the per-token memo of :class:`_MemoLemmatizer`.

    The component stays the same object of (a subclass of) its own class, so language-specific rules
    (``EnglishLemmatizer.is_base_form``), its tables and its serialisation are untouched.
    """
    swapped = False
    for _, component in nlp.pipeline:
        cls = type(component)
        if not isinstance(component, Lemmatizer) or issubclass(cls, _MemoLemmatizer):
            continue
        if getattr(component, "mode", None) != "rule":
            continue
        component.__class__ = _memo_class(cls)
        swapped = True
    return swapped


def speed_up(nlp: Language) -> Language:
    """Both exact speed-ups for a loaded spaCy pipeline (in place); annotations stay identical."""
    speed_up_attribute_ruler(nlp)
    speed_up_lemmatizer(nlp)
    return nlp
