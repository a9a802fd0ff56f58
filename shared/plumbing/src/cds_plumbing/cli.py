"""`cds-platform`: operator commands for the local stack and deployments.

wait-kafka            wait until the broker answers a metadata request
create-topics         create every declared topic and its .dlq topic (idempotent)
provision-databases   create one role and database per service (idempotent); with BI_READER_PASSWORD
                      also the read-only login bi_reader for BI tools over reporting's views
token                 print a bearer token for the local stack
topics verify         check every declared topic and its .dlq exist with the declared partitions
dlq list TOPIC        show dead letters of TOPIC (or TOPIC.dlq), the copies of one record together:
                      origin, consumers that failed it, cause, time
dlq replay TOPIC      send dead letters back to their origin topic after a fix, each copy only to the
                      consumer that failed it (idempotent, resumable)
outbox backlog        unpublished outbox rows and the oldest one's age, per service database
rebuild reporting     rebuild reporting's projections (runs the `reporting-rebuild` command)
backup DIR            every service database and every topic's records into DIR (services keep running)
restore DIR           a backup onto an empty stack, services stopped (then start them)

KAFKA_TOPIC_PREFIX is prepended to topic names and replay groups, as in the services.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

import asyncpg

from .ops import backup_cli
from .settings import ServiceSettings, admin_database_url, default_bootstrap, env, local_database_url

# The rest is imported by the command that needs it: the contracts, FastAPI (auth) and the Kafka client
# take about a second to import, and `outbox backlog` must answer within two seconds during an outage.

DEFAULT_SERVICES = ("personnel", "training", "recruitment", "reporting")


def _quote_ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    return f'"{name}"'


async def provision(services: list[str], admin_url: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        for svc in services:
            ident = _quote_ident(svc)
            password = env(f"{svc.upper()}_DB_PASSWORD", svc)
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", svc):
                await conn.execute(f"CREATE ROLE {ident} LOGIN PASSWORD '{password.replace(chr(39), chr(39) * 2)}'")
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", svc):
                await conn.execute(f"CREATE DATABASE {ident} OWNER {ident} ENCODING 'UTF8' TEMPLATE template0")
            print(f"database {svc}: ready")
    finally:
        await conn.close()
    bi_password = os.environ.get("BI_READER_PASSWORD")
    if bi_password and "reporting" in services:
        from .ops.bi_reader import ensure_bi_reader

        reader = env("BI_READER_ROLE", "bi_reader")
        await ensure_bi_reader(admin_url, "reporting", "reporting", reader, bi_password)
        print(f"BI login {reader}: may read the views in schema reporting of database reporting")


def _default_database_urls() -> list[str]:
    return [os.environ.get(f"{svc.upper()}_DATABASE_URL") or local_database_url(svc) for svc in DEFAULT_SERVICES]


def _add_operations(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    topics = sub.add_parser("topics", help="topic checks").add_subparsers(dest="action", required=True)
    topics.add_parser("verify", help="every declared topic and its .dlq exist with the declared partitions")
    dlq = sub.add_parser("dlq", help="dead-letter topics").add_subparsers(dest="action", required=True)
    ls = dlq.add_parser("list", help="show the most recent dead letters of a topic, grouped by origin record")
    ls.add_argument("topic", help="source topic or its .dlq, e.g. personnel.officer")
    ls.add_argument("--limit", type=int, default=50, help="at most this many, the newest (default 50)")
    ls.add_argument("--json", action="store_true", help="one JSON array instead of text")
    rp = dlq.add_parser("replay", help="send dead letters back to the consumer that failed them, after the fix")
    rp.add_argument("topic", help="source topic or its .dlq, e.g. personnel.officer")
    rp.add_argument("--consumer", help="only records this consumer (group) dead-lettered")
    rp.add_argument("--offsets", nargs="+", metavar="PARTITION:OFFSET", help="only these records of the .dlq")
    rp.add_argument("--dry-run", action="store_true", help="show what would be replayed, publish nothing")
    rp.add_argument("--group", help="consumer group keeping the replay's progress (default: per --consumer)")
    ob = sub.add_parser("outbox", help="outbox checks").add_subparsers(dest="action", required=True)
    bl = ob.add_parser("backlog", help="unpublished rows and the oldest one's age, per database")
    bl.add_argument("--database-url", action="append", help="repeatable; default: every service's database")
    rb = sub.add_parser("rebuild", help="rebuild projections").add_subparsers(dest="action", required=True)
    rr = rb.add_parser("reporting", help="run reporting-rebuild; arguments after -- are passed on")
    rr.add_argument("rest", nargs=argparse.REMAINDER, help="e.g. -- --topics personnel.officer")
    backup_cli.add_parsers(sub)


def _topics(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from .ops import commands

    return commands.topics_verify(bootstrap, prefix)


def _dlq(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from .ops import commands

    if args.action == "list":
        return commands.dlq_list(bootstrap, prefix, args.topic, args.limit, args.json)
    return commands.dlq_replay(
        bootstrap, prefix, args.topic, args.consumer, args.offsets, args.dry_run, group=args.group
    )


def _outbox(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from .ops import commands

    return commands.outbox_report(args.database_url or _default_database_urls())


def _rebuild(args: argparse.Namespace, bootstrap: str, prefix: str) -> int:
    from .ops import commands

    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    return commands.rebuild_reporting(rest)


_OPERATIONS = {
    "topics": _topics,
    "dlq": _dlq,
    "outbox": _outbox,
    "rebuild": _rebuild,
    "backup": backup_cli.backup,
    "restore": backup_cli.restore,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cds-platform", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("wait-kafka")
    w.add_argument("--timeout", type=float, default=60.0)
    t = sub.add_parser("create-topics")
    t.add_argument("--replication-factor", type=int, default=int(env("KAFKA_REPLICATION_FACTOR", "1")))
    p = sub.add_parser("provision-databases")
    p.add_argument("services", nargs="*", default=list(DEFAULT_SERVICES))
    k = sub.add_parser("token")
    k.add_argument(
        "--role", default=os.environ.get("ROLE") or "province_admin", help="a role of cds_plumbing.auth.Role"
    )
    k.add_argument("--unit", default=os.environ.get("UNIT") or None)
    k.add_argument("--subject", default="local-user")
    _add_operations(sub)
    args = parser.parse_args(argv)

    # aiokafka logs every refused connection while the broker boots; the command reports the outcome itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    bootstrap = default_bootstrap()
    prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    if args.command in _OPERATIONS:
        return _OPERATIONS[args.command](args, bootstrap, prefix)
    from .kafka_admin import ensure_topics, wait_for_kafka

    if args.command == "wait-kafka":
        brokers = asyncio.run(wait_for_kafka(bootstrap, args.timeout))
        print(f"kafka at {bootstrap}: {brokers} broker(s) answering")
    elif args.command == "create-topics":
        from cds_contracts import TopicSpec, all_topics

        topics = [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()]
        created, present = asyncio.run(ensure_topics(bootstrap, topics, args.replication_factor))
        print(f"topics: {len(created)} created, {len(present)} already present")
    elif args.command == "provision-databases":
        asyncio.run(provision(args.services, admin_database_url()))
    elif args.command == "token":
        from .auth import Role, mint_token

        if args.role not in {r.value for r in Role}:
            print(f"--role must be one of {', '.join(r.value for r in Role)}", file=sys.stderr)
            return 2
        role = Role(args.role)
        if role is Role.UNIT_EDITOR and not args.unit:
            print("a unit_editor token needs UNIT=<unit code>", file=sys.stderr)
            return 2
        print(mint_token(ServiceSettings(service_name="cli"), role, unit=args.unit, subject=args.subject))
    return 0


if __name__ == "__main__":
    sys.exit(main())
