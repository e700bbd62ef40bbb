package io.scimledger.testinfra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka (KRaft, combined broker+controller) running inside this JVM.
 *
 * <p>Ports and the log directory are chosen once at construction, so {@link #stop()} followed by
 * {@link #start()} brings the same broker back on the same bootstrap address with its data intact.
 * {@link #close()} stops it and deletes the log directory; a JVM shutdown hook does the same.
 */
public final class LocalKafka implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static volatile boolean exitProceduresInstalled;

    /** JMX view of {@link LocalKafka#shared()} usable from any class loader. */
    public interface Control {
        void start();

        void stop();

        boolean isRunning();

        String getBootstrapServers();

        String getLogDir();
    }

    private static final ObjectName SHARED = JvmShared.name("LocalKafka");

    private final int brokerPort;
    private final int controllerPort;
    private final Path baseDir;
    private final Path logDir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<String, String> extraProps;
    /** Non-null when this instance only controls the shared broker owned by another class loader. */
    private final ObjectName remote;

    private boolean formatted;
    private KafkaRaftServer server;
    private Thread shutdownHook;
    private boolean closed;

    public LocalKafka() {
        this(Map.of());
    }

    /** @param extraProps broker properties that override the defaults */
    public LocalKafka(Map<String, String> extraProps) {
        this.remote = null;
        this.extraProps = Map.copyOf(extraProps);
        this.brokerPort = LocalPostgres.freePort();
        int c;
        do {
            c = LocalPostgres.freePort();
        } while (c == brokerPort);
        this.controllerPort = c;
        try {
            this.baseDir = Files.createTempDirectory("scimledger-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.logDir = baseDir.resolve("logs");
    }

    private LocalKafka(ObjectName remote) {
        this.remote = remote;
        this.extraProps = Map.of();
        String bs = (String) JvmShared.attribute(remote, "BootstrapServers");
        this.brokerPort = Integer.parseInt(bs.substring(bs.lastIndexOf(':') + 1));
        this.controllerPort = -1;
        this.logDir = Path.of((String) JvmShared.attribute(remote, "LogDir"));
        this.baseDir = logDir.getParent();
    }

    /**
     * The one broker shared by everything in this JVM (also across Quarkus' per-restart class loaders), created
     * and started on first use and closed at JVM exit. It may have been stopped by a test; {@link #start()} is a
     * no-op when it runs.
     */
    public static LocalKafka shared() {
        synchronized (JvmShared.lock()) {
            if (!JvmShared.exists(SHARED)) {
                JvmShared.callInLongLivedLoader(LocalKafka.class, "startShared");
            }
            return new LocalKafka(SHARED);
        }
    }

    /** Internal: creates, starts and registers the shared broker (called reflectively, see {@link #shared()}). */
    public static void startShared() {
        synchronized (JvmShared.lock()) {
            if (!JvmShared.exists(SHARED)) {
                LocalKafka k = new LocalKafka().start();
                System.out.println("[LocalKafka] shared broker started at " + k.bootstrapServers() + " (loader "
                        + LocalKafka.class.getClassLoader() + ")");
                JvmShared.register(
                        SHARED,
                        new Control() {
                            @Override
                            public void start() {
                                k.start();
                            }

                            @Override
                            public void stop() {
                                k.stop();
                            }

                            @Override
                            public boolean isRunning() {
                                return k.isRunning();
                            }

                            @Override
                            public String getBootstrapServers() {
                                return k.bootstrapServers();
                            }

                            @Override
                            public String getLogDir() {
                                return k.logDir().toString();
                            }
                        },
                        Control.class);
            }
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    public Path logDir() {
        return logDir;
    }

    public synchronized boolean isRunning() {
        if (remote != null) {
            return (Boolean) JvmShared.attribute(remote, "Running");
        }
        return server != null;
    }

    /** Starts (or restarts after {@link #stop()}) the broker and waits until it answers describeCluster. */
    public synchronized LocalKafka start() {
        if (remote != null) {
            JvmShared.invoke(remote, "start");
            return this;
        }
        if (closed) {
            throw new IllegalStateException("LocalKafka was closed");
        }
        if (server != null) {
            return this;
        }
        installExitProcedures();
        registerShutdownHook();
        // Kafka instantiates plugins through the context class loader, and its threads inherit it: it must be
        // the loader of these Kafka classes (not e.g. a Quarkus test class loader holding a second copy).
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(LocalKafka.class.getClassLoader());
        try {
            Properties props = brokerProperties();
            if (!formatted) {
                format(props);
                formatted = true;
            }
            KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            try {
                s.startup();
                server = s;
                awaitReady();
            } catch (RuntimeException e) {
                server = null;
                shutdownQuietly(s);
                throw e;
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
        return this;
    }

    /** Shuts the broker down completely; keeps ports and log dir so {@link #start()} can bring it back. */
    public synchronized void stop() {
        if (remote != null) {
            JvmShared.invoke(remote, "stop");
            return;
        }
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(LocalKafka.class.getClassLoader());
            try {
                s.shutdown();
                s.awaitShutdown();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    /** Stops the broker and deletes its log directory. */
    @Override
    public synchronized void close() {
        if (remote != null) {
            return; // the shared broker is closed at JVM exit
        }
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            LocalPostgres.deleteRecursively(baseDir);
            removeShutdownHook();
        }
    }

    // ------------------------------------------------------------------ internals

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner reserves this much heap up front (128 MiB by default).
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("controlled.shutdown.enable", "true");
        p.putAll(extraProps);
        return p;
    }

    private void format(Properties props) {
        Path configFile = baseDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(configFile)) {
            props.store(out, "LocalKafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            // execute(...) and never main(...): main calls System.exit.
            rc = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", configFile.toString(), "--ignore-formatted"}, ps);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Formatting the Kafka log dir failed: " + buf.toString(StandardCharsets.UTF_8), e);
        }
        if (rc != 0) {
            throw new IllegalStateException(
                    "Formatting the Kafka log dir failed (rc " + rc + "): " + buf.toString(StandardCharsets.UTF_8));
        }
    }

    private void awaitReady() {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(ap)) {
            while (System.nanoTime() < deadline) {
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                            .nodes()
                            .get(10, TimeUnit.SECONDS)
                            .size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                    }
                    last = e;
                }
                sleep(200);
            }
        }
        throw new IllegalStateException(
                "Kafka at " + bootstrapServers() + " did not become ready within " + STARTUP_TIMEOUT, last);
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            System.err.println("[LocalKafka] shutdown after failed start: " + e);
        }
    }

    /** A broker error must never System.exit the test JVM. */
    private static synchronized void installExitProcedures() {
        if (exitProceduresInstalled) {
            return;
        }
        exitProceduresInstalled = true;
        Exit.setExitProcedure((code, msg) -> {
            System.err.println("[LocalKafka] Kafka requested exit(" + code + "): " + msg);
            throw new IllegalStateException("Kafka requested exit(" + code + "): " + msg);
        });
        Exit.setHaltProcedure((code, msg) -> {
            System.err.println("[LocalKafka] Kafka requested halt(" + code + "): " + msg);
            throw new IllegalStateException("Kafka requested halt(" + code + "): " + msg);
        });
    }

    private synchronized void registerShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(
                    () -> {
                        synchronized (LocalKafka.this) {
                            shutdownHook = null;
                        }
                        try {
                            close();
                        } catch (RuntimeException e) {
                            System.err.println("[LocalKafka] shutdown failed: " + e);
                        }
                    },
                    "local-kafka-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private synchronized void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
            shutdownHook = null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
