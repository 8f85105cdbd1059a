"""State is a fold of the journal: replaying the same records gives the same floor."""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest

from ticketing import commands as cmd
from ticketing import state as st
from ticketing.errors import Refusal
from ticketing.events import Recorded, decode_event, encode_event
from ticketing.state import FloorState

from .helpers import MONDAY, Floor, allday_with


def snapshot(state: FloorState) -> dict[str, Any]:
    """Everything the fold keeps, as plain values, plus what the queries derive from it."""
    return {
        "day": state.day,
        "last_event_id": state.last_event_id,
        "tickets": {k: msgspec.structs.asdict(t) for k, t in state.tickets.items()},
        "counters": {k: msgspec.structs.asdict(c) for k, c in state.counters.items()},
        "queues": {
            k: {
                "next_seq": q.next_seq,
                "priority": [t.id for t in q.priority],
                "regular": [t.id for t in q.regular],
                "streak": q.priority_streak,
                "service_seconds": list(q.service_seconds),
            }
            for k, q in state.queues.items()
        },
        "issued_per_service": dict(state.issued_per_service),
        "recent_calls": list(state.recent_calls),
        "positions": {q: st.positions(state, q) for q in state.queues},
        "estimates": {q: [st.estimate_minutes(state, q, p) for p in (1, 5)] for q in state.queues},
        "statuses": {k: t.status for k, t in state.tickets.items()},
    }


ACTIONS = (
    *("issue", "issue", "issue", "call", "call", "recall", "start", "finish", "finish", "no_show", "transfer"),
    *("return", "specific", "pause", "close", "open", "cancel"),
)


def busy_day(seed: int, steps: int = 250) -> Floor:
    """A random but reproducible day: visitors arrive, counters call, serve, transfer, pause..."""
    rng = random.Random(seed)
    floor = Floor(allday_with(priority_max_in_row=2, recall_limit=2))
    services = list(floor.mall.services)
    counters = list(floor.mall.counters)
    for _ in range(steps):
        counter = rng.choice(counters)
        action = rng.choice(ACTIONS)
        waiting = [t.id for t in floor.state.tickets.values() if t.status == "waiting"]
        try:
            if action == "issue":
                floor.issue(rng.choice(services), priority=rng.choice([None, None, "elderly", "disabled"]))
            elif action == "call":
                floor.run(cmd.call_next, counter_id=counter)
            elif action == "recall":
                floor.run(cmd.recall, counter_id=counter)
            elif action == "start":
                floor.run(cmd.start_service, counter_id=counter)
            elif action == "finish":
                floor.run(cmd.finish, counter_id=counter, now=floor.tick(rng.randint(1, 15)))
            elif action == "no_show":
                floor.run(cmd.no_show, counter_id=counter)
            elif action == "transfer":
                floor.run(cmd.transfer, counter_id=counter, service_id=rng.choice(services))
            elif action == "return":
                floor.run(cmd.return_to_queue, counter_id=counter)
            elif action == "specific" and waiting:
                floor.run(cmd.call_specific, counter_id=counter, ticket_id=rng.choice(waiting))
            elif action == "pause":
                floor.run(cmd.pause_counter, counter_id=counter, reason=rng.choice(["", "istirahat"]))
            elif action == "close":
                floor.run(cmd.close_counter, counter_id=counter)
            elif action == "open":
                floor.run(cmd.open_counter, counter_id=counter)
            elif action == "cancel" and waiting:
                floor.run(cmd.cancel_ticket, ticket_id=rng.choice(waiting))
        except Refusal:
            pass
    return floor


@pytest.fixture(scope="module")
def day() -> Floor:
    floor = busy_day(7)
    statuses = {t.status for t in floor.state.tickets.values()}
    assert statuses >= {"waiting", "served", "no_show", "cancelled"}  # the day exercised the whole fold
    assert sum(t.transfers for t in floor.state.tickets.values()) > 0
    return floor


def test_replay_equals_the_state_built_step_by_step(day: Floor) -> None:
    replayed = st.replay(day.mall, MONDAY, day.records)
    assert snapshot(replayed) == snapshot(day.state)
    assert replayed.last_event_id == len(day.records)


