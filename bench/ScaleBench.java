import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Read-path benchmark over a large tenant (driven by bench/scale.sh): single-file, JDK only, localhost only.
 *
 * <pre>
 *   java bench/ScaleBench.java template --tenant T          POST one user (API), print its id
 *   java bench/ScaleBench.java measure  --tenant T --sample FILE [--threads 4] [--out FILE] [--scale K]
 * </pre>
 *
 * The sample file is tab-separated (id, userName, externalId, familyName), one existing user per line, drawn at
 * random from the projection by bench/scale.sh. Every scenario has a fixed request count (--scale multiplies
 * the counts of the fast scenarios); nothing loops unbounded.
 */
public class ScaleBench {

    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern TOTAL = Pattern.compile("\"totalResults\"\\s*:\\s*(\\d+)");
    static final Pattern NEXT = Pattern.compile("\"nextCursor\"\\s*:\\s*\"([^\"]+)\"");

    String baseUrl = "http://localhost:8080/scim/v2";
    String tenant;
    String keyFile = "deploy/dev-keys/dev-jwt-private.pem";
    String sampleFile;
    String out;
    int threads = 4;
    double scale = 1.0;
    HttpClient http;
    String token;
    List<String[]> sample = new ArrayList<>();
    final StringBuilder table = new StringBuilder();
    int failures;

    public static void main(String[] a) throws Exception {
        ScaleBench b = new ScaleBench();
        String mode = a.length > 0 ? a[0] : "--help";
        for (int i = 1; i < a.length; i++) {
            String v = i + 1 < a.length ? a[i + 1] : null;
            switch (a[i]) {
                case "--base-url" -> b.baseUrl = v.replaceAll("/+$", "");
                case "--tenant" -> b.tenant = v;
                case "--key" -> b.keyFile = v;
                case "--sample" -> b.sampleFile = v;
                case "--out" -> b.out = v;
                case "--threads" -> b.threads = Integer.parseInt(v);
                case "--scale" -> b.scale = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown option " + a[i]);
            }
            i++;
        }
        String host = URI.create(b.baseUrl).getHost();
        if (!List.of("localhost", "127.0.0.1").contains(host)) {
            throw new IllegalArgumentException("localhost only: " + b.baseUrl);
        }
        if (b.tenant == null && !mode.equals("--help")) {
            throw new IllegalArgumentException("--tenant is required");
        }
        switch (mode) {
            case "template" -> System.exit(b.template());
            case "measure" -> System.exit(b.measure());
            default ->
                System.out.println("usage: java bench/ScaleBench.java template|measure --tenant T [--sample FILE]"
                        + " [--threads N] [--scale K] [--out FILE] [--base-url URL] [--key PEM]");
        }
    }

    void init() throws Exception {
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        token = mintToken(Files.readString(Path.of(keyFile)), tenant);
    }

    /** One user through the API: the shape of its projection row is the template for the SQL bulk load. */
    int template() throws Exception {
        init();
        String body = "{\"schemas\":[\"" + USER_SCHEMA + "\"],\"userName\":\"template.user@scale.example.com\","
                + "\"externalId\":\"template-ext\",\"name\":{\"givenName\":\"Template\",\"familyName\":\"User\","
                + "\"formatted\":\"Template User\"},\"displayName\":\"Template User\",\"title\":\"Engineer\","
                + "\"emails\":[{\"value\":\"template.user@scale.example.com\",\"type\":\"work\",\"primary\":true}],"
                + "\"active\":true}";
        String[] r = send("POST", baseUrl + "/Users", body);
        if (!r[0].equals("201")) {
            System.err.println("template create failed: HTTP " + r[0] + " " + r[1]);
            return 1;
        }
        Matcher m = ID.matcher(r[1]);
        m.find();
        System.out.println(m.group(1));
        return 0;
    }

