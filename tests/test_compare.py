"""Cross-source comparison on a small made-up corpus: a wire story, a syndicated copy, a rewrite, a rival
report with other figures, and an unrelated article."""

from __future__ import annotations

import time

from sayso.compare import compare_claims, compare_events, compare_figures, speakers
from sayso.store import Store
from tests.test_store import corpus_store, db_url, fast_analyzer  # noqa: F401  (fixtures)


def test_figures_line_up_values_speakers_and_independence(corpus_store: Store) -> None:  # noqa: F811
    groups = compare_figures(corpus_store, counted="people", place="Lisbon")
    assert len(groups) == 1
    deaths = groups[0]
    assert deaths.counted == "person" and deaths.place == "lisbon"
    assert deaths.articles == 4 and deaths.independent == 2  # the copy and the rewrite are not independent
    assert (deaths.low, deaths.high, deaths.spread) == (40, 42, 2)
    values = {v.value: v for v in deaths.values}
    assert set(values) == {"40", "42"}
    assert values["40"].earliest.ref.article == "wire/flood.txt"
    assert [s.ref.article for s in values["40"].repeated_by] == ["daily/flood.txt", "gazette/flood.txt"]
    assert values["42"].earliest.speaker == "the health ministry"
    assert values["40"].earliest.qualifier == "at least"
    copies = {s.ref.article: s.ref.copy for s in deaths.sources}
    assert copies == {
        "wire/flood.txt": False,
        "daily/flood.txt": True,
        "gazette/flood.txt": True,
        "tribune/flood.txt": False,
    }


def test_time_window_joins_nearby_dates(corpus_store: Store) -> None:  # noqa: F811
    same_day = compare_figures(corpus_store, counted="home")
    assert all(g.articles < 4 for g in same_day)
    window = compare_figures(corpus_store, counted="homes", window=1)
    assert len(window) == 1 and window[0].articles == 4
    assert {v.value for v in window[0].values} == {"1,200", "1,300"}
    assert window[0].time == "2025-03-12/2025-03-13"


def test_unfiltered_figures_and_min_articles(corpus_store: Store) -> None:  # noqa: F811
    groups = compare_figures(corpus_store, window=1)
    assert {g.counted for g in groups} >= {"person", "home"}
    assert all(g.articles >= 2 for g in groups)
    assert not any(g.counted == "fan" for g in groups)  # one article only
    assert any(g.counted == "fan" for g in compare_figures(corpus_store, min_articles=1))


def test_claims_cluster_similar_texts(corpus_store: Store) -> None:  # noqa: F811
    groups = compare_claims(corpus_store, of="quotes")
    top = groups[0]
    assert top.kind == "quotes"
    assert top.independent == 2 and top.articles == 4
    assert {s.ref.outlet for s in top.sources} == {
        "wire.example",
        "daily.example",
        "gazette.example",
        "tribune.example",
    }
    assert compare_claims(corpus_store, of="claims") == []  # the fast profile finds no claims


def test_events_group_by_type_actor_target(corpus_store: Store) -> None:  # noqa: F811
    groups = compare_events(corpus_store)
    assert groups and all(g.type != "other" for g in groups)
    evacuate = [g for g in groups if g.type == "evacuate"]
    assert evacuate and evacuate[0].actor == "emergency crews" and evacuate[0].independent == 1


def test_speakers_by_outlet(corpus_store: Store) -> None:  # noqa: F811
    rows = {r.name: r for r in speakers(corpus_store)}
    mayor = rows["Mayor Ana Costa"]
    assert mayor.quotes == 3 and mayor.articles == 3
    assert {o for o, _ in mayor.outlets} == {"wire.example", "daily.example", "gazette.example"}
    assert "she" not in {r.lower() for r in rows}


def test_compare_query_is_fast_on_a_small_store(corpus_store: Store) -> None:  # noqa: F811
    start = time.perf_counter()
    for _ in range(20):
        compare_figures(corpus_store, counted="people")
    assert (time.perf_counter() - start) / 20 < 0.2
