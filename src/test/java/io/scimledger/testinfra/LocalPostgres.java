package io.scimledger.testinfra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster started from the locally installed binaries (no Docker needed).
 *
 * <p>Creates the roles {@code scim_owner} / {@code scim_app} and the database {@code scimledger} owned by
 * {@code scim_owner}; tables are left to the migrations. When the JVM runs as root, the server runs as the
 * {@code postgres} OS user via {@code runuser}. A JVM shutdown hook stops the cluster and deletes its files.
 */
public final class LocalPostgres implements AutoCloseable {

    public enum Mode {
        /** Default PostgreSQL durability settings: for the run command and benchmarks. */
        DURABLE,
        /** fsync/synchronous_commit/full_page_writes off: for tests only. */
        FAST
    }

    public static final String HOST = "127.0.0.1";
    public static final String DATABASE = "scimledger";
    public static final String OWNER_USER = "scim_owner";
    public static final String OWNER_PASSWORD = "scim_owner";
    public static final String APP_USER = "scim_app";
    public static final String APP_PASSWORD = "scim_app";
    public static final String SUPERUSER = "postgres";

    private static final String OS_USER_FOR_ROOT = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    /** JMX view of {@link LocalPostgres#sharedFast()} usable from any class loader. */
    public interface Control {
        String getHost();

        int getPort();

        boolean isRunning();
    }

    private static final javax.management.ObjectName SHARED = JvmShared.name("LocalPostgres");

    private final Mode mode;
    /** Non-null when this instance only views the shared cluster owned by another class loader. */
    private final javax.management.ObjectName remote;

    private Path baseDir;
    private Path dataDir;
    private Path binDir;
    private boolean runAsPostgresUser;
    private int port = -1;
    private volatile boolean running;
    private Thread shutdownHook;

    public LocalPostgres(Mode mode) {
        this.mode = mode;
        this.remote = null;
    }

    private LocalPostgres(javax.management.ObjectName remote) {
        this.mode = Mode.FAST;
        this.remote = remote;
        this.port = (Integer) JvmShared.attribute(remote, "Port");
    }

    /**
     * The one fast-mode cluster shared by everything in this JVM (also across Quarkus' per-restart class loaders),
     * started on first use and stopped at JVM exit. {@link #stop()} on the returned view does nothing.
     */
    public static LocalPostgres sharedFast() {
        synchronized (JvmShared.lock()) {
            if (!JvmShared.exists(SHARED)) {
                JvmShared.callInLongLivedLoader(LocalPostgres.class, "startShared");
            }
            return new LocalPostgres(SHARED);
        }
    }

    /** Internal: starts and registers the shared cluster (called reflectively, see {@link #sharedFast()}). */
    public static void startShared() {
        synchronized (JvmShared.lock()) {
            if (!JvmShared.exists(SHARED)) {
                LocalPostgres pg = startFast();
                System.out.println("[LocalPostgres] shared cluster started at " + pg.jdbcUrl() + " (loader "
                        + LocalPostgres.class.getClassLoader() + ")");
                JvmShared.register(
                        SHARED,
                        new Control() {
                            @Override
                            public String getHost() {
                                return pg.host();
                            }

                            @Override
                            public int getPort() {
                                return pg.port();
                            }

                            @Override
                            public boolean isRunning() {
                                return pg.isRunning();
                            }
                        },
                        Control.class);
            }
        }
    }

    /** Starts a cluster with durable (default) settings. */
    public static LocalPostgres startDurable() {
        return new LocalPostgres(Mode.DURABLE).start();
    }

    /** Starts a cluster tuned for tests (no fsync). */
    public static LocalPostgres startFast() {
        return new LocalPostgres(Mode.FAST).start();
    }

    public synchronized LocalPostgres start() {
        if (remote != null) {
            return this;
        }
        if (running) {
            return this;
        }
        binDir = findBinDir();
        runAsPostgresUser = isRoot();
        try {
            baseDir = Files.createTempDirectory(Path.of("/tmp"), "scimledger-pg-");
            // mktemp-like 0700 dir: the postgres user must own it when we run as root.
            if (runAsPostgresUser) {
                chown(baseDir, OS_USER_FOR_ROOT);
            }
            dataDir = baseDir.resolve("data");
            registerShutdownHook();
            initdb();
            startServer();
            running = true;
            createRolesAndDatabase();
            return this;
        } catch (IOException e) {
            stopQuietly();
            throw new UncheckedIOException("Could not start local PostgreSQL", e);
        } catch (RuntimeException e) {
            stopQuietly();
            throw e;
        }
    }

    public Mode mode() {
        return mode;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        requireRunning();
        return port;
    }

    public String database() {
        return DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + DATABASE;
    }

    /** Reactive client URL (vertx-pg-client form) for the application database. */
    public String reactiveUrl() {
        return "postgresql://" + host() + ":" + port() + "/" + DATABASE;
    }

