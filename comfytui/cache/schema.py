"""The cache schema: forward migrations numbered by `PRAGMA user_version`.

Migration N takes a database at version N-1 to version N inside one transaction. A new file runs
them all from 0, so the upgrade path from every older version is exercised by every fresh cache.
Every table is keyed by `server` (API origin + account) so two profiles never mix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import aiosqlite

# v1: the first released layout (tests/fixtures/cache_v1.sql holds a file in this shape).
_V1 = """
CREATE TABLE workflows (
    server TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, updated_at REAL,
    data TEXT NOT NULL, UNIQUE (server, id));
CREATE INDEX workflows_by_name ON workflows (server, name COLLATE NOCASE);

CREATE TABLE workflow_versions (
    server TEXT NOT NULL, id TEXT NOT NULL, workflow_id TEXT NOT NULL, version INTEGER,
    data TEXT NOT NULL, UNIQUE (server, id));
CREATE INDEX versions_by_workflow ON workflow_versions (server, workflow_id, version);

CREATE TABLE deployments (
    server TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, workflow_id TEXT,
    environment TEXT, data TEXT NOT NULL, UNIQUE (server, id));
CREATE INDEX deployments_by_name ON deployments (server, name COLLATE NOCASE);
CREATE INDEX deployments_by_workflow ON deployments (server, workflow_id);

CREATE TABLE machines (
    server TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, status TEXT,
    data TEXT NOT NULL, UNIQUE (server, id));

CREATE TABLE runs (
    server TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL, deployment_id TEXT,
    workflow_id TEXT, created_at REAL, updated_at REAL, inputs TEXT, data TEXT NOT NULL,
    UNIQUE (server, id));
CREATE INDEX runs_by_created ON runs (server, created_at, id);
CREATE INDEX runs_by_deployment ON runs (server, deployment_id, created_at, id);

CREATE TABLE saved_outputs (
    server TEXT NOT NULL, run_id TEXT NOT NULL, path TEXT NOT NULL, url TEXT NOT NULL,
    sha256 TEXT NOT NULL, size INTEGER NOT NULL, UNIQUE (server, run_id, path));
CREATE INDEX outputs_by_sha ON saved_outputs (server, run_id, sha256);

CREATE TABLE sync_state (
    server TEXT NOT NULL, entity TEXT NOT NULL, synced_at REAL NOT NULL,
    PRIMARY KEY (server, entity));
