#!/usr/bin/env bash
# Soak benchmark (not CI; issue "Production", item 9): SOAK_MINUTES (default 30) of mixed SCIM traffic at SOAK_RATE
# requests a second (default 100) against the PACKAGED service in the prod profile (deploy/run-local.sh --packaged,
# durable local PostgreSQL, Kafka relay on), sampling every SOAK_SAMPLE seconds (default 30): the service's resident
# memory and heap, its open database connections, and the relay's lag. Output: target/soak-samples.csv and a summary
# (first vs last third of the run), which docs/performance.md records. SOAK_JVM_OPTS: the service's JVM options
# (default -Xmx512m).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_SNAPSHOT=0 # the packaged jar does not reload
bench_init soak

MINUTES="${SOAK_MINUTES:-30}"
RATE="${SOAK_RATE:-100}"
EVERY="${SOAK_SAMPLE:-30}"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
if [[ ! -f "$JAR" ]]; then
  echo "[soak] packaging the service"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
fi

# A bounded heap, as in a container (deploy/kubernetes sets a memory limit): the JVM would otherwise grow its heap
# towards a quarter of this machine's memory and resident memory would say little about leaks.
# shellcheck disable=SC2086
bench_start_service "$ROOT/target/soak-service.log" --packaged ${SOAK_JVM_OPTS:--Xmx512m}
bench_db_env
keys="$ROOT/target/packaged-keys"
mint() { MINT_KEY="$keys/jwt-private.pem" MINT_ISSUER=https://scim-ledger.local/packaged "$ROOT/deploy/mint-dev-token.sh" "$@"; }
platform="$(mint ops platform:admin operator)"
tenant="soak-$(date +%s)"
curl -sf -X POST "$HOST_URL/admin/tenants" -H "Authorization: Bearer $platform" -H 'Content-Type: application/json' \
  -d "{\"name\":\"$tenant\"}" >/dev/null
token="$(mint "$tenant" "scim:read scim:write" soak-idp)"
pid="$(pgrep -f "quarkus.http.port=$PORT.*quarkus-run.jar" | head -1)"

csv="$ROOT/target/soak-samples.csv"
echo "elapsed_s,rss_mib,heap_used_mib,db_connections,relay_lag_events,relay_lag_s,pool_size" > "$csv"
sample() {
  local m rss heap conns lag lags pool
  m="$(curl -s --max-time 5 "$HOST_URL/q/metrics" || true)"
  rss=$(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))
  heap="$(awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f", s / 1048576}' <<<"$m")"
  conns="$(psql -Atqc "SELECT count(*) FROM pg_stat_activity WHERE usename = '$SCIM_DB_APP_USER'")"
  lag="$(awk '/^scim_relay_lag_events / {print $NF}' <<<"$m")"
  lags="$(awk '/^scim_relay_lag_seconds / {print $NF}' <<<"$m")"
  pool="$(awk '/^sql_pool_(current|active)/ {s += $NF} END {print s + 0}' <<<"$m")"
  echo "$SECONDS,$rss,$heap,$conns,${lag:-},${lags:-},$pool" >> "$csv"
}
SECONDS=0
( while sleep "$EVERY"; do sample; done ) &
sampler=$!
bench_on_exit() { kill "$sampler" 2>/dev/null || true; }
echo "[soak] $MINUTES min at $RATE req/s against tenant $tenant (pid $pid); samples: $csv"
java "$ROOT/bench/Soak.java" "$HOST_URL" "$token" "$MINUTES" "$RATE" | tee "$ROOT/target/soak-load.txt"
kill "$sampler" 2>/dev/null || true
sample
echo "[soak] machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
awk -F, 'NR > 1 {n++; rows[n] = $0} END {
  third = int(n / 3); if (third < 1) third = 1
  for (i = 1; i <= n; i++) { split(rows[i], f, ",")
    if (i <= third) { r1 += f[2]; h1 += f[3]; c1 += f[4]; l1 += f[5]; k1++ }
    if (i > n - third) { r3 += f[2]; h3 += f[3]; c3 += f[4]; l3 += f[5]; k3++ } }
  printf "[soak] first third: RSS %.0f MiB, heap %.0f MiB, DB connections %.1f, relay lag %.1f events\n", r1/k1, h1/k1, c1/k1, l1/k1
  printf "[soak] last third:  RSS %.0f MiB, heap %.0f MiB, DB connections %.1f, relay lag %.1f events\n", r3/k3, h3/k3, c3/k3, l3/k3
}' "$csv"
