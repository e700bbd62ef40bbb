# Quantiles of a Micrometer timer between two Prometheus scrapes, from its cumulative _bucket counters (the way
# PromQL's histogram_quantile does it: linear inside the bucket that holds the quantile).
# Usage: awk -v metric=NAME_seconds -f bench/histogram.awk BEFORE AFTER
#   prints: count sum_seconds p50 p99 p999 p99_bucket_upper_bound max_bucket_upper_bound  (seconds; the last is the
#   bound of the highest bucket that gained a sample: the window's maximum lies below it)
function le_of(line) { match(line, /le="[^"]*"/); return substr(line, RSTART + 4, RLENGTH - 5) }
FNR == NR { if (index($1, metric "_bucket{") == 1) before[le_of($1)] = $2
            else if ($1 == metric "_count" || index($1, metric "_count{") == 1) c0 = $2
            else if ($1 == metric "_sum" || index($1, metric "_sum{") == 1) s0 = $2
            next }
{ if (index($1, metric "_bucket{") == 1) { le = le_of($1); after[le] = $2; les[++n] = le }
  else if ($1 == metric "_count" || index($1, metric "_count{") == 1) c1 = $2
  else if ($1 == metric "_sum" || index($1, metric "_sum{") == 1) s1 = $2 }
function q(p,   target, i, prev_le, prev_c, c, up) {
  target = p * total; prev_le = 0; prev_c = 0
  for (i = 1; i <= n; i++) {
    c = after[les[i]] - before[les[i]]
    if (c >= target) {
      up = (les[i] == "+Inf") ? prev_le : les[i] + 0
      if (c == prev_c) return up
      bucket_up = up
      return prev_le + (up - prev_le) * (target - prev_c) / (c - prev_c)
    }
    prev_le = (les[i] == "+Inf") ? prev_le : les[i] + 0; prev_c = c
  }
  return prev_le
}
END { total = c1 - c0
      if (total <= 0) { print 0, 0, "nan", "nan", "nan", "nan", "nan"; exit }
      p50 = q(0.5); p99 = q(0.99); up99 = bucket_up; p999 = q(0.999)
      top = "nan"; prev_c = 0
      for (i = 1; i <= n; i++) { c = after[les[i]] - before[les[i]]; if (c > prev_c) top = les[i]; prev_c = c }
      printf "%d %.3f %.4f %.4f %.4f %.4f %s\n", total, s1 - s0, p50, p99, p999, up99, top }
