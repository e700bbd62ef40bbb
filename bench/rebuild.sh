#!/usr/bin/env bash
# Issue 13's rebuild bar, measured on the PACKAGED service in the prod profile: POST /admin/projections/rebuild on a
# log of 1,000,000 events (bar: >= 50,000 events/s).
#
#   bash bench/rebuild.sh                          # build the jar (through the Maven lock), start, load, rebuild
#   REBUILD_SKIP_BUILD=1 bash bench/rebuild.sh     # reuse target/quarkus-app as it is
#   REBUILD_EVENTS=20000 bash bench/rebuild.sh     # size of the generated log (default 1000000)
#   REBUILD_RELAY=1 bash bench/rebuild.sh          # keep the Kafka relay on (default off, see 2.)
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
# 6. POST /admin/projections/rebuild (platform:admin token), timed by curl; reports events in the log, seconds,
#    events/s and every field of the endpoint's JSON answer (phases, if it reports them);
# 7. reads back: GET /Users/{id} of every 100th generated user (1,000 at most) answers 200 with the generated
#    userName, and GET /Users?count=0 counts every generated user;
# 8. writes target/rebuild-report.md (and prints it).
#
# Holds /tmp/scim-maven.lock while generating and measuring. Installs psql/jq (Debian packages) when missing.
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

# --- the rebuild --------------------------------------------------------------------------------------------------
echo "[rebuild] POST /admin/projections/rebuild over $LOG_EVENTS events"
read -r CODE SECS < <(curl -s -o "$OUT/rebuild.json" -w '%{http_code} %{time_total}\n' --max-time 3600 -X POST \
  -H "Authorization: Bearer $ADMIN_TOKEN" "$HOST_URL/admin/projections/rebuild")
ANSWER="$(cat "$OUT/rebuild.json")"
echo "[rebuild] HTTP $CODE in $SECS s: $ANSWER"
[[ "$CODE" == 200 ]] || { echo "[rebuild] ERROR: the rebuild answered $CODE" >&2; exit 1; }
REPLAYED="$(jq -r '.eventsReplayed // empty' <<<"$ANSWER")"
RATE="$(awk -v n="${REPLAYED:-$LOG_EVENTS}" -v s="$SECS" 'BEGIN {printf "%.0f", n / s}')"
VERDICT="$(awk -v r="$RATE" 'BEGIN {print (r >= 50000) ? "met" : "NOT met"}')"

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
  echo "| events in the log | events replayed | seconds | events/s | bar ≥ 50,000/s |"
  echo "|---:|---:|---:|---:|---|"
  echo "| $LOG_EVENTS | ${REPLAYED:-?} | $SECS | **$RATE** | **$VERDICT** |"
  echo
  echo "The endpoint's answer (HTTP $CODE): \`$ANSWER\`"
  echo
  echo "Checks on the generated log, by the service:"
  printf '%s\n' "${VERIFIED[@]}"
  echo "- after the rebuild, GET /Users/{id} of $CHECKED generated users (every 100th, 1,000 at most) answered their generated userName; GET /Users counts $TOTAL users."
} | tee "$REPORT"
echo "[rebuild] report: $REPORT; raw: $OUT/"
