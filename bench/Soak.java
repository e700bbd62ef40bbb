import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's load: mixed SCIM traffic at a fixed rate (an open model: requests are sent on schedule whatever the
 * answers' latency, so a slowing service shows up as latency and errors instead of as a lower load). Light on CPU:
 * one async HTTP client, one scheduler thread. Prints a line per minute and a summary; exit code 0.
 *
 * java bench/Soak.java URL TOKEN MINUTES RATE_PER_SECOND
 */
public class Soak {

    static final String USER = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"%s\","
            + "\"name\":{\"givenName\":\"Soak\",\"familyName\":\"%s\"},\"emails\":[{\"value\":\"%s@example.com\"}]}";
    static final String PATCH = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[%s]}";

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        long minutes = Long.parseLong(args[2]);
        int rate = Integer.parseInt(args[3]);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<String> users = new CopyOnWriteArrayList<>();
        Random random = new Random(7);
        Map<String, AtomicLong> status = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong sent = new AtomicLong();
        String group =
                create(http, base, token, "/scim/v2/Groups", "{\"displayName\":\"soak-" + System.nanoTime() + "\"}");
        for (int i = 0; i < 50; i++) {
            users.add(create(http, base, token, "/scim/v2/Users", user(i + "-" + System.nanoTime())));
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        long periodMicros = 1_000_000L / rate;
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        scheduler.scheduleAtFixedRate(
                () -> {
                    if (System.nanoTime() > end) {
                        return;
                    }
                    HttpRequest request = next(random, base, token, users, group, sent.get());
                    long start = System.nanoTime();
                    sent.incrementAndGet();
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                            .whenComplete((response, failure) -> {
                                latencies.add((System.nanoTime() - start) / 1000);
                                String key = failure != null ? "io-error" : Integer.toString(response.statusCode());
                                status.computeIfAbsent(key, k -> new AtomicLong())
                                        .incrementAndGet();
                                if (response != null
                                        && response.statusCode() == 201
                                        && request.uri().getPath().endsWith("/Users")) {
                                    Matcher m = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"")
                                            .matcher(response.body());
                                    if (m.find() && users.size() < 100_000) {
                                        users.add(m.group(1));
                                    }
                                }
                            });
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS);
        for (long minute = 1; minute <= minutes; minute++) {
            Thread.sleep(60_000);
            List<Long> copy;
            synchronized (latencies) {
                copy = new ArrayList<>(latencies);
                latencies.clear();
            }
            Collections.sort(copy);
            System.out.printf(
                    "minute %d: sent %d, answers %s, p50 %.1f ms, p99 %.1f ms%n",
                    minute, sent.get(), status, pct(copy, 0.50) / 1000.0, pct(copy, 0.99) / 1000.0);
        }
        scheduler.shutdown();
        scheduler.awaitTermination(1, TimeUnit.MINUTES);
        System.out.printf("total: sent %d, answers %s%n", sent.get(), status);
        System.exit(0);
    }

    static HttpRequest next(Random random, String base, String token, List<String> users, String group, long n) {
        int pick = random.nextInt(100);
        String id = users.get(random.nextInt(users.size()));
        HttpRequest.Builder b = HttpRequest.newBuilder()
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/scim+json");
        if (pick < 50) {
            return b.uri(URI.create(base + "/scim/v2/Users/" + id)).GET().build();
        }
        if (pick < 65) {
            return b.uri(URI.create(base + "/scim/v2/Users?count=10&filter="
                            + java.net.URLEncoder.encode(
                                    "name.familyName eq \"f" + (n % 50) + "\"",
                                    java.nio.charset.StandardCharsets.UTF_8)))
                    .GET()
                    .build();
        }
        if (pick < 85) {
            String op = "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + n + "\"}";
            return b.uri(URI.create(base + "/scim/v2/Users/" + id))
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(PATCH.formatted(op)))
                    .build();
        }
        if (pick < 95) {
            return b.uri(URI.create(base + "/scim/v2/Users"))
                    .POST(HttpRequest.BodyPublishers.ofString(user("s" + n + "-" + System.nanoTime())))
                    .build();
        }
        String op = "{\"op\":\"" + (n % 2 == 0 ? "add" : "remove") + "\",\"path\":\"members\",\"value\":[{\"value\":\""
                + id + "\"}]}";
        return b.uri(URI.create(base + "/scim/v2/Groups/" + group))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(PATCH.formatted(op)))
                .build();
    }

    static String user(String suffix) {
        return USER.formatted("soak-" + suffix, "f" + Math.abs(suffix.hashCode() % 50), "soak-" + suffix);
    }

    static String create(HttpClient http, String base, String token, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/scim+json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
            throw new IllegalStateException("setup failed: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
    }
}