    int measure() throws Exception {
        init();
        for (String line : Files.readAllLines(Path.of(sampleFile))) {
            if (!line.isBlank()) {
                sample.add(line.split("\t", -1));
            }
        }
        if (sample.size() < 10) {
            throw new IllegalStateException("sample too small: " + sample.size());
        }
        String[] probe = send("GET", baseUrl + "/Users?count=1", null);
        Matcher tm = TOTAL.matcher(probe[1]);
        if (!probe[0].equals("200") || !tm.find()) {
            System.err.println("probe failed: HTTP " + probe[0] + " " + probe[1]);
            return 2;
        }
        long total = Long.parseLong(tm.group(1));
        log("tenant %s holds %,d users; %d sample users; %d threads", tenant, total, sample.size(), threads);
        table.append(
                        "| Scenario | Requests | Threads | Errors | Throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        int fast = (int) Math.max(20, 2000 * scale);
        int slow = (int) Math.max(5, 20 * scale);

        // warm-up (unmeasured): JIT, connection pool, and the sample rows' index pages
        phase(null, 200, threads, i -> get("/Users/" + s(i)[0], -1));
        phase(null, 200, threads, i -> get("/Users?filter=" + enc("userName eq \"" + s(i)[1] + "\""), 1));

        phase("GET /Users/{id}", fast, threads, i -> get("/Users/" + s(i)[0], -1));
        phase(
                "filter userName eq \"...\" (case-varied)",
                fast,
                threads,
                i -> get("/Users?filter=" + enc("userName eq \"" + varyCase(s(i)[1], i) + "\""), 1));
        phase(
                "filter externalId eq \"...\"",
                fast,
                threads,
                i -> get("/Users?filter=" + enc("externalId eq \"" + s(i)[2] + "\""), 1));
        phase(
                "filter userName sw \"<6-char prefix>\" (~100 matches) sortBy=userName count=100",
                (int) Math.max(20, 200 * scale),
                threads,
                i -> get(
                        "/Users?filter=" + enc("userName sw \"" + s(i)[1].substring(0, 6) + "\"")
                                + "&sortBy=userName&count=100",
                        -2));
        phase(
                "filter name.familyName eq \"...\" (no index)",
                slow,
                Math.min(2, threads),
                i -> get("/Users?filter=" + enc("name.familyName eq \"" + s(i)[3] + "\""), -2));
        phase(
                "list, no filter, count=100 (startIndex=1)",
                slow * 2,
                Math.min(2, threads),
                i -> get("/Users?count=100", 100));
        phase(
                "list sortBy=userName startIndex=1 count=100",
                slow * 2,
                Math.min(2, threads),
                i -> get("/Users?sortBy=userName&count=100", 100));
        phase(
                "list sortBy=userName startIndex=500000 count=100",
                slow,
                Math.min(2, threads),
                i -> get("/Users?sortBy=userName&startIndex=" + (500_000 + i) + "&count=100", 100));
        phase(
                "list startIndex=500000 count=100 (default order)",
                slow,
                Math.min(2, threads),
                i -> get("/Users?startIndex=" + (500_000 + i) + "&count=100", 100));

        // cursor paging: one chain, strictly sequential (each page needs the previous page's nextCursor)
        String[] cursor = {""};
        phase("cursor paging count=100, " + slow * 2 + " consecutive pages", slow * 2, 1, i -> {
            String[] r = send("GET", baseUrl + "/Users?count=100&cursor=" + enc(cursor[0]), null);
            check(r, 100);
            Matcher m = NEXT.matcher(r[1]);
            if (!m.find()) {
                throw new IllegalStateException("no nextCursor on page " + i);
            }
            cursor[0] = m.group(1);
        });

        String report = "Tenant `" + tenant + "` with " + String.format(Locale.ROOT, "%,d", total) + " users, "
                + "client " + threads + " threads (2 for the slow scenarios, 1 for the cursor chain), run "
                + Instant.now() + ".\n\n" + table;
        System.out.println();
        System.out.println(report);
        if (out != null) {
            Files.writeString(Path.of(out), report);
        }
        return failures == 0 ? 0 : 1;
    }

    String[] s(int i) {
        return sample.get((int) Math.floorMod(i * 0x9E3779B97F4A7C15L, (long) sample.size()));
    }

    /** expectTotal: n exact totalResults; -1 don't check (a single resource); -2 at least one; 100 = a full page. */
    void get(String path, int expect) throws Exception {
        check(send("GET", baseUrl + path, null), expect);
    }

    void check(String[] r, int expect) {
        if (!r[0].equals("200")) {
            throw new IllegalStateException("HTTP " + r[0] + ": " + abbreviate(r[1]));
        }
        if (expect == -1) {
            return;
        }
        if (expect == 100) {
            int n = 0;
            for (int p = r[1].indexOf("\"userName\""); p >= 0; p = r[1].indexOf("\"userName\"", p + 1)) {
                n++;
            }
            if (n != 100) {
                throw new IllegalStateException("expected a page of 100, got " + n + ": " + abbreviate(r[1]));
            }
            return;
        }
        Matcher m = TOTAL.matcher(r[1]);
        long t = m.find() ? Long.parseLong(m.group(1)) : -1;
        if (expect == -2 ? t < 1 : t != expect) {
            throw new IllegalStateException("unexpected totalResults " + t + ": " + abbreviate(r[1]));
        }
    }

    interface Op {
        void run(int i) throws Exception;
    }

    void phase(String name, int n, int nThreads, Op op) throws Exception {
        long[] lat = new long[n];
        boolean[] ok = new boolean[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        int t = Math.max(1, Math.min(nThreads, n));
        CountDownLatch done = new CountDownLatch(t);
        long start = System.nanoTime();
        for (int k = 0; k < t; k++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        long s0 = System.nanoTime();
                        try {
                            op.run(i);
                            ok[i] = true;
                        } catch (Exception e) {
                            if (errors.incrementAndGet() <= 3) {
                                System.err.println("ERROR " + name + ": " + e.getMessage());
                            }
                            if (errors.get() >= 10) {
                                next.set(n); // bounded: give up on a failing scenario
                            }
                        }
                        lat[i] = System.nanoTime() - s0;
                    }
                } finally {
                    done.countDown();
                }
            });
            th.setDaemon(true);
            th.start();
        }
        done.await();
        double sec = (System.nanoTime() - start) / 1e9;
        long[] okLat = new long[n];
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (ok[i]) {
                okLat[c++] = lat[i];
            }
        }
        okLat = Arrays.copyOf(okLat, c);
        Arrays.sort(okLat);
        if (name == null) {
            return;
        }
        failures += errors.get();
        String row = String.format(
                Locale.ROOT,
                "| %s | %,d | %d | %d | %.1f | %.2f | %.2f | %.2f |",
                name,
                c,
                t,
                errors.get(),
                c / sec,
                pct(okLat, 50),
                pct(okLat, 99),
                pct(okLat, 100));
        log("%s", row);
        table.append(row).append('\n');
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    String[] send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/scim+json");
        if (body != null) {
            b.header("Content-Type", "application/scim+json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new String[] {Integer.toString(r.statusCode()), r.body()};
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String abbreviate(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "...";
    }

    static String varyCase(String s, int seed) {
        Random r = new Random(seed * 31L + 7);
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            b.append(r.nextBoolean() ? Character.toUpperCase(ch) : ch);
        }
        return b.toString();
    }

    /** Same development token as bench/ScimBench.java (RS256, dev key, accepted by the dev/test profiles only). */
    static String mintToken(String pem, String tenant) throws Exception {
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        long now = Instant.now().getEpochSecond();
        byte[] jti = new byte[8];
        new SecureRandom().nextBytes(jti);
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims =
                "{\"iss\":\"https://scim-ledger.local/dev\",\"sub\":\"bench\",\"azp\":\"bench-client\",\"tenant\":\""
                        + tenant + "\",\"scope\":\"scim:read scim:write\",\"iat\":" + now + ",\"exp\":" + (now + 7200)
                        + ",\"jti\":\"" + HexFormat.of().formatHex(jti) + "\"}";
        Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
        String input = e.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + e.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + e.encodeToString(sig.sign());
    }

    static void log(String fmt, Object... args) {
        System.out.println(
                "[scale " + java.time.LocalTime.now().withNano(0) + "] " + String.format(Locale.ROOT, fmt, args));
    }
}
