#!/usr/bin/env bash
# Issue 13's rebuild bar, measured on the PACKAGED service in the prod profile: POST /admin/projections/rebuild on a
# log of 1,000,000 events (bar: >= 50,000 events/s).
#
#   bash bench/rebuild.sh                          # build the jar (through the Maven lock), start, load, rebuild
#   REBUILD_SKIP_BUILD=1 bash bench/rebuild.sh     # reuse target/quarkus-app as it is
#   REBUILD_EVENTS=20000 bash bench/rebuild.sh     # size of the generated log (default 1000000)
#   REBUILD_RELAY=1 bash bench/rebuild.sh          # keep the Kafka relay on (default off, see 2.)
#   REBUILD_RUNS=2 bash bench/rebuild.sh           # rebuild N times in a row (the first runs the rebuild's code cold)
#   REBUILD_WARM_SECONDS=0 bash bench/rebuild.sh   # no SCIM traffic before the rebuild (default 30 s of POST, 30 of GET)
#
# 1. builds target/quarkus-app; picks a throwaway master key (SCIM_CRYPTO_MASTER_KEY) so that the generator seals
#    with the key the service runs with;
# 2. starts it like bench/speed.sh (deploy/run-local.sh --packaged: durable local PostgreSQL, in-process Kafka) with
#    SCIM_PUBLISH_ENABLED=false, as in the restore procedure of docs/operations.md: otherwise the relay publishes
#    the whole generated log to Kafka at start and competes with the rebuild for the two cores;
# 3. registers tenants "bench" and "sample" through the admin API (their TenantCreated events are the service's);
# 4. writes the log FAST but VALID with bench/RebuildLog.java, run on the packaged jar's classpath so that the
#    service's own classes make every row (ResourceNormalizer/PatchEngine parse the requests, PersonalDataCipher seals
#    personal values under a fresh per-user data key wrapped by the service's MasterKey, HashChain chains each
#    stream): UserCreated, UserPatched (4 users in 5), GroupCreated and GroupMembersAdded (100 members per event,
#    1,000 users per group), streamed into PostgreSQL with COPY as the schema owner, with the data_key rows. Tenant
#    "sample" gets 2,000 events the same way; then VACUUM ANALYZE (what autovacuum does to a log that grew slowly);
# 5. verifies the generated log with the service itself: GET /audit/verify (every hash chain) on "sample", and on
#    "bench" too when it has at most 200,000 events (REBUILD_VERIFY_ALL=1 forces it);
# 6. warms the service up like one that has been serving: wrk POSTs users, then lists them, for tenant "warm";
# 7. POST /admin/projections/rebuild (platform:admin token), timed by curl, REBUILD_RUNS times; reports per run events
#    in the log, seconds, events/s, the endpoint's JSON answer, the CPU seconds of the service (by thread: JIT
#    compilers and GC included), of PostgreSQL and of the machine (bench/cpu.sh), and PostgreSQL's WAL, checkpoint
#    and buffer counters;
# 8. reads back: GET /Users/{id} of every 100th generated user (1,000 at most) answers 200 with the generated
#    userName, and GET /Users?count=0 counts every generated user;
# 9. writes target/rebuild-report.md (and prints it).
#
# Holds /tmp/scim-maven.lock while generating and measuring. Installs psql, jq and wrk (Debian packages) when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/packaged.sh
source "$ROOT/bench/packaged.sh"
EVENTS="${REBUILD_EVENTS:-1000000}"
SAMPLE_EVENTS=2000
MASTER_KEY_ID=m1 # scim.crypto.master-key-id of the prod profile

