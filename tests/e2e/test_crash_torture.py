"""Crash torture: SIGKILL the real server at random moments under concurrent load, round after round.

Each round starts the real server (`python -m server`, tests/allday.toml) on the same SQLite journal,
runs issuers and counter workers against it concurrently (each an admin session: tickets for every
service, call-next / call / recall / start / finish / no-show / transfer / return / open / pause /
close on loket-1..3, most requests with an Idempotency-Key as the pages send them) for a random
0.05-0.6 s, and kills it with SIGKILL while requests are in flight. A request answered before the kill
is *acknowledged*; one without an answer may or may not have been committed, but never twice.

After each kill, with the server dead, the journal file itself is read (sqlite3, read-only) and folded
by an independent oracle in this file, which checks:

- event ids run 1..N without a gap; days never go backwards;
- per queue and day, numbers run 1, 2, 3... in journal order (so a number never repeats and numbering
  continues after the highest one, acknowledged or not), each ticket id is issued once, quotas hold;
- every transition is legal (a ticket is called only while waiting, by a free counter serving its
  queue; started only when called; served only when serving; a served or no-show ticket never moves
  again), so no ticket is ever held by two counters and a counter holds at most one ticket;
- every acknowledged ticket is there once, with its number; every acknowledged counter action has its
  event, and the ticket's state right after that event is the one the client was told;
- every Idempotency-Key's events come from one single append (a retry never has a second effect).

Then the server is started again and compared with that fold: `GET /api/floor` (last event id, each
queue's waiting count and next numbers, each counter's status and ticket, recent calls) and
`GET /api/tickets/{id}` for every ticket acknowledged or acted on in the round, every held ticket and
a random sample (every ticket of the day at the end). Requests left unanswered by the kill are then
retried with the same Idempotency-Key: a committed one must be answered with the same ticket, without
a second event. After the last round the server is stopped cleanly and the journal checked once more
(integrity_check included).

Environment:

    ANTRIAN_CRASH_ROUNDS  kill rounds (default 30, about 40-50 s on 2 cores); e.g. 200 for a soak run (about 5 min)
    ANTRIAN_CRASH_SEED    seed of every random choice (default: a fresh one, printed at the start and
                          repeated in every failure). Timing still varies between runs, so a seed
                          replays the same choices and kill moments, not always the same interleaving.

    ANTRIAN_CRASH_ROUNDS=200 ANTRIAN_CRASH_SEED=1234 .venv/bin/python -m pytest tests/e2e/test_crash_torture.py -q -s
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from config.loader import load_config
from server.views import NEXT_NUMBERS_SHOWN
from tests.support import ALLDAY, ServerProcess, alogin

ROUNDS = int(os.environ.get("ANTRIAN_CRASH_ROUNDS") or 30)
SEED = os.environ.get("ANTRIAN_CRASH_SEED")
ISSUERS, WORKERS = 3, 2
LOAD_SECONDS = (0.05, 0.6)
SAMPLE_PER_ROUND = 10  # extra tickets read back through the API each round, besides the round's own

MALL = load_config(ALLDAY).mall
SERVICES = list(MALL.services)
SERVICE_QUEUE = {s.id: s.queue_id for s in MALL.services.values()}
QUOTA = {s.id: s.daily_quota for s in MALL.services.values() if s.daily_quota is not None}
PREFIX = {q.id: q.prefix for q in MALL.queues.values()}
COUNTER_QUEUES = {c.id: c.queue_ids for c in MALL.counters.values()}
COUNTERS = list(COUNTER_QUEUES)
RECALL_LIMIT = MALL.site.recall_limit
PRIORITIES = ("elderly", "disabled", "pregnant_or_child")
ISSUE_WEIGHTS = {"ktp-el": 4, "akta-kelahiran": 3, "paspor-baru": 1, "penggantian-paspor": 2}

WAITING, CALLED, SERVING, SERVED, NO_SHOW, CANCELLED = "waiting", "called", "serving", "served", "no_show", "cancelled"
HELD = (CALLED, SERVING)
OPEN, PAUSED, CLOSED = "open", "paused", "closed"

# A counter action acknowledged with 200: the ticket states it may answer, and the events it appends.
TICKET_ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "call-next": ((CALLED,), ("ticket_called",)),
    "call": ((CALLED,), ("ticket_called",)),
    "recall": ((CALLED, NO_SHOW), ("ticket_recalled", "ticket_no_show")),
    "start": ((SERVING,), ("service_started",)),
    "finish": ((SERVED,), ("ticket_served",)),
    "no-show": ((NO_SHOW,), ("ticket_no_show",)),
    "transfer": ((WAITING,), ("ticket_transferred",)),
    "return": ((WAITING,), ("ticket_returned",)),
}
COUNTER_ACTIONS = {
    "open": (OPEN, "counter_opened"),
    "pause": (PAUSED, "counter_paused"),
    "close": (CLOSED, "counter_closed"),
}
ACTIONS = [*TICKET_ACTIONS, *COUNTER_ACTIONS]
BUSY = re.compile(r"still has (\S+) \((called|serving)\)")  # a counter_busy refusal names what the counter holds
CONFLICT_CODES = {
    "no_current_ticket",
    "counter_busy",
    "not_waiting",
    "wrong_queue",
    "not_called",
    "already_started",
    "not_started",
    "closed",
}


# --- the oracle: an independent fold of the journal file --------------------------------------


@dataclass
class Ticket:
    id: str
    number: str
    seq: int
    day: str
    queue_id: str  # where it waits now (a transfer moves it)
    service_id: str
    event_id: int  # its ticket_issued
    key: str | None
    numbered_in: str  # the queue that gave its number
    status: str = WAITING
    counter_id: str | None = None
    recalls: int = 0


@dataclass
class Day:
    tickets: dict[str, Ticket] = field(default_factory=dict)
    holders: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(COUNTERS))
    counters: dict[str, str] = field(default_factory=lambda: dict.fromkeys(COUNTERS, CLOSED))
    seqs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    issued: Counter[str] = field(default_factory=Counter)
    by_number: dict[str, Ticket] = field(default_factory=dict)  # the first ticket given each number


@dataclass
class Event:
    id: int
    day: str
    type: str
    body: dict[str, Any]
    key: str | None


def client_key(request_key: str) -> str:
    """The client's Idempotency-Key inside the server's "<who> <method> <path> <key>|<fingerprint>"."""
    return request_key.rpartition("|")[0].rsplit(" ", 1)[-1]


@dataclass
class Journal:
    """What the journal file holds, folded; `problems` lists everything impossible in it."""

    events: list[Event] = field(default_factory=list)
    days: dict[str, Day] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    groups: dict[str, list[Event]] = field(default_factory=lambda: defaultdict(list))  # client key -> its events
    keyless: dict[tuple[str, str, str], list[Event]] = field(default_factory=lambda: defaultdict(list))
    after: dict[int, tuple[str, str | None, str, str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    integrity: str = ""

    @property
    def last_id(self) -> int:
        return self.events[-1].id if self.events else 0

    def max_seqs(self) -> dict[tuple[str, str], int]:
        return {(day, q): n for day, d in self.days.items() for q, n in d.seqs.items()}

    @classmethod
    def read(cls, path: Path, integrity: bool = False) -> Journal:
        j = cls()
        if not path.exists():
            return j
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT id, day, type, body, request_key FROM events ORDER BY id").fetchall()
            if integrity:
                j.integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        for i, day, type_, body, key in rows:
            j.fold(Event(int(i), str(day), str(type_), json.loads(body), key))
        for key, events in j.groups.items():
            ids = [e.id for e in events]
            if ids != list(range(ids[0], ids[0] + len(ids))) or len({e.key for e in events}) != 1:
                j.problems.append(f"Idempotency-Key {key!r} has events {ids} from more than one append")
        return j

    def fold(self, e: Event) -> None:
        def bad(message: str) -> None:
            self.problems.append(f"journal event {e.id} ({e.type} {e.body.get('number', '')}, {e.day}): {message}")

        if e.id != self.last_id + 1:
            bad(f"ids jump from {self.last_id} to {e.id}")
        if e.type != e.body.get("type"):
            bad(f"the row's type is {e.type!r} but its body says {e.body.get('type')!r}")
        if self.events and e.day < self.events[-1].day:
            bad(f"its day goes back from {self.events[-1].day}")
        self.events.append(e)
        if e.key:
            self.groups[client_key(e.key)].append(e)
        else:
            self.keyless[(e.type, e.body.get("ticket_id") or "", e.body.get("counter_id") or "")].append(e)
        d = self.days.setdefault(e.day, Day())
        b = e.body
        if e.type == "ticket_issued":
            q, s = b["queue_id"], b["service_id"]
            if b["ticket_id"] in self.tickets:
                bad(f"ticket id {b['ticket_id']} was already issued (event {self.tickets[b['ticket_id']].event_id})")
            if SERVICE_QUEUE.get(s) != q:
                bad(f"service {s} goes to queue {SERVICE_QUEUE.get(s)}, not {q}")
                return
            expected = d.seqs[q] + 1
            if b["seq"] != expected:
                bad(f"queue {q} numbered {b['seq']}, but its next number was {expected} (a repeat or a gap)")
            d.seqs[q] = max(d.seqs[q], b["seq"])
            if b["number"] != f"{PREFIX[q]}{b['seq']:03d}":
                bad(f"number {b['number']} does not match prefix {PREFIX[q]} and seq {b['seq']}")
            if b["number"] in d.by_number:
                bad(f"number {b['number']} was already issued today")
            d.issued[s] += 1
            if s in QUOTA and d.issued[s] > QUOTA[s]:
                bad(f"{d.issued[s]} tickets for {s}, past its daily quota of {QUOTA[s]}")
            new = Ticket(b["ticket_id"], b["number"], b["seq"], e.day, q, s, e.id, e.key, q)
            d.tickets[new.id] = self.tickets[new.id] = new
            d.by_number.setdefault(new.number, new)
            self.after[e.id] = (new.status, new.counter_id, new.queue_id, new.service_id, new.recalls)
            return
        if e.type in ("counter_opened", "counter_paused", "counter_closed"):
            c = b["counter_id"]
            if e.type == "counter_opened" and d.counters[c] == OPEN:
                bad(f"{c} was already open")
            if e.type != "counter_opened" and d.holders[c] is not None:
                bad(f"{c} still holds {d.tickets[d.holders[c] or ''].number}")
            if e.type != "counter_opened" and d.counters[c] == CLOSED:
                bad(f"{c} was already closed")
            d.counters[c] = {"counter_opened": OPEN, "counter_paused": PAUSED, "counter_closed": CLOSED}[e.type]
            return
        if "ticket_id" not in b:
            return  # not about a ticket or a counter (e.g. a printer's status): nothing on the floor moves
        t = d.tickets.get(str(b.get("ticket_id")))
        if t is None:
            bad(f"unknown ticket {b.get('ticket_id')} on this day")
            return
        if b.get("number") != t.number:
            bad(f"the ticket's number is {t.number}")
        c = b.get("counter_id")
        held = c is not None and d.holders.get(c) == t.id and t.counter_id == c

        def need(ok: bool, what: str) -> bool:
            if not ok:
                holder = f"{c} holds {d.tickets[d.holders[c] or ''].number}" if c and d.holders.get(c) else "free"
                bad(f"{what}, but the ticket is {t.status} at {t.counter_id} ({holder})")
            return ok

        if e.type == "ticket_called":
            assert c is not None
            if (
                need(t.status == WAITING, "called")
                and need(d.holders[c] is None, f"{c} called it")
                and need(t.queue_id in COUNTER_QUEUES[c], f"{c} does not serve {t.queue_id}")
            ):
                if b["queue_id"] != t.queue_id:
                    bad(f"called from queue {b['queue_id']}, but it waits in {t.queue_id}")
                t.status, t.counter_id, t.recalls = CALLED, c, 0
                d.holders[c], d.counters[c] = t.id, OPEN
        elif e.type == "ticket_recalled":
            if need(held and t.status == CALLED, f"recalled at {c}"):
                if not b["recalls"] == t.recalls + 1 <= RECALL_LIMIT:
                    bad(f"recall number {b['recalls']} after {t.recalls} (limit {RECALL_LIMIT})")
                t.recalls = b["recalls"]
        elif e.type == "service_started":
            if need(held and t.status == CALLED, f"started at {c}"):
                t.status = SERVING
        elif e.type == "ticket_served":
            if need(held and t.status == SERVING, f"served at {c}"):
                t.status, d.holders[c or ""] = SERVED, None
        elif e.type == "ticket_no_show":
            if need(held and t.status == CALLED, f"marked no-show at {c}"):
                if b.get("reason") == "recall_limit" and t.recalls < RECALL_LIMIT:
                    bad(f"no-show for the recall limit after only {t.recalls} recalls")
                t.status, d.holders[c or ""] = NO_SHOW, None
        elif e.type in ("ticket_transferred", "ticket_returned"):
            if need(held and t.status in HELD, f"{e.type} at {c}"):
                if e.type == "ticket_transferred":
                    if b["from_service_id"] != t.service_id or SERVICE_QUEUE.get(b["service_id"]) != b["queue_id"]:
                        bad(f"transfer {b['from_service_id']} -> {b['service_id']}/{b['queue_id']} from {t.service_id}")
                    t.service_id, t.queue_id = b["service_id"], b["queue_id"]
                t.status, t.counter_id, t.recalls, d.holders[c or ""] = WAITING, None, 0, None
        elif e.type == "ticket_cancelled":
            if need(t.status == WAITING, "cancelled"):
                t.status = CANCELLED
        # Any other ticket event (printing, reprints) leaves its place and its counter as they were.
        self.after[e.id] = (t.status, t.counter_id, t.queue_id, t.service_id, t.recalls)


# --- the clients -------------------------------------------------------------------------------


@dataclass
class Request:
    n: int
    round: int
    kind: str  # "issue" or a counter action
    path: str
    body: dict[str, Any] | None
    key: str | None
    counter: str | None = None
    retry: bool = False
    replay_of: str | None = None  # a retry of a committed request: the ticket its events touched ("" for none)
    status: int | None = None  # None: no answer before the kill
    answer: dict[str, Any] | None = None

    @property
    def acked(self) -> bool:
        return self.status in (200, 201) and self.answer is not None

    def describe(self) -> str:
        what = f"{self.kind} {self.path} {json.dumps(self.body) if self.body else ''}".strip()
        key = f" key={self.key}" if self.key else ""
        return f"round {self.round} request #{self.n} ({what}{key}{', retry' if self.retry else ''})"


class Torture:
    def __init__(self, seed: int, journal: Path) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.sample_rng = random.Random(seed + 1)  # its draws depend on timing: kept apart from self.rng
        self.journal_path = journal
        self.round = 0
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.in_flight = 0
        self.killed = False
        self.session: dict[str, str] = {}
        self.at_counter: dict[str, dict[str, Any] | None] = dict.fromkeys(COUNTERS)
        self.issued_to: dict[str, list[str]] = defaultdict(list)  # queue -> acknowledged ticket ids
        self.quota_refused: set[tuple[str, str]] = set()  # (day, service)
        self.day = ""
        self.journal = Journal()
        self.stats: Counter[str] = Counter()
        self.seconds: dict[str, float] = defaultdict(float)
        self.answers: Counter[str] = Counter()

    @contextlib.contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.seconds[phase] += time.monotonic() - began

    # -- sending ---------------------------------------------------------------------------------

    def problem(self, message: str) -> None:
        self.problems.append(f"round {self.round}: {message}")

    def client(self, server: ServerProcess) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=server.base_url,
            timeout=15,
            cookies={"antrian_session": self.session["cookie"]},
            headers={"X-CSRF-Token": self.session["csrf"]},
        )

    def new_request(
        self, rng: random.Random, kind: str, path: str, body: dict[str, Any] | None, counter: str | None = None
    ) -> Request:
        n = len(self.requests) + 1
        key = f"torture-{self.seed}-{n}" if rng.random() < 0.8 else None  # the pages always send one; scripts may not
        req = Request(n, self.round, kind, path, body, key, counter)
        self.requests.append(req)
        return req

    async def send(self, client: httpx.AsyncClient, req: Request) -> Request:
        headers = {"Idempotency-Key": req.key} if req.key else {}
        self.in_flight += 1
        try:
            if req.body is None:
                r = await client.post(req.path, headers=headers)
            else:
                r = await client.post(req.path, json=req.body, headers=headers)
        except httpx.TransportError as exc:
            if not self.killed:
                self.problem(f"{req.describe()}: {exc!r} while the server was up")
            return req
        finally:
            self.in_flight -= 1
        req.status = r.status_code
        self.answers[f"{req.kind} {r.status_code}"] += 1
        try:
            req.answer = r.json() if r.content else None
        except ValueError:
            req.answer = {"text": r.text[:300]}
        self.judge(req)
        return req

    def judge(self, req: Request) -> None:
        """An answer on its own: the right status for the action, and what the workers learn from it."""
        a = req.answer or {}
        code = a.get("code")
        if req.kind == "issue":
            if req.status == 201:
                service = req.body["service_id"] if req.body else ""
                if req.replay_of is None and (
                    a.get("status") != WAITING or a.get("queue_id") != SERVICE_QUEUE[service]
                ):
                    self.problem(f"{req.describe()} answered {a}: not a waiting ticket of its queue")
                if not str(a.get("number", "")).startswith(PREFIX[SERVICE_QUEUE[service]]):
                    self.problem(f"{req.describe()} answered number {a.get('number')}")
                self.issued_to[a.get("queue_id", "")].append(a.get("id", ""))
                self.stats["tickets acknowledged"] += 1
            elif req.status == 409 and code == "quota" and req.body and req.body["service_id"] in QUOTA:
                self.quota_refused.add((self.day, req.body["service_id"]))
            else:
                self.problem(f"{req.describe()} answered {req.status} {a}")
            return
        counter = req.counter or ""
        if req.kind in TICKET_ACTIONS and req.status == 200:
            states, _ = TICKET_ACTIONS[req.kind]
            if req.replay_of is None and (
                a.get("status") not in states
                or (a.get("status") in HELD and a.get("counter_id") != counter)
                or (req.kind == "transfer" and req.body and a.get("service_id") != req.body["service_id"])
            ):
                self.problem(f"{req.describe()} answered {a}: not what {req.kind} makes")
            self.at_counter[counter] = a if a.get("status") in HELD and a.get("counter_id") == counter else None
            self.stats["counter actions acknowledged"] += 1
        elif req.kind in COUNTER_ACTIONS and req.status == 200:
            if req.replay_of is None and a.get("status") != COUNTER_ACTIONS[req.kind][0]:
                self.problem(f"{req.describe()} answered counter status {a.get('status')}")
            self.stats["counter actions acknowledged"] += 1
        elif req.kind == "call-next" and req.status == 204:
            self.at_counter[counter] = None
        elif req.status == 409 and code in CONFLICT_CODES:
            if code == "no_current_ticket":
                self.at_counter[counter] = None
            elif code == "counter_busy" and (busy := BUSY.search(a.get("detail", ""))):
                self.at_counter[counter] = {"number": busy[1], "status": busy[2], "service_id": None}
        elif req.status == 422 and req.kind == "transfer" and code == "invalid":
            pass  # to the service it already has: the worker did not know
        else:
            self.problem(f"{req.describe()} answered {req.status} {a}")

    async def issuer(self, client: httpx.AsyncClient, rng: random.Random, stop: asyncio.Event) -> None:
        while not stop.is_set():
            body: dict[str, Any] = {
                "service_id": rng.choices(SERVICES, weights=[ISSUE_WEIGHTS.get(s, 1) for s in SERVICES])[0]
            }
            if rng.random() < 0.2:
                body["priority"] = rng.choice(PRIORITIES)
            if rng.random() < 0.1:
                body["lang"] = "en"
            if (await self.send(client, self.new_request(rng, "issue", "/api/tickets", body))).status is None:
                return

    async def worker(self, client: httpx.AsyncClient, rng: random.Random, stop: asyncio.Event) -> None:
        while not stop.is_set():
            counter = rng.choice(COUNTERS)
            held = self.at_counter.get(counter)
            status = held["status"] if held else None
            if rng.random() < 0.1:
                action = rng.choice(ACTIONS)
            elif status == CALLED:
                action = rng.choices(["start", "recall", "no-show", "return", "transfer"], [6, 3, 2, 1, 1])[0]
            elif status == SERVING:
                action = rng.choices(["finish", "transfer", "return"], [8, 1, 1])[0]
            else:
                action = rng.choices(["call-next", "call", "pause", "close", "open"], [20, 3, 1, 1, 1])[0]
            body: dict[str, Any] | None = None
            if action == "transfer":
                current = held["service_id"] if held else None
                body = {"service_id": rng.choice([s for s in SERVICES if s != current])}
            elif action == "call":
                ids = self.issued_to[rng.choice(COUNTER_QUEUES[counter])][-30:]
                if not ids:
                    continue
                body = {"ticket_id": rng.choice(ids)}
            elif action == "pause":
                body = {"reason": rng.choice(["istirahat", "sholat", ""])}
            req = self.new_request(rng, action, f"/api/counters/{counter}/{action}", body, counter)
            if (await self.send(client, req)).status is None:
                return

    # -- a round ---------------------------------------------------------------------------------

    async def load_and_kill(self, server: ServerProcess) -> None:
        stop = asyncio.Event()
        clients = [self.client(server) for _ in range(ISSUERS + WORKERS)]
        rngs = [random.Random(self.rng.random()) for _ in clients]
        tasks = [asyncio.create_task(self.issuer(clients[i], rngs[i], stop)) for i in range(ISSUERS)]
        tasks += [asyncio.create_task(self.worker(clients[i], rngs[i], stop)) for i in range(ISSUERS, len(clients))]
        await asyncio.sleep(self.rng.uniform(*LOAD_SECONDS))
        in_flight = self.in_flight
        self.killed = True  # no await between this and the kill: an error seen after it is the kill's
        server.kill()
        stop.set()
        self.stats["requests in flight at the kills"] += in_flight
        self.stats["kills with requests in flight"] += in_flight > 0
        done, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
        for task in done:
            if task.exception() is not None:
                self.problem(f"a client task failed: {task.exception()!r}")
        if pending:
            self.problem(f"{len(pending)} client tasks still waiting 30 s after the kill")
        for c in clients:
            await c.aclose()

    def check_journal(self, integrity: bool = False) -> Journal:
        """With the server dead (or stopped): the journal file against the oracle and every acknowledgment."""
        before = self.journal
        j = Journal.read(self.journal_path, integrity=integrity)
        self.problems += [f"round {self.round}: {p}" for p in j.problems]
        if integrity and j.integrity != "ok":
            self.problem(f"PRAGMA integrity_check: {j.integrity}")
        if j.events[: len(before.events)] != before.events:
            self.problem("the journal's earlier events changed across the restart")
        # Numbering continues after the highest number committed before the last restart.
        old = before.max_seqs()
        for t in j.tickets.values():
            reached = old.get((t.day, t.numbered_in), 0)
            if t.event_id > before.last_id and t.seq <= reached:
                self.problem(f"{t.number} issued after a restart, but {t.numbered_in} had reached {reached}")
        for day, service in self.quota_refused:
            issued = j.days[day].issued[service] if day in j.days else 0
            if issued != QUOTA[service]:
                self.problem(f"'kuota habis' for {service} on {day} with only {issued} of {QUOTA[service]} issued")
        self.match_acknowledged(j)
        self.journal = j
        return j

    def match_acknowledged(self, j: Journal) -> None:
        used: set[int] = set()
        numbers: dict[tuple[str, str], str] = {}
        for req in self.requests:
            if req.key and req.status is None and req.key in j.groups:
                self.stats["unanswered but committed"] += req.round == self.round
            if not req.acked:
                continue
            a = req.answer or {}
            group = j.groups.get(req.key or "", []) if req.key else None
            if req.kind == "issue":
                t = j.tickets.get(a.get("id", ""))
                if t is None or t.number != a.get("number"):
                    self.problem(
                        f"LOST: {req.describe()} was acknowledged as {a.get('number')} {a.get('id')}; "
                        f"the journal has {t.number if t else 'no such ticket'}"
                    )
                    continue
                if (t.key and client_key(t.key)) != req.key:
                    self.problem(f"{req.describe()}: {t.number} was issued by key {t.key}")
                if numbers.setdefault((t.day, t.number), t.id) != t.id:
                    self.problem(f"number {t.number} acknowledged for two tickets on {t.day}")
                continue
            if req.replay_of is not None:
                if group is None or not group:
                    self.problem(f"{req.describe()} was answered as a replay, but its key has no events")
                elif req.replay_of and a.get("id") != req.replay_of:
                    self.problem(f"{req.describe()}: the retry answered {a.get('number')}, not the committed ticket")
                continue
            if req.kind in COUNTER_ACTIONS:
                _, etype = COUNTER_ACTIONS[req.kind]
                found = [e for e in group or [] if e.type == etype and e.body["counter_id"] == req.counter]
                if req.kind == "pause" and group is not None and not found:
                    self.problem(f"LOST: {req.describe()} was acknowledged, but the journal has no counter_paused")
                continue
            _, etypes = TICKET_ACTIONS[req.kind]
            tid = a.get("id", "")
            if group is not None:
                candidates = [e for e in group if e.type in etypes and e.body.get("ticket_id") == tid]
            else:
                candidates = [e for et in etypes for e in j.keyless.get((et, tid, req.counter or ""), [])]
            candidates = [e for e in candidates if e.id not in used and e.body.get("counter_id") == req.counter]
            answered = (a.get("status"), a.get("queue_id"), a.get("service_id"), a.get("recalls"))
            matching = [e for e in candidates if (j.after[e.id][0], *j.after[e.id][2:]) == answered]
            if not matching:
                seen = [(e.id, e.type, j.after[e.id]) for e in candidates]
                self.problem(
                    f"LOST: {req.describe()} was acknowledged as {a.get('number')} {answered}; "
                    f"the journal's matching events: {seen or 'none'}"
                )
                continue
            used.add(matching[0].id)

    async def check_server(self, client: httpx.AsyncClient, everything: bool = False) -> None:
        """Right after a restart: the server's floor is exactly the journal's fold."""
        j = self.journal
        floor = (await client.get("/api/floor")).json()
        self.day = floor["day"]
        d = j.days.get(self.day, Day())
        if floor["last_event_id"] != j.last_id:
            self.problem(f"the floor says last event {floor['last_event_id']}, the journal {j.last_id}")
        numbers = d.by_number
        for q in floor["queues"]:
            waiting = [t for t in d.tickets.values() if t.queue_id == q["id"] and t.status == WAITING]
            if q["waiting"] != len(waiting):
                self.problem(f"queue {q['id']}: the floor says {q['waiting']} waiting, the journal {len(waiting)}")
            if not set(q["next"]) <= {t.number for t in waiting} or len(q["next"]) != min(
                NEXT_NUMBERS_SHOWN, len(waiting)
            ):
                self.problem(
                    f"queue {q['id']}: next {q['next']} are not {min(NEXT_NUMBERS_SHOWN, len(waiting))} waiting numbers"
                )
        holders: dict[str, str] = {}
        for c in floor["counters"]:
            cid, ticket = c["id"], c["ticket"]
            tid = ticket["id"] if ticket else None
            self.at_counter[cid] = None
            if c["status"] != d.counters[cid]:
                self.problem(f"{cid} is {c['status']} on the floor, {d.counters[cid]} in the journal")
            if tid != d.holders[cid]:
                journal_has = numbers_of(d, d.holders[cid])
                self.problem(f"{cid} holds {ticket and ticket['number']} on the floor, {journal_has} in the journal")
            if ticket:
                if ticket["status"] not in HELD or ticket["number"] != (numbers_of(d, tid)):
                    self.problem(f"{cid} holds {ticket['number']} {ticket['status']}")
                if tid in holders:
                    self.problem(f"{ticket['number']} is held by {holders[tid]} and {cid}")
                holders[str(tid)] = cid
        for call in floor["recent_calls"]:
            if call["number"] not in numbers or call["counter_id"] not in COUNTER_QUEUES:
                self.problem(f"recent call {call['number']} at {call['counter_id']} is not in the journal")
        # The tickets themselves, one by one.
        if everything:
            ids = set(d.tickets)
        else:
            recent = [
                r for r in self.requests if r.round >= self.round - 1 and r.acked and r.kind not in COUNTER_ACTIONS
            ]
            ids = {(r.answer or {}).get("id", "") for r in recent}
            ids |= set(holders) | set(self.sample_rng.sample(sorted(d.tickets), min(SAMPLE_PER_ROUND, len(d.tickets))))
            ids.discard("")
        acked_ids = {(r.answer or {}).get("id") for r in self.requests if r.acked and r.kind == "issue"}
        for tid in sorted(ids):
            r = await client.get(f"/api/tickets/{tid}")
            t = j.tickets.get(tid)
            if t is None or t.day != self.day:
                if r.status_code != 404:
                    self.problem(f"ticket {tid} is not in today's journal, yet the server answers {r.status_code}")
                if tid in acked_ids and t is None:
                    self.problem(f"LOST: acknowledged ticket {tid} is neither in the journal nor on the server")
                continue
            if r.status_code != 200:
                self.problem(f"LOST: {t.number} ({tid}) is in the journal, the server answers {r.status_code}")
                continue
            v = r.json()
            seen = (v["number"], v["status"], v["queue_id"], v["service_id"], v["recalls"])
            want = (t.number, t.status, t.queue_id, t.service_id, t.recalls)
            if seen != want or (t.status in (WAITING, *HELD) and v["counter_id"] != t.counter_id):
                self.problem(
                    f"ticket {tid}: the server says {seen} at {v['counter_id']}, the journal {want} at {t.counter_id}"
                )
            if tid in holders and v["counter_id"] != holders[tid]:
                self.problem(f"{t.number} is held by {holders[tid]} but says it is at {v['counter_id']}")
            if (v["position"] is not None) != (t.status == WAITING):
                self.problem(f"{t.number} is {t.status} with position {v['position']}")
        self.stats["tickets read back"] += len(ids)

    async def retry_unanswered(self, client: httpx.AsyncClient) -> None:
        """What a kiosk or a counter page does after a lost answer: the same request, the same key."""
        j = self.journal
        for old in [r for r in self.requests if r.round == self.round - 1 and r.status is None and r.key]:
            group = j.groups.get(old.key or "")
            req = Request(len(self.requests) + 1, self.round, old.kind, old.path, old.body, old.key, old.counter, True)
            if group:
                ticket_ids = [e.body["ticket_id"] for e in group if "ticket_id" in e.body]
                req.replay_of = ticket_ids[-1] if ticket_ids else ""
                self.stats["retries of committed requests"] += 1
            self.requests.append(req)
            await self.send(client, req)
            if group and req.status not in (200, 201):
                self.problem(f"{req.describe()}: committed before the kill, yet the retry answered {req.status}")
            self.stats["retries"] += 1

    def verdict(self, server: ServerProcess) -> None:
        if self.problems:
            shown = "\n  ".join(self.problems[:25])
            more = f"\n  ... and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
            log = server.output()[-3000:]
            raise AssertionError(
                f"crash torture failed (reproduce with ANTRIAN_CRASH_SEED={self.seed} "
                f"ANTRIAN_CRASH_ROUNDS={ROUNDS}; journal {self.journal_path}):\n  {shown}{more}\n"
                f"--- end of the server's log ---\n{log}"
            )


def numbers_of(d: Day, ticket_id: str | None) -> str | None:
    return d.tickets[ticket_id].number if ticket_id in d.tickets else ticket_id


async def test_sigkill_at_random_moments_under_load_loses_and_repeats_nothing(tmp_path: Path) -> None:
    seed = int(SEED) if SEED else random.SystemRandom().randrange(1, 10**6)
    print(f"\ncrash torture: ANTRIAN_CRASH_SEED={seed} ANTRIAN_CRASH_ROUNDS={ROUNDS}")
    began = time.monotonic()
    torture = Torture(seed, tmp_path / "journal.sqlite3")
    # Without the kiosk's printer: a printer's own events (status polls at start) would race the read-back.
    config = tmp_path / "mall.toml"
    mall = ALLDAY.read_text().replace('printer = "printer-1"\n', "")
    config.write_text(mall.replace('[[printers]]\nid = "printer-1"\nconnection = "preview"\npaper_mm = 80\n', ""))
    server = ServerProcess(torture.journal_path, config=config)
    try:
        for n in range(1, ROUNDS + 2):  # ROUNDS kills, then one last start to read everything back
            torture.round, last = n, n > ROUNDS
            with torture.timed("start"):
                try:
                    await asyncio.to_thread(server.start)
                except RuntimeError as exc:
                    torture.problem(f"the server does not start again on the journal: {exc}")
                    torture.verdict(server)
            torture.killed = False
            if not torture.session:
                async with httpx.AsyncClient(base_url=server.base_url, timeout=15) as client:
                    await alogin(client, "admin")  # kept in the store beside the journal: it survives the kills
                    torture.session = {
                        "cookie": client.cookies["antrian_session"],
                        "csrf": client.headers["X-CSRF-Token"],
                    }
            async with torture.client(server) as client:
                with torture.timed("read back"):
                    await torture.check_server(client, everything=last)
                with torture.timed("retries"):
                    await torture.retry_unanswered(client)
            torture.verdict(server)
            if last:
                break
            with torture.timed("load"):
                await torture.load_and_kill(server)
            with torture.timed("journal"):
                torture.check_journal()
            torture.verdict(server)
        server.stop()
        torture.check_journal(integrity=True)  # the last retries' effects, and the file after a clean stop
        torture.verdict(server)
    finally:
        server.stop()
    s = torture.stats
    print(
        f"crash torture: {ROUNDS} kills in {time.monotonic() - began:.1f}s, seed {seed}: "
        f"{torture.journal.last_id} events, {len(torture.journal.tickets)} tickets in the journal; "
        f"{s['tickets acknowledged']} tickets and {s['counter actions acknowledged']} counter actions acknowledged; "
        f"{s['requests in flight at the kills']} requests in flight at the kills "
        f"({s['kills with requests in flight']} of {ROUNDS} kills had some), "
        f"{s['unanswered but committed']} of them committed unanswered (seen by their key); {s['retries']} retried "
        f"({s['retries of committed requests']} replays); {s['tickets read back']} ticket reads; seconds: "
        + ", ".join(f"{phase} {t:.1f}" for phase, t in torture.seconds.items())
    )
    print("crash torture answers: " + ", ".join(f"{k}: {v}" for k, v in sorted(torture.answers.items())))
    assert s["kills with requests in flight"] >= ROUNDS // 2, "the kills did not land under load"