    public boolean isRunning() {
        if (remote != null) {
            return (Boolean) JvmShared.attribute(remote, "Running");
        }
        return running;
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and deletes all its files. Idempotent. */
    public synchronized void stop() {
        if (remote != null) {
            return; // the shared cluster is stopped at JVM exit
        }
        try {
            if (dataDir != null && Files.exists(dataDir.resolve("postmaster.pid"))) {
                try {
                    pgCtl("stop", "-m", "fast");
                } catch (RuntimeException e) {
                    System.err.println("[LocalPostgres] pg_ctl stop failed, killing postmaster: " + e.getMessage());
                    killPostmaster();
                }
            }
        } finally {
            running = false;
            if (baseDir != null) {
                deleteRecursively(baseDir);
                baseDir = null;
                dataDir = null;
            }
            removeShutdownHook();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * {@code pg_ctl restart -m fast}: disconnects every session (admin_shutdown), stops, and starts again on the same
     * port and data directory with the same options. Only for a cluster this instance started.
     */
    public synchronized void restart() {
        if (remote != null || !running) {
            throw new IllegalStateException("only a running cluster started here can be restarted");
        }
        pgCtl(
                "restart",
                "-m",
                "fast",
                "-t",
                "60",
                "-l",
                baseDir.resolve("postgres.log").toString());
    }

    // ------------------------------------------------------------------ internals

    private void initdb() {
        List<String> cmd = new ArrayList<>(List.of(
                binDir.resolve("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale"));
        if (mode == Mode.FAST) {
            cmd.add("--no-sync");
        }
        run(cmd, "initdb");
    }

    private void startServer() {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            port = freePort();
            List<String> opts = new ArrayList<>(List.of(
                    "-p",
                    Integer.toString(port),
                    "-k",
                    baseDir.toString(),
                    "-c",
                    "listen_addresses=" + HOST,
                    "-c",
                    "max_connections=200"));
            if (mode == Mode.FAST) {
                opts.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
            }
            try {
                pgCtl(
                        "start",
                        "-t",
                        "60",
                        "-l",
                        baseDir.resolve("postgres.log").toString(),
                        "-o",
                        String.join(" ", opts));
                return;
            } catch (RuntimeException e) {
                last = e; // most likely the port was taken in the meantime; try another one
                if (Files.exists(dataDir.resolve("postmaster.pid"))) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private void pgCtl(String action, String... extra) {
        List<String> cmd =
                new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-w"));
        cmd.addAll(Arrays.asList(extra));
        cmd.add(action);
        run(cmd, "pg_ctl " + action);
    }

    private void createRolesAndDatabase() {
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        try (Connection c = new org.postgresql.Driver().connect(url, props);
                Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + OWNER_USER + " LOGIN PASSWORD '" + OWNER_PASSWORD + "'");
            st.execute("CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
            st.execute("CREATE DATABASE " + DATABASE + " OWNER " + OWNER_USER);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create roles/database in local PostgreSQL at " + url, e);
        }
    }

    private void run(List<String> command, String what) {
        List<String> full = new ArrayList<>();
        if (runAsPostgresUser) {
            full.addAll(List.of(runuser(), "-u", OS_USER_FOR_ROOT, "--"));
        }
        full.addAll(command);
        File out = baseDir.resolve("cmd-" + what.replace(' ', '-') + ".out").toFile();
        ProcessBuilder pb = new ProcessBuilder(full)
                .directory(baseDir.toFile()) // the postgres user may not be able to read our cwd
                .redirectErrorStream(true)
                .redirectOutput(out) // a file, not a pipe: the forked postmaster must never block on it
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("PGDATA");
        try {
            Process p = pb.start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " timed out: " + full + "\n" + readQuietly(out.toPath()));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + full + "\n"
                        + readQuietly(out.toPath()) + readQuietly(baseDir.resolve("postgres.log")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + what, e);
        }
    }

    private void killPostmaster() {
        try {
            String first =
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
            ProcessHandle.of(Long.parseLong(first)).ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        } catch (Exception e) {
            System.err.println("[LocalPostgres] could not kill postmaster: " + e);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("[LocalPostgres] cleanup failed: " + e);
        }
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException("Local PostgreSQL is not running");
        }
    }

    private synchronized void registerShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::stopQuietlyFromHook, "local-postgres-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private void stopQuietlyFromHook() {
        synchronized (this) {
            shutdownHook = null; // we are the hook; do not try to remove it during shutdown
        }
        stopQuietly();
    }

    private synchronized void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // JVM already shutting down: the hook runs anyway and stop() is idempotent
            }
            shutdownHook = null;
        }
    }

    static Path findBinDir() {
        Optional<Path> onPath = Stream.of(
                        Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .filter(d -> Files.isExecutable(d.resolve("initdb")) && Files.isExecutable(d.resolve("pg_ctl")))
                .findFirst();
        if (onPath.isPresent()) {
            // Resolve symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb) so that
            // initdb finds its sibling 'postgres' binary and share files.
            try {
                return onPath.get().resolve("initdb").toRealPath().getParent();
            } catch (IOException e) {
                return onPath.get();
            }
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(LocalPostgres::majorVersion));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries found (looked for initdb and pg_ctl on PATH "
                + "and in /usr/lib/postgresql/*/bin). Install them, e.g. 'apt-get install postgresql', "
                + "or configure an external database (SCIM_DB_HOST etc.).");
    }

    private static double majorVersion(Path binDir) {
        try {
            return Double.parseDouble(binDir.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String runuser() {
        for (String c : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return "runuser";
    }

    static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (Throwable t) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void chown(Path path, String user) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(lookup.lookupPrincipalByName(user));
        try {
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
            view.setGroup(group);
        } catch (IOException noSuchGroup) {
            // owner is enough
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("[LocalPostgres] could not delete " + root + ": " + e);
        }
    }
}
