#!/usr/bin/env bash
# Runs the SCIM Ledger benchmark end to end:
#   1. starts the service with deploy/run-local.sh (durable local PostgreSQL + local Kafka + ./mvnw quarkus:dev),
#   2. waits (up to BENCH_START_TIMEOUT seconds, default 300) until /q/health/ready answers 200 or /scim/v2/Users
#      answers 401,
#   3. runs bench/ScimBench.java with the given arguments, writing target/bench-report.md,
#   4. stops the service (SIGTERM to run-local.sh) and waits for it to exit.
#
# Usage: bash bench/run.sh [ScimBench options...]      e.g. bash bench/run.sh --threads 8 --creates 1000
# Logs: target/bench-service.log (Quarkus), target/bench-local-stack.log (PostgreSQL/Kafka). Port 8080 must be free.
#
# The service runs from a snapshot copy of the working tree (bench/lib.sh; BENCH_SNAPSHOT=0 runs in place).
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init bench
SERVICE_LOG="$ROOT/target/bench-service.log"
REPORT="$ROOT/target/bench-report.md"
code_version="$CODE_VERSION"

bench_start_service "$SERVICE_LOG"

# Record the PostgreSQL durability settings actually in effect (the local stack runs PostgreSQL durably).
note="code $code_version; Quarkus dev mode (./mvnw quarkus:dev via deploy/run-local.sh), Kafka relay enabled"
if [[ -f "$RUN_DIR/target/local-stack.env" ]] && command -v psql >/dev/null; then
  # shellcheck disable=SC1091
  source "$RUN_DIR/target/local-stack.env"
  if pg="$(PGPASSWORD="$SCIM_DB_APP_PASSWORD" psql -X -A -t -h "$SCIM_DB_HOST" -p "$SCIM_DB_PORT" -U "$SCIM_DB_APP_USER" \
      -d "$SCIM_DB_NAME" -c "select 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes')" 2>/dev/null)"; then
    note="$note; $pg"
    echo "[bench] $pg"
  fi
fi

echo "[bench] running: java bench/ScimBench.java --out $REPORT $*"
rc=0
java bench/ScimBench.java --env-note "$note" --out "$REPORT" "$@" || rc=$?
echo "[bench] ScimBench exited with $rc; report: $REPORT"
exit "$rc"
