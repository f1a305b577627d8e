"""The inbox worker's promises, on a real Sílvia and a real inbox table: transient failures are
retried without counting, deterministic ones parked, a finished turn never runs twice, a busy
lead never takes a slot, and fragments of a burst wait without holding one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from api.bursts import reads_complete
from api.retry_policy import RetryPolicy, is_transient
from api.worker import InboxWorker
from cli.main import app as cli_app
from settings import get_settings
from storage.db import create_engine
from storage.inbox import InboxEntry, SqlInbox
from storage.locks import InProcessLeadLocks, LeadBusyError
from storage.models import InboxMessage
from tests.conftest import clear_backend_env, make_settings
from tests.webhook_kit import SERVICE_ENV, SilviaThread, query, text, wait_for
from wiring import Silvia, TurnResult

ANA, BIA = "+5581911112222", "+5581933334444"
FAST = RetryPolicy(
    horizon_seconds=30, max_delay_seconds=0.2, first_delay_seconds=0.05, failed_turn_delay_seconds=0.05
)


async def database_down() -> OperationalError:
    """A real driver error: PostgreSQL refusing the connection (nothing listens on port 1)."""
    engine = create_async_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    try:
        async with engine.connect():
            pass
    except OperationalError as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("port 1 answered")


class Harness:
    def __init__(self, silvia: Silvia, inbox: SqlInbox, **worker: Any) -> None:
        self.inbox = inbox
        self.answered: list[tuple[str, TurnResult | None]] = []
        self.locks = InProcessLeadLocks()
        self.worker = InboxWorker(
            silvia, inbox, self.locks, on_turn=self._on_turn, **{"retry_policy": FAST} | worker
        )
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _on_turn(self, entry: InboxEntry, result: TurnResult | None) -> None:
        self.answered.append((entry.message_id, result))

    async def put(self, phone: str, message_id: str, body: str) -> None:
        raw = {"message": text(phone, message_id, body), "contact": {"profile": {"name": "Ana"}}}
        assert await self.inbox.put(message_id, phone, "whatsapp", raw)

    async def until(self, check: Callable[[], Any], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out")

    async def row(self, message_id: str) -> dict[str, Any]:
        found = await self.inbox.get(message_id)
        assert found is not None
        return found


@pytest.fixture
async def harness(silvia: Silvia, tmp_path: Path) -> AsyncIterator[Harness]:
    engine = create_engine(make_settings(tmp_path).effective_database_url)
    made: list[Harness] = []

    def make(**worker: Any) -> Harness:
        made.append(Harness(silvia, SqlInbox(engine, reclaim_seconds=60), **worker))
        made[-1].task = asyncio.create_task(made[-1].worker.run(made[-1].stop))
        return made[-1]

    yield make  # type: ignore[misc]
    for h in made:
        h.stop.set()
        if h.task is not None:
            await asyncio.wait_for(h.task, 30)
    await engine.dispose()


def fail_first(silvia: Silvia, monkeypatch: pytest.MonkeyPatch, times: int, error: Exception) -> list[int]:
    """The turn raises `error` `times` times, then runs for real."""
    real, calls = silvia.handle, [0]

    async def handle(*args: Any, **kwargs: Any) -> TurnResult:
        calls[0] += 1
        if calls[0] <= times:
            raise error
        return await real(*args, **kwargs)

    monkeypatch.setattr(silvia, "handle", handle)
    return calls


async def test_errors_of_dependencies_are_transient_and_errors_of_the_turn_are_not() -> None:
    assert is_transient(await database_down())
    assert is_transient(LeadBusyError("busy")) and is_transient(ConnectionRefusedError())
    wrapped = RuntimeError("turn failed")
    wrapped.__cause__ = TimeoutError()
    assert is_transient(wrapped) and is_transient(ExceptionGroup("tools", [OSError("reset")]))
    assert not is_transient(ValueError("bad plan")) and not is_transient(KeyError("stage"))


async def test_a_database_outage_is_retried_without_counting_attempts(
    harness: Callable[..., Harness], silvia: Silvia, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fail_first(silvia, monkeypatch, 6, await database_down())  # twice MAX_ATTEMPTS
    h = harness()
    await h.put(ANA, "wamid.outage", "oi, quero saber da energia solar")
    await h.until(lambda: h.answered)
    row = await h.row("wamid.outage")
    assert calls[0] == 7 and row["status"] == "done" and row["attempts"] == 0
    assert h.answered[0][1] is not None and h.answered[0][1].replies


async def test_an_outage_longer_than_the_horizon_parks_the_message_for_a_person(
    harness: Callable[..., Harness], silvia: Silvia, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_first(silvia, monkeypatch, 10_000, await database_down())
    h = harness(
        retry_policy=RetryPolicy(horizon_seconds=0.5, first_delay_seconds=0.05, max_delay_seconds=0.1)
    )
    await h.put(ANA, "wamid.long", "oi, quero saber da energia solar")
    await h.until(lambda: h.inbox.counts(), timeout=5)
    await h.until(lambda: _status(h, "wamid.long", "failed"))
    [parked] = await h.inbox.parked()
    assert (
        parked.message_id == "wamid.long"
        and "transient" in parked.error
        and "OperationalError" in parked.error
    )
    assert (await h.inbox.counts()).get("failed") == 1


async def test_a_turn_that_always_fails_is_parked_and_the_leads_next_message_still_answered(
    harness: Callable[..., Harness], silvia: Silvia, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fail_first(silvia, monkeypatch, 3, ValueError("a bug in a node"))
    h = harness()
    await h.put(ANA, "wamid.bug", "oi, quero saber da energia solar")
    await h.put(ANA, "wamid.next", "moro em Recife e minha conta vem 380 reais")
    await h.until(lambda: [m for m, _ in h.answered] == ["wamid.next"])
    parked = await h.row("wamid.bug")
    assert parked["status"] == "failed" and parked["attempts"] == 3 and "a bug in a node" in parked["error"]
    assert calls[0] == 4
    # A person retries it: a new row, answered (not mistaken for the finished later turn).
    assert await h.inbox.unpark("wamid.bug")
    await h.until(lambda: len(h.answered) == 2)
    assert h.answered[1][0] == "wamid.bug" and h.answered[1][1] is not None


async def test_a_finished_turn_delivered_again_is_not_answered_again(
    harness: Callable[..., Harness], silvia: Silvia
) -> None:
    h = harness()
    await h.put(ANA, "wamid.once", "oi, quero saber da energia solar")
    await h.until(lambda: h.answered)
    kept = (await silvia.state(ANA)).get("inbox_id")  # the lead's own record of what it answered
    assert kept is not None and int(kept) > 0
    # The process died after the turn was checkpointed but before the inbox heard of it.
    async with h.inbox.sessions() as session, session.begin():
        await session.execute(
            sa.update(InboxMessage).where(InboxMessage.message_id == "wamid.once").values(status="pending")
        )
    await h.until(lambda: len(h.answered) == 2)
    assert h.answered[1] == ("wamid.once", None)  # recognised from the checkpoint: no second turn
    assert (await h.row("wamid.once"))["attempts"] == 0


async def test_a_finished_turn_delivered_again_is_not_merged_into_the_leads_next_burst(
    harness: Callable[..., Harness], silvia: Silvia
) -> None:
    h = harness(burst_seconds=2.0)
    await h.put(ANA, "wamid.done", "oi, quero saber da energia solar")
    await h.until(lambda: h.answered)
    # The worker died between the turn's checkpoint and the inbox's `done`, and the lead wrote
    # again meanwhile: both are pending when the next worker looks.
    async with h.inbox.sessions() as session, session.begin():
        await session.execute(
            sa.update(InboxMessage).where(InboxMessage.message_id == "wamid.done").values(status="pending")
        )
        raw = {"message": text(ANA, "wamid.then", "moro em Recife e minha conta vem 380 reais")}
        session.add(InboxMessage(message_id="wamid.then", phone=ANA, source="whatsapp", payload=raw))
    await h.until(lambda: len(h.answered) == 3)
    assert h.answered[1] == ("wamid.done", None)  # settled from the checkpoint, not read again
    later = h.answered[2][1]
    assert h.answered[2][0] == "wamid.then" and later is not None
    assert later.state["inbound"]["text"] == "moro em Recife e minha conta vem 380 reais"


async def test_a_busy_lead_does_not_hold_the_only_slot(harness: Callable[..., Harness]) -> None:
    h = harness(concurrency=1)
    async with h.locks.hold(ANA):  # a turn of Ana's runs elsewhere (or its holder hangs)
        await h.put(ANA, "wamid.ana", "oi, quero saber da energia solar")
        await h.put(BIA, "wamid.bia", "oi, quero saber da energia solar")
        await h.until(lambda: [m for m, _ in h.answered] == ["wamid.bia"])
        assert (await h.row("wamid.ana"))["status"] == "pending"
    await h.until(lambda: len(h.answered) == 2)
    assert (await h.row("wamid.ana"))["attempts"] == 0


async def test_fragments_wait_for_the_burst_without_a_slot_and_a_whole_question_goes_at_once(
    harness: Callable[..., Harness],
) -> None:
    h = harness(concurrency=1, burst_seconds=1.5)
    await h.put(ANA, "wamid.f1", "oi")
    await h.put(ANA, "wamid.f2", "quero saber")
    await asyncio.sleep(0.3)
    await h.put(BIA, "wamid.whole", "quanto custa a assinatura?")  # Ana's fragments hold no slot
    await h.until(lambda: h.answered)
    assert [m for m, _ in h.answered] == ["wamid.whole"]
    await h.put(ANA, "wamid.f3", "quanto custa?")  # completes Ana's thought: answered now
    started = time.monotonic()
    await h.until(lambda: len(h.answered) == 2)
    assert time.monotonic() - started < 1.5
    result = h.answered[1][1]
    assert result is not None and result.state["inbound"]["text"] == "oi\nquero saber\nquanto custa?"


def test_what_reads_as_a_whole_message() -> None:
    for whole in ("quanto custa?", "Oi!", "moro em Recife e pago 380", "ok."):
        assert reads_complete(whole), whole
    for fragment in ("oi", "quero saber", "moro em Recife e", "então...", "minha conta,", ""):
        assert not reads_complete(fragment), fragment


async def _status(h: Harness, message_id: str, status: str) -> bool:
    return (await h.row(message_id))["status"] == status


def test_a_parked_message_shows_in_ready_metrics_and_the_cli_and_retry_answers_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clear_backend_env(monkeypatch)
    settings = make_settings(tmp_path, **SERVICE_ENV)

    async def park_one() -> None:
        # Written as the worker leaves a parked entry (the app's own worker would answer a
        # pending one before this test could take it).
        engine = create_engine(settings.effective_database_url)
        raw = {"message": text(ANA, "wamid.stuck", "quero saber o preço"), "contact": {}}
        error = "turn failed 3 times: ValueError: a bug"
        async with SqlInbox(engine).sessions.begin() as session:
            row = InboxMessage(message_id="wamid.stuck", phone=ANA, source="whatsapp", payload=raw)
            row.status, row.attempts, row.error = "failed", 3, error
            session.add(row)
        await engine.dispose()

    with SilviaThread(settings) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        asyncio.run(park_one())
        ready = client.get("/ready").json()
        assert ready["ready"] is True and ready["inbox"]["failed"] == 1
        assert any("1 message(s) parked" in line for line in ready["attention"])
        assert ready["workers"] and ready["dependencies"]["inbox_workers"]["ok"]
        metrics = client.get("/metrics").text
        assert 'silvia_inbox_entries{state="failed"} 1.0' in metrics
        assert "silvia_inbox_workers_alive 1.0" in metrics

        monkeypatch.setenv("SILVIA_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()  # an earlier test in this process may have cached other settings
        runner = CliRunner()
        listed = runner.invoke(cli_app, ["inbox", "list"])
        assert listed.exit_code == 0 and "wamid.stuck" in listed.output and "a bug" in listed.output
        assert "quero saber o preço" in listed.output
        assert runner.invoke(cli_app, ["inbox", "retry", "wamid.stuck"]).exit_code == 0
        sql = "SELECT status FROM inbox_messages WHERE message_id = 'wamid.stuck'"
        wait_for(lambda: query(tmp_path, sql) == [("done",)], what="the retried message answered")
        assert runner.invoke(cli_app, ["inbox", "drop", "wamid.stuck", "--yes"]).exit_code == 1  # not parked
        assert client.get("/ready").json()["attention"] == []
