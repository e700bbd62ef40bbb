package io.scimledger.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.scimledger.security.Scopes;
import io.scimledger.testinfra.LocalKafka;
import io.scimledger.testinfra.LocalPostgres;
import io.scimledger.testinfra.TopicReader;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, items 6 and 8: the packaged service (target/quarkus-app/quarkus-run.jar, prod profile with throwaway keys)
 * run as two separate JVMs on one PostgreSQL cluster and one Kafka broker, both started here.
 *
 * <p>Runs in the integration-test phase of {@code ./mvnw verify} (after package; see the pom's
 * {@code multi-instance-it} execution). On its own: {@code ./mvnw -o package -DskipTests} then
 * {@code ./mvnw -o surefire:test@multi-instance-it}.
 */
class MultiInstanceIT {

    private static final String ISSUER = "https://scim-ledger.local/multi-instance-it";
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final Path WORK = Path.of("target/multi-instance-it");
    private static final Duration START = Duration.ofSeconds(180);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalPostgres postgres;
    private static LocalKafka kafka;
    private static KeyPair jwtKeys;
    private static Map<String, String> env;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Instance> instances = new ArrayList<>();

    record Instance(String name, int port, Process process) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    /** One create as the client saw it: the status, and the created id for a 2xx. */
    record Outcome(int status, String id, String retryAfter, String instance) {}

