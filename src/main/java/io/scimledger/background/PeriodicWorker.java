package io.scimledger.background;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One daemon thread that runs a step again and again until stopped: the Kafka relay and the checkpoint scheduler
 * share it, so starting, pausing, failing and stopping work the same way in both. A step returns how long to pause
 * before the next one; a step that throws is handed to the failure policy, which returns the pause instead (a fixed
 * interval, or a growing back-off). {@link #pause} returns early when the worker is stopped, so a stop never waits
 * for a long interval to end.
 */
public final class PeriodicWorker {

    private static final Logger LOG = Logger.getLogger(PeriodicWorker.class);
    private static final long JOIN_MILLIS = 5_000;

    private final String threadName;
    private final Duration firstPause;
    private final Supplier<Duration> step;
    private final Function<RuntimeException, Duration> onFailure;
    private final Object wake = new Object();
    private volatile boolean running;
    private Thread thread;

    /**
     * @param firstPause how long to wait before the first step
     * @param step       one unit of work; returns the pause before the next
     * @param onFailure  called with what a step threw while the worker runs; returns the pause before the next step
     */
    public PeriodicWorker(
            String threadName,
            Duration firstPause,
            Supplier<Duration> step,
            Function<RuntimeException, Duration> onFailure) {
        this.threadName = threadName;
        this.firstPause = firstPause;
        this.step = step;
        this.onFailure = onFailure;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops after the current step: a step in progress may finish (the relay's batch, a checkpoint's transaction);
     * only a thread still busy after {@value #JOIN_MILLIS} ms is interrupted.
     */
    public synchronized void stop() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        if (thread == null) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    public boolean isRunning() {
        return running;
    }

    /** Waits {@code millis}, or less if the worker is stopped or the thread interrupted meanwhile. */
    public void pause(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (wake) {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                try {
                    wake.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void loop() {
        pause(firstPause.toMillis());
        while (running && !Thread.currentThread().isInterrupted()) {
            Duration next;
            try {
                next = step.get();
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                next = onFailure.apply(e);
            } catch (Error e) {
                LOG.errorf(e, "%s stopped", threadName);
                throw e;
            }
            pause(next.toMillis());
        }
    }
}