packaged_need psql postgresql-client
packaged_need jq jq
packaged_need wrk wrk
packaged_need openssl openssl
packaged_build REBUILD
SCIM_CRYPTO_MASTER_KEY="$(openssl rand -base64 32)"
export SCIM_CRYPTO_MASTER_KEY SCIM_CRYPTO_MASTER_KEY_ID="$MASTER_KEY_ID"
if [[ "${REBUILD_RELAY:-0}" != "1" ]]; then export SCIM_PUBLISH_ENABLED=false; fi
packaged_start rebuild
OUT="$ROOT/target/rebuild"
rm -rf "$OUT"
mkdir -p "$OUT"
REPORT="$ROOT/target/rebuild-report.md"
packaged_tenant bench
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"sample","settings":{"requestsPerSecond":1000000,"burst":1000000}}' "$HOST_URL/admin/tenants"
CP="$ROOT/target/quarkus-app/app/*:$ROOT/target/quarkus-app/lib/main/*"
COLUMNS_EVENT="event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, txn_id, payload, prev_hash, hash"
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

packaged_lock rebuild

# --- the log ----------------------------------------------------------------------------------------------------
generate() { # generate TENANT EVENTS: the generator's rows straight into COPY, then the tenant's data keys
  local tenant="$1" n="$2"
  java -cp "$CP" "$ROOT/bench/RebuildLog.java" "$tenant" "$n" "$SCIM_CRYPTO_MASTER_KEY" "$MASTER_KEY_ID" \
    "$OUT/keys-$tenant.csv" "$OUT/sample-$tenant.txt" |
    sql -c "\\copy event ($COLUMNS_EVENT) from pstdin (format csv)"
  sql -c "\\copy data_key (tenant_id, subject_id, wrapped_key, master_key_id) from '$OUT/keys-$tenant.csv' (format csv)"
}
GEN_START=$SECONDS
generate sample "$SAMPLE_EVENTS"
generate bench "$EVENTS"
sql -c "vacuum analyze event" -c "vacuum analyze data_key"
GEN_S=$((SECONDS - GEN_START))
LOG_EVENTS="$(sql -c "select count(*) from event")"
BENCH_EVENTS="$(sql -c "select count(*) from event where tenant_id = 'bench'")"
GEN_USERS="$(wc -l <"$OUT/keys-bench.csv")"
echo "[rebuild] generated $EVENTS events for bench ($GEN_USERS users) in ${GEN_S} s; the log holds $LOG_EVENTS events"

# --- the service verifies the generated chains ------------------------------------------------------------------
verify() { # verify TENANT -> one line of the report
  local answer
  answer="$(curl -s --max-time 3600 -H "Authorization: Bearer $(packaged_mint "$1" "audit:read" auditor)" "$HOST_URL/audit/verify")"
  echo "$answer" >"$OUT/verify-$1.json"
  [[ "$(jq -r .intact <<<"$answer")" == "true" ]] || { echo "[rebuild] ERROR: the chains of $1 do not verify: $answer" >&2; exit 1; }
  echo "- \`GET /audit/verify\` for tenant $1: \`$answer\`"
}
VERIFIED=("$(verify sample)")
if ((EVENTS <= 200000)) || [[ "${REBUILD_VERIFY_ALL:-0}" == "1" ]]; then VERIFIED+=("$(verify bench)"); fi
printf '%s\n' "${VERIFIED[@]}"