    @BeforeAll
    static void startInfrastructure() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: this test runs after `package`");
        Files.createDirectories(WORK);
        postgres = LocalPostgres.startFast();
        kafka = new LocalKafka().start();

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        jwtKeys = rsa.generateKeyPair();
        Path publicKey = WORK.resolve("jwt-public.pem").toAbsolutePath();
        Files.writeString(
                publicKey,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(jwtKeys.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        KeyPair checkpoint = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);

        env = new HashMap<>();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("SCIM_DB_HOST", postgres.host());
        env.put("SCIM_DB_PORT", Integer.toString(postgres.port()));
        env.put("SCIM_DB_NAME", postgres.database());
        env.put("SCIM_DB_APP_USER", LocalPostgres.APP_USER);
        env.put("SCIM_DB_APP_PASSWORD", LocalPostgres.APP_PASSWORD);
        env.put("SCIM_DB_OWNER_USER", LocalPostgres.OWNER_USER);
        env.put("SCIM_DB_OWNER_PASSWORD", LocalPostgres.OWNER_PASSWORD);
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toString());
        env.put("SCIM_JWT_ISSUER", ISSUER);
        env.put("SCIM_CRYPTO_MASTER_KEY", Base64.getEncoder().encodeToString(master));
        env.put(
                "SCIM_AUDIT_CHECKPOINT_KEY",
                Base64.getEncoder().encodeToString(checkpoint.getPrivate().getEncoded()));
        env.put(
                "SCIM_AUDIT_CHECKPOINT_PUBLIC_KEY",
                Base64.getEncoder().encodeToString(checkpoint.getPublic().getEncoded()));
        env.put("SCIM_TENANTS_REGISTER_ON_FIRST_USE", "true");
        env.put("SCIM_PUBLISH_IDLE_POLL_MS", "20");
        env.put("SCIM_OPS_SAMPLE_INTERVAL", "PT0.5S");
        env.put("SCIM_OPS_RELAY_DEGRADED_AFTER", "PT2S");
    }

    @AfterAll
    static void stopInfrastructure() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.stop();
        }
    }

    @AfterEach
    void stopInstances() throws InterruptedException {
        for (Instance i : instances) {
            i.process().destroy();
            if (!i.process().waitFor(30, TimeUnit.SECONDS)) {
                i.process().destroyForcibly();
            }
        }
        instances.clear();
    }

    @Test
    void theOtherInstanceTakesOverTheRelayAndEveryCommittedEventReachesKafka() throws Exception {
        Instance one = start("relay-1");
        Instance two = start("relay-2");
        String tenant = "mi-failover";
        Instance holder = awaitRelayHolder(List.of(one, two));
        Instance survivor = holder == one ? two : one;

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicInteger committed = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            running.add(writers.submit(() -> {
                for (int n = 0; n < 40; n++) {
                    Instance target = (n + writer) % 2 == 0 ? one : two;
                    Outcome o = create(target, tenant, "failover-" + writer + "-" + n);
                    outcomes.add(o);
                    if (o.status() / 100 == 2) {
                        committed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        // kill -9 the relay holder while both instances take writes
        await().atMost(Duration.ofSeconds(120)).until(() -> committed.get() >= 40 || allDone(running));
        holder.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        for (Future<?> f : running) {
            f.get(300, TimeUnit.SECONDS);
        }
        writers.shutdown();

        await().atMost(Duration.ofSeconds(90)).until(() -> relayActive(survivor));
        List<Outcome> all = new ArrayList<>(outcomes);
        assertTrue(
                all.stream().noneMatch(o -> o.status() >= 500 && o.status() != 503),
                "no server error other than 503: " + summary(all));
        Set<String> ids = committedIds(all);
        assertTrue(ids.size() >= 40, "writes committed through both instances: " + summary(all));
        int duplicates = assertEveryCreateInLogAndOnKafka(tenant, ids);
        System.out.printf(
                "[MultiInstanceIT] failover: %d creates committed, %s; %d duplicate records on Kafka%n",
                ids.size(), summary(all), duplicates);
    }

    @Test
    void aPostgresRestartUnderLoadGivesNo500AndLosesNoWrite() throws Exception {
        Instance one = start("restart-1");
        Instance two = start("restart-2");
        String tenant = "mi-restart";

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicInteger answered = new AtomicInteger();
        // Reads run on the event loop with their own retry (db.Database.read): two readers list and filter the
        // tenant's users on both instances for as long as the writers run.
        ConcurrentLinkedQueue<Outcome> reads = new ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        List<Future<?>> reading = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Instance on = r == 0 ? one : two;
            reading.add(readers.submit(() -> {
                for (int n = 0; writing.get(); n++) {
                    reads.add(read(on, tenant, n % 2 == 0 ? "/scim/v2/Users?count=5" : FILTER_BY_NAME));
                }
                return null;
            }));
        }
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            running.add(writers.submit(() -> {
                for (int n = 0; n < 50; n++) {
                    Outcome o = create((n + writer) % 2 == 0 ? one : two, tenant, "restart-" + writer + "-" + n);
                    outcomes.add(o);
                    answered.incrementAndGet();
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= 60 || allDone(running));
        postgres.restart();
        assertTrue(
                answered.get() < 8 * 50, "writers were still running when PostgreSQL came back: a restart under load");
        for (Future<?> f : running) {
            f.get(300, TimeUnit.SECONDS);
        }
        writers.shutdown();
        writing.set(false);
        for (Future<?> f : reading) {
            f.get(120, TimeUnit.SECONDS);
        }
        readers.shutdown();

        List<Outcome> all = new ArrayList<>(outcomes);
        for (Outcome o : all) {
            assertTrue(
                    o.status() / 100 == 2 || o.status() == 503,
                    "only 2xx or 503 while PostgreSQL restarts, got " + o + "; " + summary(all));
            if (o.status() == 503) {
                assertNotNull(o.retryAfter(), "a 503 carries Retry-After");
            }
        }
        List<Outcome> allReads = new ArrayList<>(reads);
        assertTrue(allReads.stream().anyMatch(o -> o.status() == 200), "reads were answered: " + summary(allReads));
        for (Outcome o : allReads) {
            assertTrue(
                    o.status() == 200 || (o.status() == 503 && o.retryAfter() != null),
                    "a read while PostgreSQL restarts is 200, or 503 with Retry-After; got " + o + "; "
                            + summary(allReads));
        }
        Set<String> ids = committedIds(all);
        int duplicates = assertEveryCreateInLogAndOnKafka(tenant, ids);
        for (Instance i : List.of(one, two)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(i, "/q/health/ready") == 200);
            assertEquals(201, create(i, tenant, "after-restart-" + i.name()).status(), "writes work again");
        }
        System.out.printf("[MultiInstanceIT] restart: %s; %d duplicate records on Kafka%n", summary(all), duplicates);
    }

    @Test
    void withKafkaDownWritesKeepWorkingReadinessSaysDegradedAndTheLagShows() throws Exception {
        Instance one = start("kafka-down-1");
        String tenant = "mi-kafka-down";
        awaitRelayHolder(List.of(one));
        kafka.stop();
        try {
            List<Outcome> all = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                Outcome o = create(one, tenant, "kafka-down-" + n);
                assertEquals(201, o.status(), "writes never wait for Kafka");
                all.add(o);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> "degraded".equals(relayState(one)));
            assertEquals(200, status(one, "/q/health/ready"), "still ready: the load balancer keeps the instance");
            await().atMost(Duration.ofSeconds(30)).until(() -> metric(one, "scim_relay_lag_events") >= 20);
            assertTrue(metric(one, "scim_relay_lag_seconds") > 0, "the lag in seconds shows too");
            // no assertion on scim_relay_failures_total: a producer that already has the topics' metadata keeps
            // its records in flight for up to delivery.timeout.ms (2 min) before the attempt counts as failed

            kafka.start();
            assertEveryCreateInLogAndOnKafka(tenant, committedIds(all));
            await().atMost(Duration.ofSeconds(60)).until(() -> metric(one, "scim_relay_lag_events") == 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> "publishing".equals(relayState(one)));
        } finally {
            kafka.start(); // no-op when already running; the other tests need the broker
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String relayState(Instance i) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(i.url("/q/health/ready")))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode check : JSON.readTree(r.body()).path("checks")) {
            if ("Kafka relay".equals(check.path("name").asText())) {
                return check.path("data").path("state").asText();
            }
        }
        return null;
    }

    /** One un-tagged sample of a Prometheus metric at /q/metrics (NaN when absent). */
    private static double metric(Instance i, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(i.url("/q/metrics")))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body()
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(Double.NaN);
    }

    private Instance start(String name) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-Dquarkus.http.port=" + port,
                        "-jar",
                        JAR.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(WORK.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Instance i = new Instance(name, port, pb.start());
        instances.add(i);
        await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!i.process().isAlive()) {
                throw new IllegalStateException(name + " exited; see " + WORK.resolve(name + ".log"));
            }
            return status(i, "/q/health/ready") == 200;
        });
        return i;
    }

    private static boolean allDone(List<Future<?>> futures) {
        return futures.stream().allMatch(Future::isDone);
    }

    private Instance awaitRelayHolder(List<Instance> candidates) {
        Instance[] holder = new Instance[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            for (Instance i : candidates) {
                if (relayActive(i)) {
                    holder[0] = i;
                    return true;
                }
            }
            return false;
        });
        return holder[0];
    }

    private static boolean relayActive(Instance i) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(i.url("/admin/relay")))
                            .header("Authorization", "Bearer " + token("ops", "operator", Scopes.PLATFORM_ADMIN))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200
                    && JSON.readTree(r.body()).path("activeHere").asBoolean(false);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int status(Instance i, String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(i.url(path)))
                                    .timeout(Duration.ofSeconds(10))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * POSTs a user; a request the instance never answered (killed, connection refused or reset) is status -1: its
     * outcome is unknown to the client, so it is not counted as committed.
     */
    /** A filter the restart test's readers send (percent-encoded {@code userName sw "restart-"}). */
    private static final String FILTER_BY_NAME = "/scim/v2/Users?filter=userName%20sw%20%22restart-%22&count=5";

    private static Outcome read(Instance i, String tenant, String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(i.url(pathAndQuery)))
                            .header("Authorization", "Bearer " + token(tenant, "idp-" + tenant, Scopes.SCIM_READ))
                            .timeout(Duration.ofSeconds(60))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Outcome(
                    r.statusCode(), null, r.headers().firstValue("Retry-After").orElse(null), i.name());
        } catch (IOException e) {
            return new Outcome(-1, null, null, i.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, null, null, i.name());
        }
    }

    private static Outcome create(Instance i, String tenant, String userName) {
        String body = """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","active":true}
                """.formatted(userName);
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(i.url("/scim/v2/Users")))
                            .header(
                                    "Authorization",
                                    "Bearer " + token(tenant, "idp-" + tenant, Scopes.SCIM_READ, Scopes.SCIM_WRITE))
                            .header("Content-Type", "application/scim+json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            String id = r.statusCode() / 100 == 2
                    ? JSON.readTree(r.body()).path("id").asText()
                    : null;
            return new Outcome(
                    r.statusCode(), id, r.headers().firstValue("Retry-After").orElse(null), i.name());
        } catch (IOException e) {
            return new Outcome(-1, null, null, i.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, null, null, i.name());
        }
    }

    private static String token(String tenant, String subject, String... scopes) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .claim("tenant", tenant)
                .claim("azp", subject + "-client")
                .claim("scope", String.join(" ", scopes))
                .expiresIn(Duration.ofHours(1))
                .sign(jwtKeys.getPrivate());
    }

    private static Set<String> committedIds(List<Outcome> all) {
        Set<String> ids = new HashSet<>();
        all.stream().filter(o -> o.status() / 100 == 2).forEach(o -> ids.add(o.id()));
        return ids;
    }

    private static String summary(List<Outcome> all) {
        Map<Integer, Long> byStatus = new java.util.TreeMap<>();
        all.forEach(o -> byStatus.merge(o.status(), 1L, Long::sum));
        return "answers by status " + byStatus;
    }

    /**
     * Every acknowledged create is a UserCreated in the log and reaches Kafka: exactly once, or again with the same
     * ce_id (the relay is at-least-once; a duplicate is the same record, which consumers drop by ce_id).
     *
     * @return how many duplicate records Kafka holds for these creates
     */
    private static int assertEveryCreateInLogAndOnKafka(String tenant, Set<String> ids) throws Exception {
        Set<String> inLog = new HashSet<>();
        try (Connection c = DriverManager.getConnection(
                        postgres.jdbcUrl(), LocalPostgres.OWNER_USER, LocalPostgres.OWNER_PASSWORD);
                PreparedStatement st = c.prepareStatement(
                        "SELECT stream_id::text FROM event WHERE tenant_id = ? " + "AND event_type = 'UserCreated'")) {
            st.setString(1, tenant);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    inLog.add(rs.getString(1));
                }
            }
        }
        Set<String> missingFromLog = new HashSet<>(ids);
        missingFromLog.removeAll(inLog);
        assertTrue(missingFromLog.isEmpty(), "acknowledged creates missing from the log: " + missingFromLog);

        Map<String, List<String>> createdOnKafka = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                TopicReader.fromBeginning(kafka.bootstrapServers(), List.of("scim.users.events"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!createdOnKafka.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    if (tenant.equals(TopicReader.header(rec, "ce_tenant"))
                            && "1".equals(TopicReader.header(rec, "ce_streamversion"))) {
                        createdOnKafka
                                .computeIfAbsent(rec.key(), k -> new ArrayList<>())
                                .add(TopicReader.header(rec, "ce_id"));
                    }
                }
            }
        }
        Set<String> missingFromKafka = new HashSet<>(ids);
        missingFromKafka.removeAll(createdOnKafka.keySet());
        assertTrue(missingFromKafka.isEmpty(), "acknowledged creates never reached Kafka: " + missingFromKafka);
        int duplicates = 0;
        for (String id : ids) {
            List<String> ceIds = createdOnKafka.get(id);
            assertEquals(1, new HashSet<>(ceIds).size(), "one event per create, however often it was sent: " + id);
            duplicates += ceIds.size() - 1;
        }
        return duplicates;
    }

    static {
        // the JDBC driver is on the test classpath (testinfra uses it); make sure it is registered
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
