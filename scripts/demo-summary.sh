#!/usr/bin/env bash
# Printed by `make demo` once the stack is up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/env.sh
echo
echo "CĐS workforce platform is up:"
echo "  Kafka        ${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:$KAFKA_PORT}"
echo "  PostgreSQL   127.0.0.1:$POSTGRES_PORT (one database per service)"
for svc in personnel training recruitment reporting; do
  port="$(service_port "$svc")"
  printf '  %-12s http://127.0.0.1:%s/docs  (ready: %s)\n' "$svc" "$port" \
    "$(.venv/bin/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "http://127.0.0.1:$port/health/ready" 2>/dev/null && echo yes || echo no)"
done
viewer="$(ROLE=viewer .venv/bin/cds-platform token --subject demo-viewer)"
# The token travels in the fragment (#...), which browsers never send to a server; the page drops it at once.
echo "  Dashboard    http://127.0.0.1:$REPORTING_HTTP_PORT/dashboard/#token=$viewer"
echo "               (one click, signed in as a viewer for 8 h; Tiếng Việt, English: ?lang=en before the #)"
echo
echo "Every /api/v1 call needs a token: make token [ROLE=...] [UNIT=...]. Stop everything with: make down"
