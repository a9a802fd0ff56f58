"""`cds-platform`: operator commands for the local stack and deployments.

wait-kafka            wait until the broker answers a metadata request
create-topics         create every declared topic and its .dlq topic (idempotent)
provision-databases   create one role and database per service (idempotent)
token                 print a bearer token for the local stack
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

import asyncpg

from cds_contracts import TopicSpec, all_topics

from .auth import Role, mint_token
from .kafka_admin import ensure_topics, wait_for_kafka
from .settings import ServiceSettings, admin_database_url, default_bootstrap, env

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
    k.add_argument("--role", default=os.environ.get("ROLE") or "province_admin", choices=[r.value for r in Role])
    k.add_argument("--unit", default=os.environ.get("UNIT") or None)
    k.add_argument("--subject", default="local-user")
    args = parser.parse_args(argv)

    # aiokafka logs every refused connection while the broker boots; the command reports the outcome itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    bootstrap = default_bootstrap()
    if args.command == "wait-kafka":
        brokers = asyncio.run(wait_for_kafka(bootstrap, args.timeout))
        print(f"kafka at {bootstrap}: {brokers} broker(s) answering")
    elif args.command == "create-topics":
        prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
        topics = [TopicSpec(prefix + t.name, t.partitions, t.config) for t in all_topics()]
        created, present = asyncio.run(ensure_topics(bootstrap, topics, args.replication_factor))
        print(f"topics: {len(created)} created, {len(present)} already present")
    elif args.command == "provision-databases":
        asyncio.run(provision(args.services, admin_database_url()))
    elif args.command == "token":
        role = Role(args.role)
        if role is Role.UNIT_EDITOR and not args.unit:
            print("a unit_editor token needs UNIT=<unit code>", file=sys.stderr)
            return 2
        print(mint_token(ServiceSettings(service_name="cli"), role, unit=args.unit, subject=args.subject))
    return 0


if __name__ == "__main__":
    sys.exit(main())
