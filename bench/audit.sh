#!/usr/bin/env bash
# Audit API benchmark (docs/performance.md, "Audit API").
#   1. starts the service like bench/scale.sh (snapshot copy of the working tree, deploy/run-local.sh: durable local
#      PostgreSQL + local Kafka + ./mvnw quarkus:dev), with the Kafka relay DISABLED (scim.publish.enabled=false) so
#      that publishing the synthetic events of step 3 does not run in the same JVM during the measurements;
#   2. bench/AuditBench.java api: through the API, one user with 1,000 events and 100 groups; measures full history,
#      as-of and memberships (fixed counts, 1 and 4 client threads);
#   3. export at scale: inserts AUDIT_EVENTS (default 1,000,000) synthetic UserPatched events with SQL, as the schema
#      owner, into a separate tenant (dummy hashes: the export does not verify them; no personal data), then streams
#      GET /audit/changes?subject=...&format=ndjson to a pipe with curl while sampling the service JVM's RSS (ps) and
#      heap (jstat) every second;
#   4. stops the service and the local stack.
# Outputs: target/audit-report.md, target/audit-memory.tsv (samples), target/audit-jstat.txt, target/audit-service.log
# Usage: flock /tmp/mvn.lock bash bench/audit.sh     Env: AUDIT_EVENTS, AUDIT_REQUESTS (100), AUDIT_PUBLISH=1 (keep relay)
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init audit
EVENTS="${AUDIT_EVENTS:-1000000}"
REQUESTS="${AUDIT_REQUESTS:-100}"
CHUNK=100000
SERVICE_LOG="$ROOT/target/audit-service.log"
REPORT="$ROOT/target/audit-report.md"
MEM="$ROOT/target/audit-memory.tsv"
JSTAT_OUT="$ROOT/target/audit-jstat.txt"
code_version="$CODE_VERSION"

SAMPLER_PID=""
JSTAT_PID=""
stop_samplers() {
  for p in "$SAMPLER_PID" "$JSTAT_PID"; do
    if [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
  done
  SAMPLER_PID=""; JSTAT_PID=""
}
bench_on_exit() { stop_samplers; }

publish=false
[[ "${AUDIT_PUBLISH:-0}" == "1" ]] && publish=true
bench_start_service "$SERVICE_LOG" -Dscim.publish.enabled=$publish

# The service JVM: the process listening on the port (the dev-mode child JVM, not Maven).
JVM_PID="$(ss -ltnpH "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)"
if [[ -z "$JVM_PID" ]]; then
  echo "[audit] ERROR: cannot find the pid listening on port $PORT" >&2; exit 1
fi
echo "[audit] service JVM pid $JVM_PID: $(ps -o comm=,rss= -p "$JVM_PID" | tr -s ' ') (RSS kB)"

bench_db_env
psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
pg_info="$(psql_q -c "select 'PostgreSQL ' || current_setting('server_version') || ', shared_buffers=' || current_setting('shared_buffers') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')")"
echo "[audit] $pg_info"
jvm_heap_max="$(jcmd "$JVM_PID" VM.flags 2>/dev/null | grep -o 'MaxHeapSize=[0-9]*' | head -n 1 | cut -d= -f2 || true)"

# ---- 1. through the API --------------------------------------------------------------------------------------------
suffix="$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
API_TENANT="audit-$suffix"
echo "[audit] part 1: tenant $API_TENANT"
t0=$SECONDS
rm -f "$ROOT/target/audit-api.md" "$ROOT/target/audit-api.md.urls"
api_rc=0
java bench/AuditBench.java api --tenant "$API_TENANT" --requests "$REQUESTS" --threads 1,4 --analyze true \
  --out "$ROOT/target/audit-api.md" || api_rc=$?
echo "[audit] part 1 finished in $((SECONDS - t0)) s (rc $api_rc)"