# --- warm-up: a service that has been serving SCIM traffic ---------------------------------------------------------
# An operator rebuilds a running service, whose request paths (JSON, the PostgreSQL client, AES-GCM) the JIT has
# compiled; a service started a minute ago interprets them while the rebuild runs (the first rebuild of a cold
# service spent about as much CPU compiling and running unoptimised code as rebuilding). So tenant "warm" gets
# POST /Users and then GET /Users?count=100 with wrk, for WARM_SECONDS each. Its events are part of the log rebuilt.
WARM_SECONDS="${REBUILD_WARM_SECONDS:-30}"
if ((WARM_SECONDS > 0)); then
  SAVED_ADMIN_TOKEN="$ADMIN_TOKEN"
  packaged_tenant warm
  ADMIN_TOKEN="$SAVED_ADMIN_TOKEN"
  echo "[rebuild] warm-up: POST /Users, then GET /Users?count=100, ${WARM_SECONDS} s each (tenant warm)"
  SPEED_TOKEN="$JWT" SPEED_RUN="warm" wrk -t2 -c16 -d"${WARM_SECONDS}s" -s "$ROOT/bench/lua/post-user.lua" "$HOST_URL" \
    >"$OUT/wrk-warm-post.txt"
  wrk -t2 -c16 -d"${WARM_SECONDS}s" -H "Authorization: Bearer $JWT" "$HOST_URL/scim/v2/Users?count=100" \
    >"$OUT/wrk-warm-get.txt"
  WARMED="POST /Users at $(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-warm-post.txt") req/s, then GET /Users?count=100 at $(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-warm-get.txt") req/s, ${WARM_SECONDS} s each (wrk, 16 connections, tenant warm)"
  LOG_EVENTS="$(sql -c "select count(*) from event")"
else
  WARMED="none (REBUILD_WARM_SECONDS=0): the first rebuild runs on a cold JVM"
fi
echo "[rebuild] warm-up: $WARMED; the log holds $LOG_EVENTS events"

# --- the rebuild --------------------------------------------------------------------------------------------------
# PostgreSQL's own counters around the rebuild: WAL written and flushed, checkpoints forced by WAL volume, dirty pages
# the backends had to write out themselves (shared_buffers too small for the load)
pg_counters() {
  sql -F ' ' -c "select w.wal_bytes, w.wal_buffers_full, w.wal_sync, b.checkpoints_timed + b.checkpoints_req, b.checkpoints_req, b.buffers_backend, b.buffers_backend_fsync from pg_stat_wal w, pg_stat_bgwriter b"
}
PG_SETTINGS="$(sql -c "select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings where name in ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'wal_buffers', 'maintenance_work_mem', 'work_mem')")"
CPU_POSTMASTER="$(head -1 "$(psql -X -q -A -t -U postgres -c 'show data_directory')/postmaster.pid")"
# shellcheck source=bench/cpu.sh
source "$ROOT/bench/cpu.sh"
RUNS="${REBUILD_RUNS:-1}"
ROWS=()
DETAILS=()
# rebuild_once N: one POST /admin/projections/rebuild, timed by curl, with the CPU each process and each of the
# service's threads used meanwhile (JIT compiler and GC threads included) and PostgreSQL's counters
rebuild_once() {
  local run="$1" code secs answer replayed rate verdict cpu_before cpu_after cpu_use cpu_threads pg_delta
  local -a pg_before pg_after
  read -r -a pg_before < <(pg_counters)
  cpu_before="$(cpu_ticks)"
  thread_ticks >"$OUT/threads-before.txt"
  echo "[rebuild] run $run of $RUNS: POST /admin/projections/rebuild over $LOG_EVENTS events"
  read -r code secs < <(curl -s -o "$OUT/rebuild-$run.json" -w '%{http_code} %{time_total}\n' --max-time 3600 -X POST \
    -H "Authorization: Bearer $ADMIN_TOKEN" "$HOST_URL/admin/projections/rebuild")
  cpu_after="$(cpu_ticks)"
  thread_ticks >"$OUT/threads-after.txt"
  read -r -a pg_after < <(pg_counters)
  answer="$(cat "$OUT/rebuild-$run.json")"
  echo "[rebuild] HTTP $code in $secs s: $answer"
  [[ "$code" == 200 ]] || { echo "[rebuild] ERROR: the rebuild answered $code" >&2; exit 1; }
  replayed="$(jq -r '.eventsReplayed // empty' <<<"$answer")"
  rate="$(awk -v n="${replayed:-$LOG_EVENTS}" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')"
  verdict="$(awk -v r="$rate" 'BEGIN {print (r >= 50000) ? "met" : "NOT met"}')"
  cpu_use="$(awk -v hz="$(getconf CLK_TCK)" -v b="$cpu_before" -v a="$cpu_after" 'BEGIN {
    split(b, x, " "); split(a, y, " ")
    printf "service JVM %.1f s, PostgreSQL %.1f s, Kafka broker %.1f s, machine busy %.1f of %.1f core-s",
      (y[1] - x[1]) / hz, (y[3] - x[3]) / hz, (y[2] - x[2]) / hz, (y[4] - x[4]) / hz, (y[5] - x[5]) / hz }')"
  cpu_threads="$(awk -F'\t' -v hz="$(getconf CLK_TCK)" '
    FNR == NR { before[$2] = $1; next }
    { d = $1 - before[$2]; if (d > 0) printf "%.1f\t%s\n", d / hz, $2 }' "$OUT/threads-before.txt" "$OUT/threads-after.txt" |
    sort -rn | head -8 | awk -F'\t' '{ printf "%s%s %s s", (NR > 1 ? ", " : ""), $2, $1 }')"
  pg_delta="$(awk -v b="${pg_before[*]}" -v a="${pg_after[*]}" 'BEGIN {split(b, x, " "); split(a, y, " "); printf "WAL %.0f MB written (%d times wal_buffers were full, %d WAL syncs); %d checkpoints (%d forced by WAL volume); %d buffers written by backends (%d backend fsyncs)", (y[1] - x[1]) / 1048576, y[2] - x[2], y[3] - x[3], y[4] - x[4], y[5] - x[5], y[6] - x[6], y[7] - x[7]}')"
  echo "[rebuild] CPU: $cpu_use; service threads: $cpu_threads"
  echo "[rebuild] PostgreSQL: $pg_delta"
  # (a `[[ ]] && echo` inside the row's $(...) made the assignment fail for run 2, which set -e ended the script on)
  local label="$run"
  if [[ "$run" == 1 ]]; then label+=" (first after the warm-up)"; fi
  ROWS+=("| $label | $LOG_EVENTS | ${replayed:-?} | $secs | **$rate** | **$verdict** |")
  DETAILS+=("- run $run: the endpoint answered \`$answer\`; CPU $cpu_use; the service's busiest threads: $cpu_threads; PostgreSQL: $pg_delta.")
}
for ((run = 1; run <= RUNS; run++)); do rebuild_once "$run"; done

