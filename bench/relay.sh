#!/usr/bin/env bash
# Issue 13's Kafka relay bar, measured on the PACKAGED service in the prod profile: the publication lag p99 < 1 s
# while 1,000 writes/s arrive (or the service's maximum write rate, if lower).
#
#   bash bench/relay.sh                      # build the jar (through the Maven lock), start, measure, stop
#   RELAY_SKIP_BUILD=1 bash bench/relay.sh   # reuse target/quarkus-app as it is
#   RELAY_SECONDS=120 bash bench/relay.sh    # length of the measured run (default 60; warm-up RELAY_WARM_SECONDS, 60)
#   RELAY_RATE=500 bash bench/relay.sh       # target write rate (default 1000 writes/s)
#
# 1. builds and starts target/quarkus-app like bench/speed.sh (deploy/run-local.sh --packaged: durable local
#    PostgreSQL, in-process Kafka, the relay publishing with acks=all), registers tenant "bench" above the admission
#    limit;
# 2. warm-up: POST /Users with wrk at full speed (16 connections) for RELAY_WARM_SECONDS, then 15 s more give the
#    service's maximum write rate;
# 3. measured run: POST /Users with wrk for RELAY_SECONDS, at full speed when the maximum is below RELAY_RATE, else
#    paced down to about RELAY_RATE (each connection waits between requests; wrk has no fixed-rate mode and wrk2 is
#    not in Debian), then waits until the relay has published every event of the run;
# 4. reads the relay's own timer scim.relay.publication.lag (per published event, occurred_at -> broker ack; see
#    docs/operations.md) from /q/metrics before and after: p50/p99/p99.9 interpolated inside its histogram buckets
#    like PromQL's histogram_quantile, the p99's bucket bound, and _max; and samples scim_relay_lag_events/_seconds
#    (the backlog, every second) during the run;
# 5. writes target/relay-report.md (and prints it).
#
# Holds /tmp/scim-maven.lock while measuring. Installs wrk (Debian package) when missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/packaged.sh
source "$ROOT/bench/packaged.sh"
RUN_SECONDS="${RELAY_SECONDS:-60}"
WARM_SECONDS="${RELAY_WARM_SECONDS:-60}"
RATE="${RELAY_RATE:-1000}"
CONNECTIONS=16
METRIC=scim_relay_publication_lag_seconds

packaged_need wrk wrk
packaged_need psql postgresql-client
packaged_build RELAY
packaged_start relay
OUT="$ROOT/target/relay"
rm -rf "$OUT"
mkdir -p "$OUT"
REPORT="$ROOT/target/relay-report.md"
packaged_tenant bench
export SPEED_TOKEN="$JWT" SPEED_RUN="$RANDOM"

metric_value() { # metric_value FILE NAME: a sample without labels (0 when absent)
  awk -v m="$2" '$1 == m {v = $2} END {print v + 0}' "$1"
}
# waits until the relay has published every event appended so far (its lag counter catches up with the appends)
await_published() {
  local deadline=$((SECONDS + 300)) appended published
  while :; do
    packaged_metrics >"$OUT/now.txt"
    appended="$(awk '/^scim_events_appended_total/ {s += $2} END {printf "%.0f", s}' "$OUT/now.txt")"
    published="$(awk -v m="${METRIC}_count" '$1 == m {printf "%.0f", $2}' "$OUT/now.txt")"
    # the relay also publishes events appended before this process counted (the tenant's registration on a log
    # that existed already), so it may be ahead; behind means still publishing
    if ((${published:-0} >= appended)); then return 0; fi
    if ((SECONDS >= deadline)); then
      echo "[relay] WARNING: the relay is still $((appended - published)) events behind after 300 s" >&2
      return 0
    fi
    sleep 0.5
  done
}
sample_backlog() { # every second: unix time, scim_relay_lag_events, scim_relay_lag_seconds (sampled by the service)
  while :; do
    packaged_metrics >"$OUT/sample.txt" || true
    echo "$(date +%s.%N) $(metric_value "$OUT/sample.txt" scim_relay_lag_events) $(metric_value "$OUT/sample.txt" scim_relay_lag_seconds)"
    sleep 1
  done
}

packaged_lock relay

# --- warm-up at full speed: the service's maximum write rate ----------------------------------------------------
# a cold service writes two to three times slower than a warm one (JIT): warm up, then measure the maximum
wrk -t2 -c"$CONNECTIONS" -d"${WARM_SECONDS}s" -s "$ROOT/bench/lua/post-user.lua" "$HOST_URL" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d15s --latency -s "$ROOT/bench/lua/post-user.lua" "$HOST_URL" >"$OUT/wrk-warm.txt"
MAX_RPS="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-warm.txt")"
DELAY_MS=0
PACING="full speed (the service's maximum, ${MAX_RPS} writes/s at the end of the warm-up, is below the ${RATE}/s target)"
if ((MAX_RPS > RATE * 105 / 100)); then
  # per connection one request every CONNECTIONS/RATE s = its latency + the pause; the latency at the paced rate is
  # not known in advance, so two 10 s trials correct the pause by the period they missed
  DELAY_MS="$(awk -v c="$CONNECTIONS" -v r="$RATE" 'BEGIN {d = c * 1000 / r - 3; printf "%d", d < 1 ? 1 : d}')"
  for _ in 1 2; do
    POST_DELAY_MS="$DELAY_MS" wrk -t2 -c"$CONNECTIONS" -d10s -s "$ROOT/bench/lua/post-user.lua" "$HOST_URL" >"$OUT/wrk-pace.txt"
    got="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-pace.txt")"
    DELAY_MS="$(awk -v c="$CONNECTIONS" -v r="$RATE" -v got="$got" -v d="$DELAY_MS" \
      'BEGIN {d = d + c * 1000 / r - c * 1000 / got; printf "%d", (d < 1) ? 1 : d + 0.5}')"
    echo "[relay] pacing trial: $got writes/s; pause now $DELAY_MS ms"
  done
  PACING="paced to about ${RATE}/s (each connection pauses ${DELAY_MS} ms between requests; the service reached ${MAX_RPS}/s at full speed at the end of the warm-up)"