# SQL statements per request, from PostgreSQL's own counter: the pool runs each statement in autocommit, so
# pg_stat_database.xact_commit grows by one per statement. 10 requests, minus an idle baseline over the same window
# (which contains this script's own psql sessions); 11 s pauses because backends flush their counters when idle.
xacts() { psql_q -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"; }
STMTS=""
if [[ "$api_rc" == 0 && -f "$ROOT/target/audit-api.md.urls" ]]; then
  API_AUDITOR="$(java bench/AuditBench.java token --tenant "$API_TENANT" --sub auditor --scope audit:read)"
  sleep 11 # let part 1's own counters reach pg_stat_database first (a first run without this had a bogus baseline)
  a="$(xacts)"; sleep 11; b="$(xacts)"; baseline=$((b - a))
  while IFS=$'\t' read -r name url; do
    a="$(xacts)"
    for _ in $(seq 1 10); do curl -sS -o /dev/null --max-time 30 -H "Authorization: Bearer $API_AUDITOR" "$url" || true; done
    sleep 11; b="$(xacts)"
    per="$(awk -v d="$((b - a - baseline))" 'BEGIN { printf "%.1f", d / 10 }')"
    echo "[audit] $name: $((b - a)) transactions for 10 requests (idle baseline $baseline): ~$per SQL statements per request"
    STMTS="$STMTS${STMTS:+; }$name ~$per"
  done <"$ROOT/target/audit-api.md.urls"
fi

# ---- 2. export at scale ---------------------------------------------------------------------------------------------
EXP_TENANT="auditx-$suffix"
SUBJECT="bulk-loader-$suffix"
echo "[audit] part 2: inserting $EVENTS synthetic events into tenant $EXP_TENANT (subject $SUBJECT), $CHUNK per transaction"
t0=$SECONDS
chunks=$(((EVENTS + CHUNK - 1) / CHUNK))
for ((c = 0; c < chunks; c++)); do
  lo=$((c * CHUNK)); hi=$(( (c + 1) * CHUNK < EVENTS ? (c + 1) * CHUNK : EVENTS ))
  # 1,000 streams of 1,000 versions; one event per second from 2025-01-01; no personal data; dummy hashes.
  psql_q -v tenant="$EXP_TENANT" -v subject="$SUBJECT" -v lo="$lo" -v hi="$((hi - 1))" <<'SQL'
INSERT INTO event (event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, occurred_at,
                   actor_subject, actor_client_id, request_id, client_address, txn_id, payload, prev_hash, hash)
SELECT gen_random_uuid(), :'tenant', 'User', s.sid, (g % 1000) + 1, 'UserPatched', 1,
       timestamptz '2025-01-01T00:00:00Z' + g * interval '1 second',
       :'subject', 'bench-export-client', 'req-' || g, '127.0.0.1', gen_random_uuid(),
       jsonb_build_object(
         'changed', jsonb_build_array('title'),
         'request', jsonb_build_object('method', 'PATCH', 'operations',
                    jsonb_build_array(jsonb_build_object('op', 'replace', 'path', 'title', 'value', 'Title ' || g))),
         'state', jsonb_build_object('schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
                  'id', s.sid, 'active', true, 'title', 'Title ' || g)),
       CASE WHEN g % 1000 = 0 THEN NULL ELSE sha256(('prev' || g)::bytea) END,
       sha256(g::text::bytea)
FROM generate_series(:lo::bigint, :hi::bigint) g,
     LATERAL (SELECT md5(:'tenant' || '/' || (g / 1000))::uuid AS sid) s;
SQL
  echo "[audit]   $hi events inserted ($((SECONDS - t0)) s)"
done
psql_q -c "ANALYZE event"
load_s=$((SECONDS - t0))
event_rows="$(psql_q -c "SELECT count(*) FROM event WHERE tenant_id = '$EXP_TENANT'")"
table_size="$(psql_q -c "SELECT pg_size_pretty(pg_total_relation_size('event'))")"
echo "[audit] $event_rows events in tenant $EXP_TENANT, loaded in ${load_s} s; event table now $table_size"

# The export's batch query in the middle of the range, as the service runs it (AuditReports.changesBy).
mid_pos="$(psql_q -c "SELECT position FROM event WHERE tenant_id = '$EXP_TENANT' AND actor_subject = '$SUBJECT' ORDER BY position OFFSET $((EVENTS / 2)) LIMIT 1")"
psql -X -v ON_ERROR_STOP=1 -c "EXPLAIN (ANALYZE, BUFFERS) SELECT position, tx_id::text, event_id, tenant_id, stream_type, stream_id, stream_version, event_type, schema_version, occurred_at, actor_subject, actor_client_id, request_id, client_address, txn_id, payload, prev_hash, hash FROM event WHERE tenant_id = '$EXP_TENANT' AND occurred_at >= '2025-01-01T00:00:00Z' AND occurred_at < '2026-01-01T00:00:00Z' AND position > $mid_pos AND actor_subject = '$SUBJECT' ORDER BY position LIMIT 1001" \
  >"$ROOT/target/audit-explain.txt" 2>&1 || true

AUDITOR="$(java bench/AuditBench.java token --tenant "$EXP_TENANT" --sub auditor --scope audit:read)"
URL="$HOST_URL/audit/changes?subject=$SUBJECT&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&format=ndjson"

# Samplers: RSS every second (ps) and the heap every second (jstat -gc, one attached process), both bounded.
echo -e "epoch_s\trss_kb\tphase" >"$MEM"
PHASE_FILE="$(mktemp /tmp/audit-phase-XXXXXX)"
echo before >"$PHASE_FILE"
(
  for _ in $(seq 1 1500); do
    rss="$(ps -o rss= -p "$JVM_PID" 2>/dev/null | tr -d ' ')" || break
    [[ -z "$rss" ]] && break
    echo -e "$(date +%s)\t$rss\t$(cat "$PHASE_FILE" 2>/dev/null)" >>"$MEM"
    sleep 1
  done
) &
SAMPLER_PID=$!
jstat -gc -t "$JVM_PID" 1000 1500 >"$JSTAT_OUT" 2>&1 &
JSTAT_PID=$!
sleep 5

echo "[audit] streaming $URL"
echo export >"$PHASE_FILE"
exp_t0=$SECONDS
exp_start_epoch=$(date +%s)
STATS="$(mktemp /tmp/audit-curl-XXXXXX)"
lines="$(curl -sS --max-time 900 -H "Authorization: Bearer $AUDITOR" -o /dev/fd/3 \
  -w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}\n' "$URL" 3>&1 >"$STATS" | wc -l)" || true
read -r http_status bytes ttfb total <"$STATS" || true
exp_end_epoch=$(date +%s)
echo after >"$PHASE_FILE"
echo "[audit] export: HTTP $http_status, $lines lines, $bytes bytes, first byte after ${ttfb} s, total ${total} s"
sleep 8
stop_samplers
rm -f "$STATS" "$PHASE_FILE"

# Memory summary: RSS (kB) before / peak during / end, and heap used (jstat S0U+S1U+EU+OU, kB) during the export.
rss_summary="$(awk -F'\t' 'NR>1 { if ($3=="before") b=$2; if ($3=="export") { if (!s) s=$2; if ($2>p) p=$2; e=$2; n++ } if ($3=="after") a=$2 }
  END { printf "RSS before %.0f MiB; during the export (%d samples): first %.0f MiB, peak %.0f MiB, last %.0f MiB; after %.0f MiB", b/1024, n, s/1024, p/1024, e/1024, a/1024 }' "$MEM")"
heap_summary="$(awk '
  NR==1 { for (i=1;i<=NF;i++) col[$i]=i; next }
  $1 ~ /^[0-9.]+$/ { used=$col["S0U"]+$col["S1U"]+$col["EU"]+$col["OU"]; n++; if (used>p) p=used; if (!mn || used<mn) mn=used; last=used; ou=$col["OU"]; if (ou>pou) pou=ou; if (!fou) fou=ou; ygc=$col["YGC"]; fgc=$col["FGC"]; if (n==1) { ygc0=ygc; fgc0=fgc } }
  END { printf "jstat (%d samples over the sampling window): heap used min %.0f MiB, peak %.0f MiB, last %.0f MiB; old gen first %.0f MiB, peak %.0f MiB; young GCs %d, full GCs %d", n, mn/1024, p/1024, last/1024, fou/1024, pou/1024, ygc-ygc0, fgc-fgc0 }' "$JSTAT_OUT" 2>/dev/null || echo "jstat: no samples")"
rate="$(awk -v l="$lines" -v t="$total" -v b="$bytes" 'BEGIN { if (t>0) printf "%.0f events/s, %.1f MB/s", l/t, b/t/1e6 }')"

{
  echo "## Audit API benchmark"
  echo
  echo "Code $code_version; Quarkus dev mode via deploy/run-local.sh, Kafka relay disabled (scim.publish.enabled=$publish); $pg_info; $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); service JVM max heap $(( ${jvm_heap_max:-0} / 1048576 )) MiB."
  echo
  echo "### 1. History, as-of, memberships (through the API)"
  echo
  cat "$ROOT/target/audit-api.md" 2>/dev/null || echo "(part 1 failed, rc $api_rc)"
  echo "- SQL statements per request (pg_stat_database.xact_commit delta over 10 requests minus an idle baseline; autocommit, one transaction per statement): ${STMTS:-not measured}."
  echo
  echo "### 2. Export"
  echo
  echo "- Load: $event_rows synthetic UserPatched events (1,000 streams x 1,000 versions, no personal data, dummy hashes) inserted by SQL in ${load_s} s; event table $table_size."
  echo "- \`GET /audit/changes?subject=...&format=ndjson\`: HTTP $http_status, $lines lines, $bytes bytes, first byte after ${ttfb} s, total ${total} s ($rate)."
  echo "- $rss_summary."
  echo "- $heap_summary."
  echo "- Samples: target/audit-memory.tsv, target/audit-jstat.txt; plan of one batch query: target/audit-explain.txt."
} >"$REPORT"
cat "$REPORT"
echo
grep -E 'Execution Time|Index|Buffers' "$ROOT/target/audit-explain.txt" | head -n 8 || true
[[ "$api_rc" == 0 && "$http_status" == 200 && "$lines" == "$EVENTS" ]]
