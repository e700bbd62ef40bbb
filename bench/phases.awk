# Per request, where the service's time went between two Prometheus scrapes: the ops.Phases timers
# (scim_phase_seconds{phase}) and the whole request (http_server_requests_seconds), as µs per request and, in
# brackets, how many times a request ran the phase.
# Usage: awk -v n=REQUESTS -v label=TEXT -f bench/phases.awk BEFORE AFTER  -> one Markdown table row
FNR == NR { before[$1] = $2; next }
{ d = $2 - before[$1]
  if ($1 ~ /^http_server_requests_seconds_sum/) { http += d }
  else if ($1 ~ /^scim_phase_seconds_(sum|count)/) {
    match($1, /phase="[^"]*"/); p = substr($1, RSTART + 7, RLENGTH - 8)
    if ($1 ~ /_sum/) { sum[p] += d } else { cnt[p] += d } } }
END { line = sprintf("| %s | %.0f", label, http * 1e6 / n)
      split("db.acquire db.statement db.commit db.release", ps, " ")
      for (i = 1; i <= 4; i++) { p = ps[i]
        line = line sprintf(" | %s", cnt[p] > 0 ? sprintf("%.0f (%.1f×)", sum[p] * 1e6 / n, cnt[p] / n) : "—") }
      print line " |" }
