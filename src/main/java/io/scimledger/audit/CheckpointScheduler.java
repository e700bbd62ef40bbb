package io.scimledger.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.scimledger.background.PeriodicWorker;
import io.scimledger.db.SchemaMigrations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Writes a checkpoint every {@code scim.audit.checkpoint-interval} when there are new events, catching up in ranges
 * of at most {@code scim.audit.checkpoint-max-events}. Runs only where a signing key is configured.
 */
@ApplicationScoped
public class CheckpointScheduler {

    private static final Logger LOG = Logger.getLogger(CheckpointScheduler.class);

    private final CheckpointWriter writer;
    private final CheckpointKeys keys;
    private PeriodicWorker worker;

    @ConfigProperty(name = "scim.audit.checkpoint-interval", defaultValue = "PT5M")
    Duration interval;

    public CheckpointScheduler(CheckpointWriter writer, CheckpointKeys keys) {
        this.writer = writer;
        this.keys = keys;
    }

    void onStart(@Observes StartupEvent event, SchemaMigrations migrations) {
        if (!keys.canSign()) {
            return; // CheckpointKeys has logged the WARN
        }
        worker = new PeriodicWorker("log-checkpoints", interval, this::catchUp, e -> {
            LOG.warnf("checkpoint not written: %s (retrying in %s)", e.getMessage(), interval);
            return interval;
        });
        worker.start();
        LOG.infof("signed checkpoints every %s with key %s", interval, keys.keyId());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.stop();
        }
    }

    private Duration catchUp() {
        while (worker.isRunning() && writer.checkpointNow().isPresent()) {
            // one checkpoint per range of at most checkpoint-max-events
        }
        return interval;
    }
}
