import java.io.IOException;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCIM Ledger benchmark: a single-file, dependency-free Java 17 program.
 *
 * <pre>
 *   java bench/ScimBench.java [--base-url http://localhost:8080/scim/v2] [--threads 8] [--out report.md] ...
 *   java bench/ScimBench.java --help
 * </pre>
 *
 * It mints its own RS256 token with the development key (accepted only by the dev and test profiles), works in a
 * fresh random tenant, and only talks to localhost. Every loop has a fixed count; setup phases are not measured.
 */
public class ScimBench {

    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final String CONTENT_TYPE = "application/scim+json";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern TOTAL = Pattern.compile("\"totalResults\"\\s*:\\s*(\\d+)");

    // ---- options ------------------------------------------------------------------------------------------------
    String baseUrl = "http://localhost:8080/scim/v2";
    int threads = 8;
    int setupThreads = -1; // default: same as threads
    int groupThreads = 1;
    int warmup = 200;
    int creates = 2_000;
    int gets = 5_000;
    int filters = 5_000;
    int patches = 2_000;
    int groupAdds = 300;
    int groupLists = 1_000;
    int[] groupSizes = {10, 1_000, 100_000};
    int chunk = 1_000;
    String keyFile = "deploy/dev-keys/dev-jwt-private.pem";
    String out = null;
    String envNote = null;
    boolean verifyBigGroup = true;

    // ---- state --------------------------------------------------------------------------------------------------
    HttpClient http;
    String token;
    String tenant;
    final String runId = HexFormat.of().formatHex(randomBytes(4));
    final AtomicLong userSeq = new AtomicLong();
    final List<Result> results = new ArrayList<>();
    final List<String> setupNotes = new ArrayList<>();
    final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    final AtomicInteger errorSampleCount = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        ScimBench b = new ScimBench();
        if (!b.parse(args)) {
            return;
        }
        int rc = b.run();
        System.exit(rc);
    }

    static void usage() {
        System.out.println("""
                Usage: java bench/ScimBench.java [options]
                  --base-url URL        SCIM base URL, localhost only (default http://localhost:8080/scim/v2)
                  --threads N           client threads for the measured user scenarios (default 8)
                  --setup-threads N     client threads for (unmeasured) setup (default: --threads)
                  --group-threads N     client threads for the measured group adds (default 1; all adds of a
                                        scenario hit one group, i.e. one event stream)
                  --warmup N            unmeasured warm-up creates/gets/filters before measuring (default 200)
                  --creates N           POST /Users (default 2000)
                  --gets N              GET /Users/{id} (default 5000)
                  --filters N           GET /Users?filter=userName eq "..." (default 5000)
                  --patches N           PATCH /Users/{id} replace title, distinct users (default 2000; at most --creates)
                  --group-adds N        single-member adds measured per group (default 300)
                  --group-sizes A,B,C   group sizes (default 10,1000,100000)
                  --group-lists N       GET /Groups?excludedAttributes=members after the group scenarios (default 1000)
                  --chunk N             member ids per PATCH when filling groups (default 1000)
                  --key FILE            PKCS#8 PEM RSA private key (default deploy/dev-keys/dev-jwt-private.pem)
                  --out FILE            also write the Markdown report to FILE
                  --env-note TEXT       free text added to the environment section of the report
                  --no-verify           skip reading back the largest group to count its members
                """);
    }

    boolean parse(String[] a) {
        for (int i = 0; i < a.length; i++) {
            String o = a[i];
            switch (o) {
                case "--help", "-h" -> {
                    usage();
                    return false;
                }
                case "--no-verify" -> verifyBigGroup = false;
                default -> {
                    if (i + 1 >= a.length) {
                        throw new IllegalArgumentException("missing value for " + o);
                    }
                    String v = a[++i];
                    switch (o) {
                        case "--base-url" -> baseUrl = v.replaceAll("/+$", "");
                        case "--threads" -> threads = positive(o, v);
                        case "--setup-threads" -> setupThreads = positive(o, v);
                        case "--group-threads" -> groupThreads = positive(o, v);
                        case "--warmup" -> warmup = nonNegative(o, v);
                        case "--creates" -> creates = positive(o, v);
                        case "--gets" -> gets = nonNegative(o, v);
                        case "--filters" -> filters = nonNegative(o, v);
                        case "--patches" -> patches = nonNegative(o, v);
                        case "--group-adds" -> groupAdds = nonNegative(o, v);
                        case "--group-lists" -> groupLists = nonNegative(o, v);
                        case "--group-sizes" ->
                            groupSizes = Arrays.stream(v.split(","))
                                    .mapToInt(s -> positive(o, s.trim()))
                                    .toArray();
                        case "--chunk" -> chunk = positive(o, v);
                        case "--key" -> keyFile = v;
                        case "--out" -> out = v;
                        case "--env-note" -> envNote = v;
                        default -> throw new IllegalArgumentException("unknown option " + o + " (see --help)");
                    }
                }
            }
        }
        if (setupThreads < 0) {
            setupThreads = threads;
        }
        patches = Math.min(patches, creates);
        URI u = URI.create(baseUrl);
        String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
        if (!List.of("localhost", "127.0.0.1", "[::1]", "::1").contains(host)) {
            throw new IllegalArgumentException("refusing non-local target " + baseUrl + " (localhost only)");
        }
        return true;
    }

    static int positive(String o, String v) {
        int n = Integer.parseInt(v);
        if (n <= 0) {
            throw new IllegalArgumentException(o + " must be > 0");
        }
        return n;
    }

    static int nonNegative(String o, String v) {
        int n = Integer.parseInt(v);
        if (n < 0) {
            throw new IllegalArgumentException(o + " must be >= 0");
        }
        return n;
    }

    // ---- main flow ----------------------------------------------------------------------------------------------

    int run() throws Exception {
        long t0 = System.nanoTime();
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        tenant = "bench-" + runId;
        token = mintToken(Files.readString(Path.of(keyFile)), tenant);
        log(
                "tenant %s, base %s, %d threads (setup %d, group adds %d)",
                tenant, baseUrl, threads, setupThreads, groupThreads);

        // Auth/availability check.
        Resp probe = send("GET", baseUrl + "/Users?count=1", null);
        if (probe.status != 200) {
            System.err.println("service check failed: GET /Users?count=1 -> " + probe.status + "\n" + probe.body);
            return 2;
        }

        try {
            // Warm-up (unmeasured): exercise the code paths once so the first measured scenario is not all JIT.
            if (warmup > 0) {
                String[] w = createUsers(warmup, setupThreads, "warm-up users");
                runPhase(
                        "warm-up gets",
                        warmup,
                        setupThreads,
                        i -> expect(send("GET", baseUrl + "/Users/" + w[i], null), 200));
                runPhase("warm-up filters", warmup, setupThreads, i -> filterOne(userName(1 + i), i));
            }

            // 1. create users
            String[] ids = new String[creates];
            long firstSeq = userSeq.get() + 1;
            measure("Create user (POST /Users)", creates, threads, i -> {
                long n = userSeq.incrementAndGet();
                Resp r = send("POST", baseUrl + "/Users", userJson(n));
                expect(r, 201);
                ids[i] = extractId(r);
            });
            requireAll(ids, "created users");

            // 2. get by id
            measure(
                    "Get user by id (GET /Users/{id})",
                    gets,
                    threads,
                    i -> expect(send("GET", baseUrl + "/Users/" + ids[(int) mix(i, creates)], null), 200));

            // 3. filter by userName, case-varied
            measure("Filter userName eq (GET /Users?filter=...)", filters, threads, i -> {
                long n = firstSeq + mix(i, creates);
                filterOne(userName(n), i);
            });

            // 4. patch distinct users
            measure("Patch user title (PATCH /Users/{id})", patches, threads, i -> {
                String body = "{\"schemas\":[\"" + PATCH_SCHEMA
                        + "\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + i + "\"}]}";
                expect(send("PATCH", baseUrl + "/Users/" + ids[i], body), 200);
            });

            // 5. group adds
            groupScenarios(ids);

            // 6. list the tenant's groups, as an identity provider does before pushing groups. The conformance
            // tests check what this answers; how fast it answers is measured here only (a test that timed one
            // request measured the build machine's load, not the service). Members are excluded: the tenant holds
            // the 100,000-member group by now.
            if (groupLists > 0) {
                measure(
                        "List groups (GET /Groups?excludedAttributes=members)",
                        groupLists,
                        threads,
                        i -> expect(send("GET", baseUrl + "/Groups?excludedAttributes=members", null), 200));
            }
        } catch (Aborted | Failed e) {
            System.err.println("ABORTED: " + e.getMessage());
            String report = report(Duration.ofNanos(System.nanoTime() - t0), e.getMessage());
            System.out.println(report);
            writeOut(report);
            return 1;
        }
        String report = report(Duration.ofNanos(System.nanoTime() - t0), null);
        System.out.println();
        System.out.println(report);
        writeOut(report);
        return errorSampleCount.get() == 0 ? 0 : 1;
    }

    void groupScenarios(String[] existing) throws Exception {
        if (groupSizes.length == 0 || groupAdds == 0) {
            return;
        }
        int maxSize = Arrays.stream(groupSizes).max().getAsInt();
        // Member pool: users created so far are reused, the rest are created here (unmeasured).
        String[] pool = new String[maxSize];
        int reuse = Math.min(existing.length, maxSize);
        System.arraycopy(existing, 0, pool, 0, reuse);
        if (maxSize > reuse) {
            long s = System.nanoTime();
            String[] more = createUsers(maxSize - reuse, setupThreads, "member users");
            System.arraycopy(more, 0, pool, reuse, more.length);
            double sec = (System.nanoTime() - s) / 1e9;
            setupNotes.add(String.format(
                    Locale.ROOT,
                    "Created %,d member users in %.1f s (%.0f users/s, %d threads)",
                    more.length,
                    sec,
                    more.length / sec,
                    setupThreads));
        }
        // Users added during measurement: in no group yet; the same ones go into every group.
        String[] adders = createUsers(groupAdds, setupThreads, "users to add");

        String[] groupIds = new String[groupSizes.length];
        for (int g = 0; g < groupSizes.length; g++) {
            int size = groupSizes[g];
            Resp r = send(
                    "POST",
                    baseUrl + "/Groups",
                    "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"bench-" + runId + "-g" + size + "\"}");
            expect(r, 201);
            groupIds[g] = extractId(r);
            long s = System.nanoTime();
            int chunks = (size + chunk - 1) / chunk;
            for (int c = 0; c < chunks; c++) {
                int from = c * chunk;
                int to = Math.min(size, from + chunk);
                StringBuilder b = new StringBuilder(64 * (to - from) + 200);
                b.append("{\"schemas\":[\"")
                        .append(PATCH_SCHEMA)
                        .append("\"],\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[");
                for (int k = from; k < to; k++) {
                    b.append(k == from ? "" : ",")
                            .append("{\"value\":\"")
                            .append(pool[k])
                            .append("\"}");
                }
                b.append("]}]}");
                expect(
                        send("PATCH", baseUrl + "/Groups/" + groupIds[g] + "?excludedAttributes=members", b.toString()),
                        200);
                if (chunks >= 10 && (c + 1) % (chunks / 10) == 0) {
                    log("  group of %,d: %,d members added", size, to);
                }
            }
            double sec = (System.nanoTime() - s) / 1e9;
            setupNotes.add(String.format(
                    Locale.ROOT,
                    "Filled the %,d-member group with %d PATCH requests of up to %,d ids in %.1f s",
                    size,
                    chunks,
                    chunk,
                    sec));
        }

        // Measured adds, interleaved round-robin over the groups (add k goes to group k % G), so that background
        // work on the server (e.g. the Kafka relay catching up after setup) falls on every group size alike.
        int groups = groupSizes.length;
        long[][] lat = new long[groups][groupAdds];
        boolean[][] ok = new boolean[groups][groupAdds];
        Result all =
                runPhase("Group adds, interleaved over " + groups + " groups", groupAdds * groups, groupThreads, i -> {
                    int g = i % groups;
                    int k = i / groups;
                    String body = "{\"schemas\":[\"" + PATCH_SCHEMA
                            + "\"],\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\""
                            + adders[k] + "\"}]}]}";
                    long s0 = System.nanoTime();
                    Resp r = send("PATCH", baseUrl + "/Groups/" + groupIds[g] + "?excludedAttributes=members", body);
                    lat[g][k] = System.nanoTime() - s0;
                    expect(r, 200);
                    ok[g][k] = true;
                });
        for (int g = 0; g < groups; g++) {
            Result r = new Result();
            r.name = String.format(Locale.ROOT, "Add 1 member to group of %,d (PATCH /Groups/{id})", groupSizes[g]);
            r.threads = all.threads;
            r.interleaved = true;
            List<Long> l = new ArrayList<>();
            for (int k = 0; k < groupAdds; k++) {
                if (ok[g][k]) {
                    l.add(lat[g][k]);
                } else {
                    r.errors++;
                }
            }
            r.nanos = l.stream().mapToLong(Long::longValue).sorted().toArray();
            r.ops = r.nanos.length;
            // Interleaved: a group's own share of the wall time is the sum of its latencies (per client thread).
            r.seconds = Arrays.stream(r.nanos).sum() / 1e9 / all.threads;
            results.add(r);
            log(
                    "%-50s %7d ops  %8.1f ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d",
                    r.name, r.ops, r.ops / r.seconds, pct(r.nanos, 50), pct(r.nanos, 99), r.errors);
        }

        if (verifyBigGroup) {
            int g = 0;
            for (int k = 1; k < groupSizes.length; k++) {
                if (groupSizes[k] > groupSizes[g]) {
                    g = k;
                }
            }
            long s = System.nanoTime();
            Resp r = send("GET", baseUrl + "/Groups/" + groupIds[g] + "?attributes=members", null);
            expect(r, 200);
            int count = 0;
            for (int p = r.body.indexOf("\"value\""); p >= 0; p = r.body.indexOf("\"value\"", p + 7)) {
                count++;
            }
            int expected = groupSizes[g] + groupAdds;
            setupNotes.add(String.format(
                    Locale.ROOT,
                    "Read back the largest group (GET /Groups/{id}?attributes=members, %,d bytes, %.1f s): %,d members, expected %,d%s",
                    r.body.length(),
                    (System.nanoTime() - s) / 1e9,
                    count,
                    expected,
                    count == expected ? "" : "  **MISMATCH**"));
        }
    }

    // ---- scenarios helpers --------------------------------------------------------------------------------------

    String[] createUsers(int n, int nThreads, String what) throws Exception {
        String[] ids = new String[n];
        runPhase("setup: " + what, n, nThreads, i -> {
            Resp r = send("POST", baseUrl + "/Users", userJson(userSeq.incrementAndGet()));
            expect(r, 201);
            ids[i] = extractId(r);
        });
        requireAll(ids, what);
        return ids;
    }

    void filterOne(String name, int i) throws Exception {
        String filter = "userName eq \"" + varyCase(name, i) + "\"";
        Resp r = send(
                "GET",
                baseUrl + "/Users?filter="
                        + URLEncoder.encode(filter, StandardCharsets.UTF_8).replace("+", "%20"),
                null);
        expect(r, 200);
        Matcher m = TOTAL.matcher(r.body);
        if (!m.find() || !m.group(1).equals("1")) {
            fail("filter " + filter + " expected totalResults 1", r);
        }
    }

    String userName(long n) {
        return String.format(Locale.ROOT, "bench.user%07d@%s.example.com", n, runId);
    }

    String userJson(long n) {
        String un = userName(n);
        return "{\"schemas\":[\"" + USER_SCHEMA + "\"],\"userName\":\"" + un + "\",\"externalId\":\"ext-" + n
                + "\",\"name\":{\"givenName\":\"Bench\",\"familyName\":\"User" + n + "\"},\"displayName\":\"Bench User "
                + n
                + "\",\"emails\":[{\"value\":\"" + un + "\",\"type\":\"work\",\"primary\":true}],\"active\":true}";
    }

    /** Deterministic but case-varied spelling: userName is case-insensitive (caseExact false). */
    static String varyCase(String s, int seed) {
        Random r = new Random(seed * 31L + 7);
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

    /** Spreads i over [0, n) so consecutive ops do not hit consecutive users. */
    static long mix(long i, int n) {
        long x = i * 0x9E3779B97F4A7C15L;
        x ^= (x >>> 31);
        return Math.floorMod(x, n);
    }

    // ---- measurement --------------------------------------------------------------------------------------------

    interface Op {
        void run(int i) throws Exception;
    }

    static final class Aborted extends RuntimeException {
        Aborted(String m) {
            super(m);
        }
    }

    static final class Result {
        String name;
        int ops;
        int threads;
        int errors;
        boolean interleaved;
        double seconds;
        long[] nanos;
    }

    void measure(String name, int n, int nThreads, Op op) throws Exception {
        Result r = runPhase(name, n, nThreads, op);
        results.add(r);
        log(
                "%-50s %7d ops  %8.1f ops/s  p50 %7.2f ms  p99 %7.2f ms  errors %d",
                name, r.ops, r.ops / r.seconds, pct(r.nanos, 50), pct(r.nanos, 99), r.errors);
    }

    Result runPhase(String name, int n, int nThreads, Op op) throws Exception {
        long[] lat = new long[n];
        boolean[] ok = new boolean[n];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger consecutiveErrors = new AtomicInteger();
        int t = Math.max(1, Math.min(nThreads, n));
        CountDownLatch done = new CountDownLatch(t);
        log("%s: %,d ops on %d threads...", name, n, t);
        long start = System.nanoTime();
        for (int k = 0; k < t; k++) {
            Thread th = new Thread(
                    () -> {
                        try {
                            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                                long s = System.nanoTime();
                                try {
                                    op.run(i);
                                    lat[i] = System.nanoTime() - s;
                                    ok[i] = true;
                                    consecutiveErrors.set(0);
                                    if (n >= 10_000 && (i + 1) % (n / 10) == 0) {
                                        log(
                                                "  %s: %,d of %,d started ops done (%.0f s)",
                                                name, i + 1, n, (System.nanoTime() - start) / 1e9);
                                    }
                                } catch (Exception e) {
                                    lat[i] = System.nanoTime() - s;
                                    errors.incrementAndGet();
                                    if (!(e instanceof Failed)) {
                                        sample(name + ": " + e);
                                    }
                                    if (consecutiveErrors.incrementAndGet() >= 20) {
                                        next.set(n); // stop this phase: the service is not answering correctly
                                    }
                                }
                            }
                        } finally {
                            done.countDown();
                        }
                    },
                    "bench-" + k);
            th.setDaemon(true);
            th.start();
        }
        done.await();
        long end = System.nanoTime();
        Result r = new Result();
        r.name = name;
        r.threads = t;
        r.errors = errors.get();
        r.seconds = (end - start) / 1e9;
        int okCount = 0;
        for (boolean b : ok) {
            okCount += b ? 1 : 0;
        }
        r.ops = okCount;
        long[] okLat = new long[okCount];
        for (int i = 0, j = 0; i < n; i++) {
            if (ok[i]) {
                okLat[j++] = lat[i];
            }
        }
        Arrays.sort(okLat);
        r.nanos = okLat;
        if (consecutiveErrors.get() >= 20) {
            throw new Aborted(name + ": 20 consecutive errors; stopping (see error samples)");
        }
        return r;
    }

    /** Nearest-rank percentile over all recorded (sorted) latencies, in ms. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    record Resp(String method, String url, String requestBody, int status, String body) {}

    static final class Failed extends Exception {
        Failed(String m) {
            super(m, null, false, false);
        }
    }

    Resp send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token)
                .header("Accept", CONTENT_TYPE);
        if (body != null) {
            b.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Resp(method, url, body, r.statusCode(), r.body());
    }

    void expect(Resp r, int status) throws Failed {
        if (r.status != status) {
            fail("expected HTTP " + status, r);
        }
    }

    void fail(String why, Resp r) throws Failed {
        sample(why + "\n  request:  " + r.method + " " + r.url
                + (r.requestBody == null ? "" : "\n  body:     " + abbreviate(r.requestBody, 600))
                + "\n  response: HTTP " + r.status + " " + abbreviate(r.body, 2000));
        throw new Failed(why);
    }

    void sample(String s) {
        if (errorSampleCount.incrementAndGet() <= 5) {
            errorSamples.add(s);
            System.err.println("ERROR " + s);
        }
    }

    static String abbreviate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " chars)";
    }

    static String extractId(Resp r) throws Failed {
        Matcher m = ID.matcher(r.body);
        if (!m.find()) {
            throw new Failed("no id in response: " + abbreviate(r.body, 300));
        }
        return m.group(1);
    }

    static void requireAll(String[] ids, String what) {
        long missing = Arrays.stream(ids).filter(x -> x == null).count();
        if (missing > 0) {
            throw new Aborted(missing + " of " + ids.length + " " + what + " were not created");
        }
    }

    // ---- JWT ----------------------------------------------------------------------------------------------------

    static String mintToken(String pem, String tenant) throws Exception {
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims =
                "{\"iss\":\"https://scim-ledger.local/dev\",\"sub\":\"bench\",\"azp\":\"bench-client\",\"tenant\":\""
                        + tenant + "\",\"scope\":\"scim:read scim:write\",\"iat\":" + now + ",\"exp\":" + (now + 7200)
                        + ",\"jti\":\"" + HexFormat.of().formatHex(randomBytes(8)) + "\"}";
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String signingInput = enc.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + enc.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + enc.encodeToString(sig.sign());
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    // ---- report -------------------------------------------------------------------------------------------------

    String report(Duration total, String abortedWhy) {
        StringBuilder b = new StringBuilder();
        b.append("## SCIM Ledger benchmark results\n\n");
        b.append("Run ")
                .append(DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)))
                .append(", target ")
                .append(baseUrl)
                .append(", tenant `")
                .append(tenant)
                .append("`, total wall time ")
                .append(String.format(Locale.ROOT, "%.0f s", total.toMillis() / 1000.0))
                .append(".\n\n");
        if (abortedWhy != null) {
            b.append("**Run aborted:** ").append(abortedWhy).append("\n\n");
        }
        b.append(
                "| Scenario | Ops | Client threads | Errors | Throughput (ops/s) | p50 (ms) | p99 (ms) | max (ms) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %d | %d | %.1f | %.2f | %.2f | %.2f |\n",
                    r.name,
                    r.ops,
                    r.threads,
                    r.errors,
                    r.ops / r.seconds,
                    pct(r.nanos, 50),
                    pct(r.nanos, 99),
                    pct(r.nanos, 100)));
        }
        b.append("\nLatency is per request, measured by the client from send to full response body; percentiles are ")
                .append("nearest-rank over every successful request of the scenario. Throughput = successful ops / ")
                .append("scenario wall time. Setup phases are not measured.\n");
        if (results.stream().anyMatch(r -> r.interleaved)) {
            b.append("\nThe group adds run interleaved (add k goes to group k mod ")
                    .append(groupSizes.length)
                    .append(
                            ", the same user to every group); their throughput is ops / (sum of that group's latencies ")
                    .append("/ client threads).\n");
        }
        if (!setupNotes.isEmpty()) {
            b.append("\nSetup (not measured):\n\n");
            setupNotes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        b.append("\n### Machine\n\n");
        machine()
                .forEach((k, v) ->
                        b.append("- ").append(k).append(": ").append(v).append('\n'));
        if (envNote != null) {
            b.append("- Service: ").append(envNote).append('\n');
        }
        b.append("- Client, service, PostgreSQL and Kafka all share this machine.\n");
        if (!errorSamples.isEmpty()) {
            b.append("\n### Errors (first ")
                    .append(errorSamples.size())
                    .append(" of ")
                    .append(errorSampleCount.get())
                    .append(")\n\n```\n");
            errorSamples.forEach(e -> b.append(e).append("\n"));
            b.append("```\n");
        }
        return b.toString();
    }

    static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPUs (nproc)", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put(
                "CPU model",
                firstMatch("/proc/cpuinfo", "model name\\s*:\\s*(.+)").orElse("unknown"));
        m.put(
                "Memory",
                firstMatch("/proc/meminfo", "MemTotal:\\s*(\\d+) kB")
                        .map(kb -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(kb) / 1024.0 / 1024.0))
                        .orElse("unknown"));
        m.put(
                "OS",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
        m.put("Java (client)", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return m;
    }

    static java.util.Optional<String> firstMatch(String file, String regex) {
        try {
            Matcher m = Pattern.compile(regex).matcher(Files.readString(Path.of(file)));
            return m.find() ? java.util.Optional.of(m.group(1).trim()) : java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    void writeOut(String report) throws IOException {
        if (out != null) {
            Path p = Path.of(out);
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            Files.writeString(p, report);
            log("report written to %s", p.toAbsolutePath());
        }
    }

    static void log(String fmt, Object... args) {
        System.out.println(
                "[bench " + java.time.LocalTime.now().withNano(0) + "] " + String.format(Locale.ROOT, fmt, args));
    }
}
