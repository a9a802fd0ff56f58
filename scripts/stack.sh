#!/usr/bin/env bash
# Local stack without Docker: Apache Kafka (KRaft, jars from Maven Central) and a private PostgreSQL 15
# cluster, plus every service that has an app. Everything we start leaves a pid file in .run/, and
# `down` stops exactly those pids; `reset` also deletes the stored data.
# Usage: scripts/stack.sh install|install-browser|install-node|install-promtool|up|infra|down|status|reset|restart [svc ...]
# REPLICAS=N runs N instances of every service (ports +100 per replica); STACK_RUN_DIR and STACK_STATE_DIR
# move the pid files/logs and the data (the fault suite runs a private stack that way, tests/faults/).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

RUN="${STACK_RUN_DIR:-$ROOT/.run}"
CACHE="$ROOT/.cache"
STATE="${STACK_STATE_DIR:-$CACHE}"
KAFKA_LIBS="$CACHE/kafka/libs"
KAFKA_HOME="$STATE/kafka"
PG_HOME="$STATE/postgres"
REPLICAS="${REPLICAS:-1}"
# As root the cluster runs as user postgres, which may not be able to reach a checkout under a private
# folder (CI clones anywhere): then keep the cluster in a folder of its own, named after this state folder.
# Once a cluster exists in one of the two places it stays there: a change of the checkout's permissions
# must not start an empty cluster beside a Kafka that still holds every event.
PG_ELSEWHERE="/var/tmp/cds-postgres-$(echo "$STATE" | sha256sum | cut -c1-10)"
if [[ -f $PG_ELSEWHERE/data/PG_VERSION && ! -f $PG_HOME/data/PG_VERSION ]]; then
  PG_HOME="$PG_ELSEWHERE"
elif [[ $EUID -eq 0 ]] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
  PG_HOME="$PG_ELSEWHERE"
fi
PG_BIN="/usr/lib/postgresql/15/bin"
mkdir -p "$RUN" "$CACHE"

log() { printf '[stack] %s\n' "$*" >&2; }

alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