def test_folding_the_same_records_twice_changes_nothing(day: Floor) -> None:
    state = st.replay(day.mall, MONDAY, day.records)
    before = snapshot(state)
    for record in day.records:
        st.apply(state, record)
    assert snapshot(state) == before
    for record in day.records[len(day.records) // 2 :]:
        st.apply(state, record)
    assert snapshot(state) == before


def test_replay_in_two_halves_with_overlap(day: Floor) -> None:
    half = len(day.records) // 2
    state = st.replay(day.mall, MONDAY, day.records[:half])
    for record in day.records[half - 10 :]:  # a reconnecting reader sees some records again
        st.apply(state, record)
    assert snapshot(state) == snapshot(day.state)


def test_replay_through_the_journal_encoding(day: Floor) -> None:
    decoded = [Recorded(r.id, r.day, decode_event(encode_event(r.event))) for r in day.records]
    assert [r.event for r in decoded] == [r.event for r in day.records]
    assert snapshot(st.replay(day.mall, MONDAY, decoded)) == snapshot(day.state)


def test_replay_after_a_base_id_skips_older_records(day: Floor) -> None:
    # ids of earlier days are never reused: today's journal starts after them
    offset = 1000
    shifted = [Recorded(r.id + offset, r.day, r.event) for r in day.records]
    state = st.replay(day.mall, MONDAY, shifted, last_event_id=offset)
    assert state.last_event_id == offset + len(day.records)
    expected = snapshot(day.state)
    got = snapshot(state)
    expected["last_event_id"] = got["last_event_id"]
    expected["recent_calls"] = [
        msgspec.structs.replace(c, event_id=c.event_id + offset) for c in expected["recent_calls"]
    ]
    assert got == expected
    ignored = st.replay(day.mall, MONDAY, shifted, last_event_id=offset + len(shifted))
    assert ignored.tickets == {}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replay_matches_on_other_days(seed: int) -> None:
    floor = busy_day(seed, steps=150)
    assert snapshot(st.replay(floor.mall, MONDAY, floor.records)) == snapshot(floor.state)


def test_replayed_floor_decides_like_the_live_one(day: Floor) -> None:
    replayed = st.replay(day.mall, MONDAY, day.records)
    now = day.tick()
    for counter in day.mall.counters:
        try:
            live = cmd.call_next(day.state, counter_id=counter, now=now)
        except Refusal as exc:
            with pytest.raises(type(exc)):
                cmd.call_next(replayed, counter_id=counter, now=now)
            continue
        assert cmd.call_next(replayed, counter_id=counter, now=now) == live
    assert day.issue().number == cmd.issue_ticket(replayed, service_id="ktp-el", ticket_id="z", now=now)[0].number  # type: ignore[attr-defined]


def test_small_scripted_day_replays() -> None:
    floor = Floor()
    floor.issue()
    a2 = floor.issue(priority="elderly")
    floor.issue("paspor-baru")
    assert floor.call("loket-2").ticket_id == a2.ticket_id  # type: ignore[union-attr]
    floor.run(cmd.recall, counter_id="loket-2")
    floor.run(cmd.start_service, counter_id="loket-2")
    floor.run(cmd.transfer, counter_id="loket-2", service_id="paspor-baru")
    assert floor.call("loket-3").number == "A002"  # type: ignore[union-attr]
    floor.serve("loket-3", minutes=5)
    floor.run(cmd.pause_counter, counter_id="loket-2", reason="sholat")
    replayed = st.replay(floor.mall, MONDAY, floor.records)
    assert snapshot(replayed) == snapshot(floor.state)
    assert replayed.counters["loket-2"].pause_reason == "sholat"
    assert replayed.tickets[a2.ticket_id].transfers == 1
    assert replayed.tickets[a2.ticket_id].status == "served"
    assert list(replayed.queues["imigrasi"].service_seconds) == [300.0]
    assert st.positions(replayed, "imigrasi") == {floor.ticket_id_of("B001"): 1}
    assert st.positions(replayed, "dukcapil") == {floor.ticket_id_of("A001"): 1}
    assert [r.id for r in floor.records] == list(range(1, len(floor.records) + 1))
