"""Sílvia on Redis + PostgreSQL: the same conversations, the same CLI, on the real services.

Each test gets its own PostgreSQL schema (dropped after) and Redis key prefix (deleted after).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from alembic import command

from storage import migrate
from storage.models import ResponseCache
from tests import test_conversations as conversations
from tests.backends import drop_prefix, pg_schema, redis_prefix
from tests.conftest import MARIA, make_settings, require_service
from wiring import Silvia, open_silvia

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def prod_env() -> Iterator[dict[str, str]]:
    """DATABASE_URL (fresh, empty schema), REDIS_URL and a private SILVIA_REDIS_PREFIX."""
    redis_url = require_service("TEST_REDIS_URL")
    prefix = redis_prefix("prod")
    with pg_schema("prod") as database_url:
        yield {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SILVIA_REDIS_PREFIX": prefix}
    drop_prefix(redis_url, prefix)


@pytest.fixture
async def prod_silvia(tmp_path: Path, prod_env: dict[str, str], clock: list[Any]) -> AsyncIterator[Silvia]:
    migrate.upgrade(prod_env["DATABASE_URL"])
    async with open_silvia(make_settings(tmp_path, **prod_env), clock=lambda: clock[0]) as running:
        yield running


SCENARIOS = [
    conversations.test_full_funnel_registers_and_hands_off,
    conversations.test_unserved_state_ends_politely_as_not_qualified,
    conversations.test_question_mid_funnel_is_answered_and_brings_lead_back,
    conversations.test_opt_out_is_immediate_and_permanent,
    conversations.test_two_leads_interleaved_keep_separate_state,
    conversations.test_repeated_question_is_served_from_cache_for_another_lead,
    conversations.test_bill_problems_get_their_own_answers,
    conversations.test_knowledge_answer_with_a_lead_estimate_is_never_replayed_to_another_lead,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.removeprefix("test_"))
async def test_conversation_on_redis_and_postgres(scenario: Any, prod_silvia: Silvia, clock: Any) -> None:
    available = {"silvia": prod_silvia, "clock": clock}
    await scenario(**{name: available[name] for name in inspect.signature(scenario).parameters})


async def test_cache_hits_are_l1_counted_and_a_new_prompt_version_misses(
    tmp_path: Path, prod_env: dict[str, str], clock: list[Any]
) -> None:
    from storage.repositories import cache_key_for_db

    migrate.upgrade(prod_env["DATABASE_URL"])
    settings = make_settings(tmp_path, **prod_env)
    async with open_silvia(settings, clock=lambda: clock[0]) as silvia:
        for phone in ("+5581900000001", "+5581900000002"):
            await conversations.reach_plans(silvia, phone)
        first = await silvia.say("+5581900000001", "isso é golpe?")
        second = await silvia.say("+5581900000002", "isso é golpe?")
        assert (first.replies[0]["layer"], second.replies[0]["layer"]) == ("L3", "L1")
        key = second.state["turn"]["cache_key"]
        client = redis.Redis.from_url(prod_env["REDIS_URL"])
        assert client.exists(f"{prod_env['SILVIA_REDIS_PREFIX']}cache:{key}") == 1
        client.close()
        rows = await silvia.leads.recent_interactions("+5581900000002", 1)
        assert rows[0]["layer"] == "L1" and rows[0]["response_time_ms"] is not None
        async with silvia.leads._sessions() as session:  # the seed's response_cache table
            query = sa.select(ResponseCache).where(ResponseCache.cache_key == cache_key_for_db(key))
            hit = await session.scalar(query)
        assert hit is not None and hit.hit_count == 1
    newer = settings.model_copy(update={"prompt_version": "v2.1_interactive"})
    async with open_silvia(newer, clock=lambda: clock[0]) as silvia:
        await conversations.reach_plans(silvia, "+5581900000003")
        third = await silvia.say("+5581900000003", "isso é golpe?")
        assert third.state["prompt_version"] == "v2.1_interactive"
        assert third.state["turn"]["cache_key"] != key
        assert third.replies[0]["layer"] == "L3"  # the old version's entry is not used


# --- the command line -----------------------------------------------------------------------


def silvia_cli(args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> Any:
    environ = {k: v for k, v in os.environ.items() if not k.endswith("_MCP_URL")}
    environ |= {"SILVIA_DATA_DIR": str(cwd / "data"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=environ,
        check=False,
    )


def test_cli_refuses_a_schema_that_is_behind_then_runs_after_upgrade(
    tmp_path: Path, prod_env: dict[str, str]
) -> None:
    chat = ["chat", "--phone", MARIA.phone, "--name", "Maria", "--city", "Recife", "--state", "PE"]
    empty = silvia_cli([*chat, "--bill", "380"], tmp_path, prod_env, stdin="oi\n")
    assert empty.returncode != 0 and "silvia db upgrade" in empty.stderr

    oldest = migrate.ScriptDirectory.from_config(migrate.alembic_config()).get_base()
    if oldest != migrate.head():
        command.upgrade(migrate.alembic_config(prod_env["DATABASE_URL"]), oldest)
        behind = silvia_cli([*chat, "--bill", "380"], tmp_path, prod_env, stdin="oi\n")
        assert behind.returncode != 0
        assert f"at revision {oldest}" in behind.stderr and "silvia db upgrade" in behind.stderr

    upgraded = silvia_cli(["db", "upgrade"], tmp_path, prod_env)
    assert upgraded.returncode == 0 and migrate.head() in upgraded.stdout
    current = silvia_cli(["db", "current"], tmp_path, prod_env)
    assert f"current: {migrate.head()}" in current.stdout

    talk = silvia_cli([*chat, "--bill", "380"], tmp_path, prod_env, stdin="oi\nsim\n")
    assert talk.returncode == 0, talk.stderr
    assert "Essencial" in talk.stdout
    assert not (tmp_path / "data" / "silvia.db").exists()  # nothing went to SQLite
    assert not (tmp_path / "data" / "checkpoints.db").exists()


async def test_lead_show_and_forget_on_redis_and_postgres(
    tmp_path: Path, prod_env: dict[str, str], prod_silvia: Silvia
) -> None:
    await conversations.reach_plans(prod_silvia)  # "oi", "sim"

    shown = silvia_cli(["lead", "show", MARIA.phone], tmp_path, prod_env)
    assert shown.returncode == 0, shown.stderr
    assert "stage: plans_presented" in shown.stdout and "Recife/PE" in shown.stdout
    assert "lead:   sim" in shown.stdout and '"prompt_version": "v2.0_casual"' in shown.stdout

    forgot = silvia_cli(["lead", "forget", MARIA.phone, "--yes"], tmp_path, prod_env)
    assert forgot.returncode == 0, forgot.stderr
    assert "leads rows: 1" in forgot.stdout and "lead_interactions rows: 2" in forgot.stdout
    assert "graph checkpoints: 0" not in forgot.stdout

    client = redis.Redis.from_url(prod_env["REDIS_URL"])
    mine = f"{prod_env['SILVIA_REDIS_PREFIX']}*{MARIA.phone}*"
    leftovers = list(client.scan_iter(match=mine, count=1000))
    assert list(client.scan_iter(match=f"{prod_env['SILVIA_REDIS_PREFIX']}cp:*", count=1000)) == []
    client.close()
    assert leftovers == []
    gone = silvia_cli(["lead", "show", MARIA.phone, "--json"], tmp_path, prod_env)
    assert '"record": null' in gone.stdout and '"graph_state": null' in gone.stdout


def test_lead_commands_reject_a_bad_phone(tmp_path: Path) -> None:
    result = silvia_cli(["lead", "show", "not-a-phone"], tmp_path, {"REDIS_URL": "", "DATABASE_URL": ""})
    assert result.returncode == 2 and "E.164" in result.stderr


async def test_nul_characters_never_break_a_turn_on_postgres(prod_silvia: Silvia) -> None:
    """PostgreSQL rejects U+0000 in text: a lead's message carrying one is still answered and stored."""
    await prod_silvia.leads.upsert_lead(MARIA)
    result = await prod_silvia.say(MARIA.phone, "oi\x00 tudo bem?\x00")
    assert result.replies and result.stage == "greeted"
    rows = await prod_silvia.leads.recent_interactions(MARIA.phone)
    assert rows[-1]["message_received"] == "oi tudo bem?"