"""

# v2: servers become small integer ids (a server key was repeated in every row and index), ties
# in run order break on rowid (no id copies in the indexes), progress and live status become
# columns (written through on every poll), a status index for the Runs filter, content types
# of saved files, and the last inputs used per deployment. Tables are rebuilt with their rows.
_V2_TABLES = {
    "workflows": (
        "id TEXT NOT NULL, name TEXT NOT NULL, updated_at REAL, data TEXT NOT NULL",
        "t.id, t.name, t.updated_at, t.data",
        "UNIQUE (server, id)",
        ["CREATE INDEX workflows_by_name ON workflows (server, name COLLATE NOCASE)"],
    ),
    "workflow_versions": (
        "id TEXT NOT NULL, workflow_id TEXT NOT NULL, version INTEGER, data TEXT NOT NULL",
        "t.id, t.workflow_id, t.version, t.data",
        "UNIQUE (server, id)",
        ["CREATE INDEX versions_by_workflow ON workflow_versions (server, workflow_id, version)"],
    ),
    "deployments": (
        "id TEXT NOT NULL, name TEXT NOT NULL, workflow_id TEXT, environment TEXT, "
        "data TEXT NOT NULL",
        "t.id, t.name, t.workflow_id, t.environment, t.data",
        "UNIQUE (server, id)",
        [
            "CREATE INDEX deployments_by_name ON deployments (server, name COLLATE NOCASE)",
            "CREATE INDEX deployments_by_workflow ON deployments (server, workflow_id)",
        ],
    ),
    "machines": (
        "id TEXT NOT NULL, name TEXT NOT NULL, status TEXT, data TEXT NOT NULL",
        "t.id, t.name, t.status, t.data",
        "UNIQUE (server, id)",
        [],
    ),
    "runs": (
        "id TEXT NOT NULL, status TEXT NOT NULL, deployment_id TEXT, workflow_id TEXT, "
        "created_at REAL, updated_at REAL, progress REAL, live_status TEXT, inputs TEXT, "
        "data TEXT NOT NULL",
        "t.id, t.status, t.deployment_id, t.workflow_id, t.created_at, t.updated_at, NULL, NULL, "
        "t.inputs, t.data",
        "UNIQUE (server, id)",
        [
            "CREATE INDEX runs_by_created ON runs (server, created_at)",
            "CREATE INDEX runs_by_deployment ON runs (server, deployment_id, created_at)",
            "CREATE INDEX runs_by_status ON runs (server, status, created_at)",
        ],
    ),
    "saved_outputs": (
        "run_id TEXT NOT NULL, path TEXT NOT NULL, url TEXT NOT NULL, sha256 TEXT NOT NULL, "
        "size INTEGER NOT NULL, content_type TEXT",
        "t.run_id, t.path, t.url, t.sha256, t.size, NULL",
        "UNIQUE (server, run_id, path)",
        ["CREATE INDEX outputs_by_sha ON saved_outputs (server, run_id, sha256)"],
    ),
    "sync_state": (
        "entity TEXT NOT NULL, synced_at REAL NOT NULL",
        "t.entity, t.synced_at",
        "PRIMARY KEY (server, entity)",
        [],
    ),
}


def _v2() -> str:
    union = " UNION ".join(f"SELECT server FROM {table}" for table in _V2_TABLES)
    parts = [
        "CREATE TABLE servers (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);",
        f"INSERT INTO servers (key) {union};",
    ]
    for table, (columns, select, key, indexes) in _V2_TABLES.items():
        parts += [
            f"CREATE TABLE new_{table} (server INTEGER NOT NULL, {columns}, {key});",
            f"INSERT INTO new_{table} SELECT s.id, {select} FROM {table} t "
            "JOIN servers s ON s.key = t.server ORDER BY t.rowid;",
            f"DROP TABLE {table};",
            f"ALTER TABLE new_{table} RENAME TO {table};",
            *(f"{sql};" for sql in indexes),
        ]
    parts.append(
        "CREATE TABLE last_inputs (server INTEGER NOT NULL, deployment_id TEXT NOT NULL, "
        "inputs TEXT NOT NULL, saved_at REAL NOT NULL, PRIMARY KEY (server, deployment_id));"
    )
    return "\n".join(parts)


# v3: the fields a run list shows but the data blob held (start, end, GPU, origin) become
# columns, so the Runs page (`RunSummary`) is read without decoding any JSON; moved out of the blob.
_V3 = """
ALTER TABLE runs ADD COLUMN started_at REAL;
ALTER TABLE runs ADD COLUMN ended_at REAL;
ALTER TABLE runs ADD COLUMN gpu TEXT;
ALTER TABLE runs ADD COLUMN origin TEXT;
UPDATE runs SET started_at = json_extract(data, '$.s'), ended_at = json_extract(data, '$.e'),
    gpu = json_extract(data, '$.g'), origin = json_extract(data, '$.o'),
    data = json_remove(data, '$.s', '$.e', '$.g', '$.o');
"""

# sweeps and planned runs (issue 16): intent written before every queue request;
# run logs of runs started here and the cold start column (issue 18)
from comfytui.cache.run_logs import RUN_LOGS_MIGRATION  # noqa: E402, I001
from comfytui.cache.sweeps import SWEEPS_MIGRATION  # noqa: E402

MIGRATIONS: tuple[str, ...] = (_V1, _v2(), _V3, SWEEPS_MIGRATION, RUN_LOGS_MIGRATION)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = (
    "servers",
    "workflows",
    "workflow_versions",
    "deployments",
    "machines",
    "runs",
    "saved_outputs",
    "sync_state",
    "last_inputs",
    "sweeps",
    "planned_runs",
    "log_runs",
    "run_logs",
)


class NewerSchemaError(Exception):
    """The file was written by a newer comfytui; this one cannot read it."""


async def server_id(conn: aiosqlite.Connection, key: str) -> int:
    """The small integer standing for a server key in every table (created on first use)."""
    await conn.execute("INSERT OR IGNORE INTO servers (key) VALUES (?)", (key,))
    rows = list(await conn.execute_fetchall("SELECT id FROM servers WHERE key = ?", (key,)))
    return int(rows[0][0])


async def user_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION, one transaction per step; returns the old version.

    The version is read again under the write lock (BEGIN IMMEDIATE), so two processes creating
    the same new file at once do not both run a step: the second finds it done and moves on.
    """
    start = await user_version(conn)
    if start > SCHEMA_VERSION:
        raise NewerSchemaError(f"schema version {start} is newer than {SCHEMA_VERSION}")
    for number in range(start + 1, SCHEMA_VERSION + 1):
        await conn.execute("BEGIN IMMEDIATE")
        try:
            current = await user_version(conn)
            if current > SCHEMA_VERSION:
                raise NewerSchemaError(f"schema version {current} is newer than {SCHEMA_VERSION}")
            if current < number:
                for statement in _statements(MIGRATIONS[number - 1]):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {number}")
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.rollback()
            raise
    return start
