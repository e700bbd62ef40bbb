#!/usr/bin/env bash
# Scale scenario: the READ path over one tenant of 1,000,000 users (docs/performance.md, "Scale").
#   1. starts the service like bench/run.sh (snapshot copy of the working tree, deploy/run-local.sh: durable
#      local PostgreSQL + local Kafka + ./mvnw quarkus:dev) and waits until it is ready;
#   2. creates ONE template user through the API (bench/ScaleBench.java template), then bulk-loads
#      SCALE_USERS (default 1,000,000) users with SQL (bench/scale-load.sql, as the schema owner) straight into
#      the projection tables scim_user + user_name_claim, shaped like the template's row. NO events are written:
#      this measures the read path on a large projection, not the write path;
#   3. draws a random sample of existing users, runs bench/ScaleBench.java measure over HTTP (fresh dev token),
#      then EXPLAIN (ANALYZE, BUFFERS) of the service's SQL (bench/scale-explain.sql);
#   4. stops the service and the local stack.
# Outputs: target/scale-report.md (HTTP numbers), target/scale-explain.txt (plans), target/scale-load.txt.
# Usage: flock /tmp/mvn.lock bash bench/scale.sh      Env: SCALE_USERS, SCALE_THREADS (4), SCALE_FACTOR (1.0)
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init scale
USERS="${SCALE_USERS:-1000000}"
THREADS="${SCALE_THREADS:-4}"
FACTOR="${SCALE_FACTOR:-1.0}"
SERVICE_LOG="$ROOT/target/scale-service.log"

bench_start_service "$SERVICE_LOG"
bench_db_env
psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
pg_info="$(psql_q -c "select 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers=' || current_setting('shared_buffers') || ', work_mem=' || current_setting('work_mem') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')")"
echo "[scale] $pg_info"

TENANT="scale-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "[scale] tenant $TENANT: creating the template user through the API"
TEMPLATE_ID="$(java bench/ScaleBench.java template --tenant "$TENANT" | tail -n 1)"
echo "[scale] template user $TEMPLATE_ID; loading $USERS users with SQL (bench/scale-load.sql)"
t0=$SECONDS
psql -X -v ON_ERROR_STOP=1 -v tenant="$TENANT" -v template_id="$TEMPLATE_ID" -v users="$USERS" \
  -f bench/scale-load.sql >"$ROOT/target/scale-load.txt" 2>&1 || { cat "$ROOT/target/scale-load.txt" >&2; exit 1; }
cat "$ROOT/target/scale-load.txt"
load_s=$((SECONDS - t0))
echo "[scale] loaded in ${load_s} s"

# A random sample of existing users (bounded: 2,000 rows); excluding the template.
SAMPLE="$ROOT/target/scale-sample.tsv"
psql_q -F $'\t' -c "SELECT id, user_name, external_id, doc->'name'->>'familyName' FROM scim_user TABLESAMPLE SYSTEM (1)
  WHERE tenant_id = '$TENANT' AND id <> '$TEMPLATE_ID' ORDER BY random() LIMIT 2000" >"$SAMPLE"
echo "[scale] sample: $(wc -l <"$SAMPLE") users"

java bench/ScaleBench.java measure --tenant "$TENANT" --sample "$SAMPLE" --threads "$THREADS" --scale "$FACTOR" \
  --out "$ROOT/target/scale-report.md"
{
  echo
  echo "Load: $USERS users by SQL in ${load_s} s; $pg_info; code $(git rev-parse --short HEAD 2>/dev/null)$( [[ -n "$(git status --porcelain -- src pom.xml 2>/dev/null)" ]] && echo ' + uncommitted changes'); $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
} >>"$ROOT/target/scale-report.md"

# EXPLAIN with values of one sampled user (userName case-varied) and a keyset position in the middle.
IFS=$'\t' read -r s_id s_un s_ext s_fam < <(sed -n 7p "$SAMPLE")
s_un_varied="$(echo "$s_un" | sed 's/^\(.\)\(.\)\(.\)/\U\1\E\2\U\3/')"
IFS='|' read -r mid_created mid_id < <(psql_q -c "SELECT created, id FROM scim_user WHERE tenant_id = '$TENANT' ORDER BY created, id OFFSET 499999 LIMIT 1")
psql -X -v ON_ERROR_STOP=1 -v tenant="$TENANT" -v id="$s_id" -v un="$s_un_varied" -v ext="$s_ext" -v fam="$s_fam" \
  -v prefix="${s_un:0:6}" -v after_created="$mid_created" -v after_id="$mid_id" -f bench/scale-explain.sql \
  >"$ROOT/target/scale-explain.txt" 2>&1 || { cat "$ROOT/target/scale-explain.txt" >&2; exit 1; }
echo "[scale] plans: target/scale-explain.txt; report: target/scale-report.md"
cat "$ROOT/target/scale-report.md"