as_pg() {
  # initdb and postgres refuse to run as root; CI runs as root.
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_python() {
  if [[ ! -x .venv/bin/python ]]; then
    log "creating .venv"
    python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
  fi
  local stamp=".venv/.installed" inputs
  inputs="$(cat constraints.txt requirements-dev.txt shared/*/pyproject.toml services/*/pyproject.toml | sha256sum)"
  if [[ ! -f $stamp || "$(cat "$stamp")" != "$inputs" ]]; then
    log "installing Python packages (pinned by constraints.txt)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -c constraints.txt -r requirements-dev.txt
    echo "$inputs" >"$stamp"
  fi
}

install_kafka() {
  [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] && return 0
  local stamp="$KAFKA_LIBS/.pom.sha256" want
  want="$(sha256sum deploy/kafka/pom.xml | cut -d' ' -f1)"
  if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
    log "fetching Kafka jars with Maven (deploy/kafka/pom.xml)"
    rm -rf "$KAFKA_LIBS"
    mvn -q -B -f deploy/kafka/pom.xml -Dmaven.repo.local="$CACHE/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
    echo "$want" >"$stamp"
  fi
}

install_postgres() {
  [[ -n "${POSTGRES_ADMIN_URL:-}" ]] && return 0
  if [[ ! -x $PG_BIN/postgres ]]; then
    log "installing PostgreSQL 15 with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
}

install_browser() {
  # Only the test suite needs it: the dashboard's browser tests drive Debian's Chromium with Playwright
  # (pointed at /usr/bin/chromium, so Playwright downloads no browser of its own).
  [[ -x ${CHROMIUM_PATH:-/usr/bin/chromium} ]] && return 0
  log "installing Chromium with apt-get (dashboard browser tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

install_node_tools() {
  # Only the test suite needs them: the AsyncAPI CLI (tools/asyncapi) and the Node consumer example
  # (examples/consumer-node). Exact versions in each package.json; no lock file (it records registry hosts).
  if ! command -v npm >/dev/null; then
    log "installing Node.js and npm with apt-get (AsyncAPI CLI, Node consumer example)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  local dir stamp want
  for dir in tools/asyncapi examples/consumer-node; do
    stamp="$dir/node_modules/.package-json.sha256"
    want="$(sha256sum "$dir/package.json" | cut -d' ' -f1)"
    if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
      log "installing the npm packages of $dir (pinned in its package.json)"
      (cd "$dir" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null) || return 1
      echo "$want" >"$stamp"
    fi
  done
}

install_promtool() {
  # Only the test suite needs it: the alert rules in deploy/prometheus/ are checked and unit-tested with
  # promtool, which Debian ships in its prometheus package.
  command -v promtool >/dev/null && return 0
  log "installing promtool with apt-get (alert rule tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}

install() { install_python; install_kafka; install_postgres; }

start_postgres() {
  if [[ -n "${POSTGRES_ADMIN_URL:-}" ]]; then log "using PostgreSQL at POSTGRES_ADMIN_URL"; return 0; fi
  if alive postgres; then log "postgres already running (pid $(cat "$RUN/postgres.pid"))"; return 0; fi
  # A cluster outside the checkout outlives it: a new clone in the same folder would find the old clone's
  # databases (projections, checkpoints, outbox rows marked published) beside a Kafka holding none of their
  # events. A marker in the checkout says the cluster is this checkout's; without it, and without this
  # checkout's own Kafka storage, the cluster is an earlier clone's: start it afresh.
  local owned="$STATE/postgres-cluster"
  if [[ $PG_HOME == "$PG_ELSEWHERE" && -f $PG_HOME/data/PG_VERSION && ! -f $owned && -z "${KAFKA_BOOTSTRAP_SERVERS:-}" \
        && ! -f $KAFKA_HOME/data/meta.properties ]]; then
    log "the cluster in $PG_HOME belongs to an earlier checkout in this folder: starting afresh"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_HOME/data"
  fi
  mkdir -p "$STATE" && echo "$PG_HOME" >"$owned"
  if [[ ! -f $PG_HOME/data/PG_VERSION ]]; then
    log "initialising a private PostgreSQL cluster in $PG_HOME/data"
    mkdir -p "$PG_HOME"
    [[ $EUID -eq 0 ]] && chown postgres: "$PG_HOME"
    as_pg "$PG_BIN/initdb" -D "$PG_HOME/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_HOME/initdb.log"
  fi
  mkdir -p "$PG_HOME/run"
  [[ $EUID -eq 0 ]] && chown postgres: "$PG_HOME/run"
  # Only loopback; trust for local development. Services still log in with their own role and password.
  as_pg "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -l "$PG_HOME/postgres.log" -w -t 60 start \
    -o "-p $POSTGRES_PORT -k $PG_HOME/run -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
  head -1 "$PG_HOME/data/postmaster.pid" >"$RUN/postgres.pid"
  log "postgres started on 127.0.0.1:$POSTGRES_PORT (pid $(cat "$RUN/postgres.pid"))"
}

start_kafka() {
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then log "using Kafka at $KAFKA_BOOTSTRAP_SERVERS"; return 0; fi
  if alive kafka; then log "kafka already running (pid $(cat "$RUN/kafka.pid"))"; return 0; fi
  mkdir -p "$KAFKA_HOME/data" "$KAFKA_HOME/logs"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
    -e "s#@PROXIED_PORT@#$KAFKA_PROXIED_PORT#g" -e "s#@PROXY_PORT@#$KAFKA_PROXY_PORT#g" \
    -e "s#@DATA_DIR@#$KAFKA_HOME/data#g" deploy/kafka/server.properties.template >"$KAFKA_HOME/server.properties"
  local java=(java -Xms256m "-Xmx${KAFKA_HEAP:-768m}" -cp "$KAFKA_LIBS/*"
    "-Dlog4j2.configurationFile=$ROOT/deploy/kafka/log4j2.properties" "-Dkafka.logs.dir=$KAFKA_HOME/logs")
  if [[ ! -f $KAFKA_HOME/data/meta.properties ]]; then
    log "formatting Kafka storage (once)"
    local cluster_id
    cluster_id="$("${java[@]}" kafka.tools.StorageTool random-uuid)"
    "${java[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_HOME/server.properties" >/dev/null
  fi
  nohup "${java[@]}" kafka.Kafka "$KAFKA_HOME/server.properties" >"$KAFKA_HOME/logs/stdout.log" 2>&1 &
  echo $! >"$RUN/kafka.pid"
  log "kafka starting on 127.0.0.1:$KAFKA_PORT (pid $!)"
}

# Replica n of a service: named <svc> (n = 1) or <svc>-<n>, on the service's port + 100 * (n - 1), with
# INSTANCE_ID=n (static consumer group membership, see shared/plumbing/src/cds_plumbing/membership.py).
replica_name() { if [[ $2 -eq 1 ]]; then echo "$1"; else echo "$1-$2"; fi; }
replica_port() { echo $(($(service_port "$1") + 100 * ($2 - 1))); }

app_services() {
  local dir svc
  for dir in services/*/; do
    svc="$(basename "$dir")"
    [[ -f "$dir/src/$svc/entrypoints/app.py" ]] && echo "$svc"
  done
  return 0
}

# Starts one replica in the background and prints its pid. --reuse-port lets `restart` start a replacement
# on the same port before the old process stops.
launch() {
  local svc=$1 n=$2 name port
  name="$(replica_name "$svc" "$n")"
  port="$(replica_port "$svc" "$n")"
  mkdir -p "$RUN/logs"
  # cds-serve (cds_plumbing.serve): uvicorn that exits 0 after a SIGTERM shutdown instead of re-raising it.
  # AUTH_ALLOW_DEV_SECRET: this local stack (and only it) may sign tokens with the published dev secret.
  export AUTH_ALLOW_DEV_SECRET="${AUTH_ALLOW_DEV_SECRET:-1}"
  INSTANCE_ID="$n" nohup .venv/bin/cds-serve "$svc.entrypoints.app:app" --host 127.0.0.1 --port "$port" \
    --reuse-port >>"$RUN/logs/$name.log" 2>&1 &
  echo $!
}

start_services() {
  local svc n name
  for svc in $(app_services); do
    for n in $(seq 1 "$REPLICAS"); do
      name="$(replica_name "$svc" "$n")"
      if alive "$name"; then log "$name already running (pid $(cat "$RUN/$name.pid"))"; continue; fi
      launch "$svc" "$n" >"$RUN/$name.pid"
      log "$name starting on http://127.0.0.1:$(replica_port "$svc" "$n") (pid $(cat "$RUN/$name.pid"))"
    done
  done
}

http_ok() {
  .venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
}

wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 120); do
    http_ok "http://127.0.0.1:$port/health/ready" && return 0
    alive "$name" || { log "$name exited; see $RUN/logs/$name.log"; tail -20 "$RUN/logs/$name.log" >&2; return 1; }
    sleep 0.5
  done
}

wait_services() {
  local svc n name
  for svc in $(app_services); do
    for n in $(seq 1 "$REPLICAS"); do
      name="$(replica_name "$svc" "$n")"
      alive "$name" || continue
      wait_ready "$name" "$(replica_port "$svc" "$n")"
    done
  done
}

# Rolling restart without moving a partition: per replica, start the replacement on the same port and with
# the same INSTANCE_ID, wait until it has started (its consumers then wait for the old process's instance
# lock), then SIGTERM the old one: it finishes its batch and stops, and the replacement takes over its
# static group membership within the session timeout. Usage: restart [svc ...] (default: every service).
restart() {
  local svc n name old new log_file size
  for svc in ${@:-$(app_services)}; do
    for n in $(seq 1 "$REPLICAS"); do
      name="$(replica_name "$svc" "$n")"
      alive "$name" || { log "$name is not running; start it with up"; continue; }
      old="$(cat "$RUN/$name.pid")"
      log_file="$RUN/logs/$name.log"
      size="$(stat -c %s "$log_file" 2>/dev/null || echo 0)"
      new="$(launch "$svc" "$n")"
      echo "$new" >"$RUN/$name.next.pid"  # `down` meanwhile stops it too
      for _ in $(seq 1 240); do
        tail -c +"$((size + 1))" "$log_file" | grep -q "Application startup complete" && break
        kill -0 "$new" 2>/dev/null || { log "replacement of $name exited; see $log_file"; rm -f "$RUN/$name.next.pid"; return 1; }
        sleep 0.25
      done
      kill -TERM "$old" 2>/dev/null || true
      for _ in $(seq 1 120); do kill -0 "$old" 2>/dev/null || break; sleep 0.5; done
      mv "$RUN/$name.next.pid" "$RUN/$name.pid"
      wait_ready "$name" "$(replica_port "$svc" "$n")"
      log "restarted $name (pid $old -> $new)"
    done
  done
}

infra() {
  install
  start_postgres
  start_kafka
  .venv/bin/cds-platform wait-kafka --timeout 120
  .venv/bin/cds-platform provision-databases
}

up() {
  infra
  .venv/bin/cds-platform create-topics
  start_services
  wait_services
}

stop_pid() {
  local name=$1 pid
  alive "$name" || { rm -f "$RUN/$name.pid"; return 0; }
  pid="$(cat "$RUN/$name.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && { log "$name did not stop in 30 s; killing"; kill -KILL "$pid" || true; }
  rm -f "$RUN/$name.pid"
  log "stopped $name (pid $pid)"
}

down() {
  for pidfile in "$RUN"/*.pid; do
    [[ -e $pidfile ]] || continue
    name="$(basename "$pidfile" .pid)"
    [[ $name == kafka || $name == postgres ]] && continue
    stop_pid "$name"
  done
  stop_pid kafka
  # Postgres's own fast shutdown (pg_ctl) also removes its postmaster.pid cleanly.
  if alive postgres; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -m fast -w stop >/dev/null || true
    stop_pid postgres
  fi
}

reset() {
  # Everything `make up` stored: broker data, the private cluster, pid files. Jars and .venv stay.
  down
  rm -rf "$KAFKA_HOME/data" "$STATE/postgres/data" "$PG_ELSEWHERE/data" "$RUN"
  log "stack data removed"
}

status() {
  local any=1
  local names=(postgres kafka) svc n
  for svc in $(app_services); do
    for n in $(seq 1 "$REPLICAS"); do names+=("$(replica_name "$svc" "$n")"); done
  done
  for name in "${names[@]}"; do
    if alive "$name"; then printf '%-14s running  pid %s\n' "$name" "$(cat "$RUN/$name.pid")"; any=0
    else printf '%-14s stopped\n' "$name"; fi
  done
  [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]] && printf 'kafka (external) %s\n' "$KAFKA_BOOTSTRAP_SERVERS"
  return 0
}

case "${1:-}" in
  install) install ;;
  install-browser) install_browser ;;
  install-node) install_node_tools ;;
  install-promtool) install_promtool ;;
  up) up ;;
  infra) infra ;;
  start-postgres) start_postgres ;;
  start-kafka) start_kafka ;;
  # The fault suite's abrupt stop (tests/faults): `immediate` is a crash for PostgreSQL (recovery at start).
  stop-postgres) as_pg "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -m "${2:-fast}" -w stop >/dev/null; rm -f "$RUN/postgres.pid" ;;
  start-services) start_services; wait_services ;;
  restart) shift; restart "$@" ;;
  down) down ;;
  status) status ;;
  reset) reset ;;
  *) echo "usage: $0 install|install-browser|install-node|install-promtool|up|infra|start-postgres|stop-postgres [fast|immediate]|start-kafka|start-services|restart [svc ...]|down|status|reset" >&2; exit 2 ;;
esac