# --- read back ----------------------------------------------------------------------------------------------------
JWT_READ="$(packaged_mint bench "scim:read")"
CHECKED=0
while read -r id name; do
  got="$(curl -s -H "Authorization: Bearer $JWT_READ" "$HOST_URL/scim/v2/Users/$id" | jq -r .userName)"
  [[ "$got" == "$name" ]] || { echo "[rebuild] ERROR: GET /Users/$id answered userName '$got', generated '$name'" >&2; exit 1; }
  CHECKED=$((CHECKED + 1))
done < <(head -n 1000 "$OUT/sample-bench.txt")
TOTAL="$(curl -s -H "Authorization: Bearer $JWT_READ" "$HOST_URL/scim/v2/Users?count=0" | jq -r .totalResults)"
[[ "$TOTAL" == "$GEN_USERS" ]] || { echo "[rebuild] ERROR: GET /Users counts $TOTAL users, $GEN_USERS were generated" >&2; exit 1; }

{
  echo "Rebuild run of $(date -u +%Y-%m-%dT%H:%MZ), code $CODE_VERSION: packaged quarkus-run.jar, prod profile, relay $([[ "${REBUILD_RELAY:-0}" == 1 ]] && echo on || echo off)."
  echo
  echo "Machine: $(packaged_machine). Service and PostgreSQL share these cores."
  echo "Log: $EVENTS generated events for tenant bench ($GEN_USERS users; bench/RebuildLog.java, COPY) + $SAMPLE_EVENTS for tenant sample, written in ${GEN_S} s (VACUUM ANALYZE included); $LOG_EVENTS events in all, with the tenants' own TenantCreated events."
  echo
  echo "Before the rebuild, warm-up: $WARMED."
  echo
  echo "| run | events in the log | events replayed | seconds | events/s | bar ≥ 50,000/s |"
  echo "|---|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf '%s\n' "${DETAILS[@]}"
  echo "- PostgreSQL settings: $PG_SETTINGS."
  echo
  echo "Checks on the generated log, by the service:"
  printf '%s\n' "${VERIFIED[@]}"
  echo "- after the rebuild, GET /Users/{id} of $CHECKED generated users (every 100th, 1,000 at most) answered their generated userName; GET /Users counts $TOTAL users."
} | tee "$REPORT"
echo "[rebuild] report: $REPORT; raw: $OUT/"