fi
echo "[relay] measured run: $PACING"
await_published

# --- measured run -----------------------------------------------------------------------------------------------
packaged_metrics >"$OUT/metrics-before.txt"
sample_backlog >"$OUT/backlog.txt" &
SAMPLER=$!
bench_on_exit() { kill "$SAMPLER" 2>/dev/null || true; }
START_NS="$(date +%s%N)"
POST_DELAY_MS="$DELAY_MS" wrk -t2 -c"$CONNECTIONS" -d"${RUN_SECONDS}s" --latency -s "$ROOT/bench/lua/post-user.lua" \
  "$HOST_URL" >"$OUT/wrk-run.txt"
WRK_END_NS="$(date +%s%N)"
await_published
DRAIN_S="$(awk -v a="$WRK_END_NS" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
packaged_metrics >"$OUT/metrics-after.txt"

W_RPS="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-run.txt")"
W_P50="$(awk '/^ +50%/ {print $2}' "$OUT/wrk-run.txt")"
W_P99="$(awk '/^ +99%/ {print $2}' "$OUT/wrk-run.txt")"
W_ERR="$(awk '/Non-2xx or 3xx responses:/ {n += $5} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$OUT/wrk-run.txt")"
APPENDED="$(awk 'FNR == NR && /^scim_events_appended_total/ {a += $2; next} /^scim_events_appended_total/ {b += $2} END {printf "%.0f", b - a}' "$OUT/metrics-before.txt" "$OUT/metrics-after.txt")"
WRITE_RATE="$(awk -v n="$APPENDED" -v a="$START_NS" -v b="$WRK_END_NS" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9)}')"
read -r N SUM P50 P99 P999 P99UP MAXUP < <(awk -v metric="$METRIC" -f "$ROOT/bench/histogram.awk" "$OUT/metrics-before.txt" "$OUT/metrics-after.txt")
MEAN="$(awk -v s="$SUM" -v n="$N" 'BEGIN {printf "%.4f", (n > 0) ? s / n : 0}')"
MAX="$(metric_value "$OUT/metrics-after.txt" "${METRIC}_max")"
read -r BACKLOG_EVENTS BACKLOG_SECONDS < <(awk 'NF == 3 {if ($2 > e) e = $2; if ($3 > s) s = $3} END {printf "%.0f %.2f\n", e, s}' "$OUT/backlog.txt")
VERDICT="$(awk -v p="$P99" 'BEGIN {print (p < 1.0) ? "met" : "NOT met"}')"
ms() { awk -v s="$1" 'BEGIN {printf "%.0f ms", s * 1000}'; }

{
  echo "Relay run of $(date -u +%Y-%m-%dT%H:%MZ), code $CODE_VERSION: packaged quarkus-run.jar, prod profile, in-process Kafka (acks=all)."
  echo
  echo "Machine: $(packaged_machine). Service, PostgreSQL, Kafka and wrk share these cores."
  echo "Load: POST /Users, wrk -t2 -c$CONNECTIONS -d${RUN_SECONDS}s, $PACING."
  echo
  echo "| writes | write rate | POST p50 / p99 | errors | events published | lag p50 | lag p99 (bucket ≤) | lag p99.9 | lag mean | lag max (bucket ≤) | drain after the load | bar p99 < 1 s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  echo "| $APPENDED | **$WRITE_RATE/s** | $W_P50 / $W_P99 | $W_ERR | $N | $(ms "$P50") | **$(ms "$P99")** ($(ms "$P99UP")) | $(ms "$P999") | $(ms "$MEAN") | ≤ $(ms "$MAXUP") ($(ms "$MAX")) | ${DRAIN_S} s | **$VERDICT** |"
  echo
  echo "Lag = the relay's timer \`scim.relay.publication.lag\` (per event, its occurred_at to the broker's acknowledgement), quantiles"
  echo "interpolated inside its histogram buckets between two scrapes (before the run, after every event of the run was published);"
  echo "max = the bound of the highest histogram bucket that gained a sample during the run (in brackets the timer's \`_max\`, which"
  echo "covers the last two minutes, warm-up included). Backlog sampled by the service every 5 s, read every second during the"
  echo "run: at most $BACKLOG_EVENTS events / ${BACKLOG_SECONDS} s behind."
} | tee "$REPORT"
echo "[relay] report: $REPORT; raw: $OUT/"
