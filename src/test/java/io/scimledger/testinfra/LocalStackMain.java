package io.scimledger.testinfra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts local PostgreSQL (durable settings) and/or an in-process Kafka broker for {@code deploy/run-local.sh},
 * writes their coordinates as shell {@code export} lines to an env file once everything is ready, then blocks
 * until SIGTERM/SIGINT; shutdown hooks stop everything and delete the env file.
 *
 * <pre>
 * args: [--postgres] [--kafka] [--env-file PATH] [--watch-pid PID]
 *   no service flag = both; --env-file defaults to target/local-stack.env;
 *   --watch-pid: also shut down when that process exits (e.g. the launching script was killed).
 * </pre>
 */
public final class LocalStackMain {

    private LocalStackMain() {}

    public static void main(String[] args) throws Exception {
        boolean postgres = false;
        boolean kafka = false;
        Path envFile = Path.of("target", "local-stack.env");
        Long watchPid = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--postgres" -> postgres = true;
                case "--kafka" -> kafka = true;
                case "--env-file" -> envFile = Path.of(requireValue(args, ++i, "--env-file"));
                case "--watch-pid" -> watchPid = Long.parseLong(requireValue(args, ++i, "--watch-pid"));
                default ->
                    throw new IllegalArgumentException("Unknown argument: " + args[i]
                            + " (expected --postgres, --kafka, --env-file PATH, --watch-pid PID)");
            }
        }
        if (!postgres && !kafka) {
            postgres = true;
            kafka = true;
        }
        Path env = envFile.toAbsolutePath();
        Files.deleteIfExists(env); // a stale file must never look like "ready"
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                Files.deleteIfExists(env);
                            } catch (IOException ignored) {
                                // best effort
                            }
                        },
                        "local-stack-env-cleanup"));
        if (watchPid != null) {
            watchParent(watchPid);
        }

        Map<String, String> vars = new LinkedHashMap<>();
        if (postgres) {
            LocalPostgres pg = LocalPostgres.startDurable(); // stops itself in a shutdown hook
            vars.put("SCIM_DB_HOST", pg.host());
            vars.put("SCIM_DB_PORT", Integer.toString(pg.port()));
            vars.put("SCIM_DB_NAME", pg.database());
            vars.put("SCIM_DB_APP_USER", LocalPostgres.APP_USER);
            vars.put("SCIM_DB_APP_PASSWORD", LocalPostgres.APP_PASSWORD);
            vars.put("SCIM_DB_OWNER_USER", LocalPostgres.OWNER_USER);
            vars.put("SCIM_DB_OWNER_PASSWORD", LocalPostgres.OWNER_PASSWORD);
            System.out.println("[local-stack] PostgreSQL ready: " + pg.jdbcUrl());
        }
        if (kafka) {
            LocalKafka k = new LocalKafka().start(); // closes itself in a shutdown hook
            vars.put("KAFKA_BOOTSTRAP_SERVERS", k.bootstrapServers());
            System.out.println("[local-stack] Kafka ready: " + k.bootstrapServers());
        }
        writeAtomically(env, vars);
        System.out.println("[local-stack] wrote " + env + "; running until SIGTERM/SIGINT");
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static void watchParent(long pid) {
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            System.err.println("[local-stack] watched process " + pid + " is gone; exiting");
            System.exit(1);
        }
        handle.get().onExit().thenRun(() -> {
            System.err.println("[local-stack] watched process " + pid + " exited; shutting down");
            System.exit(0);
        });
    }

    private static void writeAtomically(Path target, Map<String, String> vars) throws IOException {
        StringBuilder sb = new StringBuilder("# written by LocalStackMain; valid while it runs\n");
        vars.forEach((k, v) -> sb.append("export ")
                .append(k)
                .append("='")
                .append(v.replace("'", "'\\''"))
                .append("'\n"));
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".local-stack-", ".tmp");
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String requireValue(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
