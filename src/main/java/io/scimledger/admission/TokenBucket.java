package io.scimledger.admission;

/**
 * One tenant's token bucket: {@code burst} tokens at most, refilled at {@code perSecond}; a request takes one. The
 * rate and burst are passed on every call, so a changed tenant setting applies at once without rebuilding buckets.
 */
final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private double tokens = -1; // full on first use
    private long refilledAt;

    /**
     * Takes a token if there is one.
     *
     * @return 0 when admitted, else how many nanoseconds until the next token
     */
    synchronized long tryTake(long nowNanos, int perSecond, int burst) {
        if (tokens < 0) {
            tokens = burst;
            refilledAt = nowNanos;
        }
        long elapsed = Math.max(0, nowNanos - refilledAt);
        tokens = Math.min(burst, tokens + (double) elapsed * perSecond / NANOS_PER_SECOND);
        refilledAt = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) * NANOS_PER_SECOND / perSecond);
    }
}
