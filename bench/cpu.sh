# shellcheck shell=bash
# CPU by process and by thread, from /proc (signal-based profilers record nothing on these machines), for the
# benchmarks that run the packaged service beside the local stack: bench/speed.sh and bench/rebuild.sh.
# Needs ROOT (the project) and CPU_POSTMASTER (the pid of this cluster's postmaster, from its postmaster.pid).

# -> "service kafka postgres busy total" in clock ticks: the service's JVM, the local stack's JVM (the Kafka
# broker), this cluster's PostgreSQL (postmaster and its backends), and the machine (busy and all).
cpu_ticks() {
  local svc=0 kafka=0 pg=0 d stat rest cmd
  for d in /proc/[0-9]*; do
    { read -r stat <"$d/stat"; } 2>/dev/null || continue
    rest="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $rest # $2 = ppid, $12 = utime, $13 = stime
    if [[ "${d#/proc/}" == "$CPU_POSTMASTER" || "$2" == "$CPU_POSTMASTER" ]]; then
      pg=$((pg + ${12} + ${13}))
      continue
    fi
    [[ "$stat" == *"(java)"* ]] || continue
    cmd="$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" || continue
    if [[ "$cmd" == *"$ROOT/target/quarkus-app/quarkus-run.jar"* ]]; then
      svc=$((svc + ${12} + ${13}))
    elif [[ "$cmd" == *LocalStackMain* && "$cmd" == *"=$ROOT "* ]]; then
      kafka=$((kafka + ${12} + ${13}))
    fi
  done
  awk -v s="$svc" -v k="$kafka" -v p="$pg" '/^cpu / {busy = $2 + $3 + $4 + $7 + $8; print s, k, p, busy, busy + $5 + $6}' /proc/stat
}
# The service's threads by name (digits dropped: "executor-thread-12" -> "executor-thread-"), CPU ticks each.
thread_ticks() {
  local pid d stat name rest
  pid="$(pgrep -f "$ROOT/target/quarkus-app/quarkus-run.jar" | head -1)"
  [[ -n "$pid" ]] || return 0
  for d in /proc/"$pid"/task/[0-9]*; do
    { read -r stat <"$d/stat"; } 2>/dev/null || continue
    name="${stat#*(}"
    name="${name%%)*}"
    rest="${stat##*) }"
    # shellcheck disable=SC2086
    set -- $rest
    echo "${name//[0-9]/} $((${12} + ${13}))"
  done | awk '{ n = $NF; $NF = ""; sub(/ $/, ""); t[$0] += n } END { for (k in t) print t[k] "\t" k }'
}
