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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Audit API benchmark (docs/performance.md, "Audit API"): a single-file, dependency-free Java 17 program, driven by
 * bench/audit.sh. Localhost only; every loop has a fixed count.
 *
 * <pre>
 *   java bench/AuditBench.java token --tenant T --scope "audit:read" [--sub S]       prints a dev-key token
 *   java bench/AuditBench.java api --tenant T [--requests 100] [--threads 1,4] [--analyze true] [--out report.md]
 * </pre>
 *
 * {@code api}: through the SCIM API, creates one user and PATCHes it 999 times (1,000 events in its stream), creates
 * 100 groups and adds the user to each, then removes and re-adds it in 10 of them (110 membership intervals). Then
 * measures, with an auditor token ({@code audit:read}, same tenant): the full history in one page
 * ({@code history?limit=1000}), {@code as-of} at the time of version 500, and {@code memberships}.
 * Token minting and percentiles are copied from bench/ScimBench.java.
 */
public class AuditBench {

    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    static final String SCIM_JSON = "application/scim+json";
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern OCCURRED = Pattern.compile("\"occurredAt\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern VERSION = Pattern.compile("\"eventId\"\\s*:");

    String base = "http://localhost:8080";
    String tenant;
    String keyFile = "deploy/dev-keys/dev-jwt-private.pem";
    String sub = "bench";
    String scope = "audit:read";
    int requests = 100;
    int patches = 999;
    int groups = 100;
    int reAdds = 10;
    int warmup = 20;
    int[] threadCounts = {1, 4};
    String out;
    boolean analyze;

    HttpClient http;
    final List<String> lines = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: java bench/AuditBench.java token|api [options] (see the class comment)");
            System.exit(2);
        }
        AuditBench b = new AuditBench();
        for (int i = 1; i < args.length; i += 2) {
            String o = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + o);
            }
            String v = args[i + 1];
            switch (o) {
                case "--base" -> b.base = v.replaceAll("/+$", "");
                case "--tenant" -> b.tenant = v;
                case "--key" -> b.keyFile = v;
                case "--sub" -> b.sub = v;
                case "--scope" -> b.scope = v;
                case "--requests" -> b.requests = Integer.parseInt(v);
                case "--patches" -> b.patches = Integer.parseInt(v);
                case "--groups" -> b.groups = Integer.parseInt(v);
                case "--re-adds" -> b.reAdds = Integer.parseInt(v);
                case "--warmup" -> b.warmup = Integer.parseInt(v);
                case "--threads" ->
                    b.threadCounts = Arrays.stream(v.split(","))
                            .mapToInt(s -> Integer.parseInt(s.trim()))
                            .toArray();
                case "--out" -> b.out = v;
                case "--analyze" -> b.analyze = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown option " + o);
            }
        }
        if (b.tenant == null) {
            throw new IllegalArgumentException("--tenant is required");
        }
        String host = URI.create(b.base).getHost();
        if (!List.of("localhost", "127.0.0.1").contains(host)) {
            throw new IllegalArgumentException("localhost only: " + b.base);
        }
        String pem = Files.readString(Path.of(b.keyFile));
        switch (args[0]) {
            case "token" -> System.out.println(mintToken(pem, b.tenant, b.sub, b.scope));
            case "api" -> System.exit(b.api(pem));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    // ---- part 1: through the API --------------------------------------------------------------------------------

    int api(String pem) throws Exception {
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String writer = mintToken(pem, tenant, sub, "scim:read scim:write");
        String auditor = mintToken(pem, tenant, "auditor", "audit:read");
        String scim = base + "/scim/v2";

        // Setup (not measured): one user with 1 + patches events.
        long t0 = System.nanoTime();
        String user = id(expect(
                send(
                        "POST",
                        scim + "/Users",
                        writer,
                        "{\"schemas\":[\"" + USER_SCHEMA + "\"],\"userName\":\"audit.bench@" + tenant
                                + ".example.com\","
                                + "\"name\":{\"givenName\":\"Audit\",\"familyName\":\"Bench\"},\"displayName\":\"Audit Bench\","
                                + "\"title\":\"t0\",\"active\":true}"),
                201));
        for (int i = 1; i <= patches; i++) {
            // Mostly a non-personal attribute; every 5th PATCH also a personal one (sealed in the log).
            String ops = "{\"op\":\"replace\",\"path\":\"title\",\"value\":\"t" + i + "\"}"
                    + (i % 5 == 0
                            ? ",{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"Audit Bench " + i + "\"}"
                            : "");
            expect(
                    send(
                            "PATCH",
                            scim + "/Users/" + user,
                            writer,
                            "{\"schemas\":[\"" + PATCH_SCHEMA + "\"],\"Operations\":[" + ops + "]}"),
                    200);
            if (i % 200 == 0) {
                log("  %d PATCHes done", i);
            }
        }
        notes.add(String.format(
                Locale.ROOT,
                "User `%s`: 1 create + %d PATCHes = %d events, written in %.1f s (1 client)",
                user,
                patches,
                patches + 1,
                (System.nanoTime() - t0) / 1e9));

        // Groups: the user is added to each; removed and re-added in the first reAdds.
        long t1 = System.nanoTime();
        String[] g = new String[groups];
        String member = "{\"schemas\":[\"" + PATCH_SCHEMA
                + "\"],\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + user
                + "\"}]}]}";
        String remove = "{\"schemas\":[\"" + PATCH_SCHEMA
                + "\"],\"Operations\":[{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + user + "\\\"]\"}]}";
        for (int k = 0; k < groups; k++) {
            g[k] = id(expect(
                    send(
                            "POST",
                            scim + "/Groups",
                            writer,
                            "{\"schemas\":[\"" + GROUP_SCHEMA + "\"],\"displayName\":\"audit-bench-g" + k + "\"}"),
                    201));
            expect(send("PATCH", scim + "/Groups/" + g[k] + "?excludedAttributes=members", writer, member), 200);
        }
        for (int k = 0; k < reAdds; k++) {
            Resp r = send("PATCH", scim + "/Groups/" + g[k] + "?excludedAttributes=members", writer, remove);
            if (r.status != 200 && r.status != 204) {
                throw new IllegalStateException("remove member: HTTP " + r.status + " " + abbreviate(r.body));
            }
            expect(send("PATCH", scim + "/Groups/" + g[k] + "?excludedAttributes=members", writer, member), 200);
        }
        notes.add(String.format(
                Locale.ROOT,
                "%d groups, the user added to each, removed and re-added in %d of them "
                        + "(%d group events), written in %.1f s",
                groups,
                reAdds,
                2 * groups + 2 * reAdds,
                (System.nanoTime() - t1) / 1e9));

        // Checks (not measured) and the as-of instant: occurredAt of the middle version.
        String historyUrl = base + "/audit/Users/" + user + "/history?limit=1000";
        Resp h = expect(send("GET", historyUrl, auditor, null), 200);
        int events = count(VERSION, h.body);
        if (events != Math.min(1000, patches + 1) || h.body.contains("\"nextAfter\"") != (patches + 1 > 1000)) {
            throw new IllegalStateException(
                    "history: expected " + (patches + 1) + " events in one page, got " + events);
        }
        Matcher m = OCCURRED.matcher(h.body);
        String mid = null;
        int middle = (patches + 1) / 2;
        for (int n = 1; m.find(); n++) {
            if (n == middle) {
                mid = m.group(1);
                break;
            }
        }
        String asOfUrl =
                base + "/audit/Users/" + user + "/as-of?time=" + URLEncoder.encode(mid, StandardCharsets.UTF_8);
        Resp a = expect(send("GET", asOfUrl, auditor, null), 200);
        String expectTitle = "\"t" + (middle - 1) + "\"";
        if (!a.body.contains(expectTitle)) {
            throw new IllegalStateException(
                    "as-of " + mid + ": expected title " + expectTitle + " in " + abbreviate(a.body));
        }
        String membershipsUrl = base + "/audit/Users/" + user + "/memberships";
        Resp ms = expect(send("GET", membershipsUrl, auditor, null), 200);
        int intervals = count(Pattern.compile("\"groupId\""), ms.body);
        if (intervals != groups + reAdds) {
            throw new IllegalStateException("memberships: expected " + (groups + reAdds) + " intervals, got "
                    + intervals + ": " + abbreviate(ms.body));
        }
        notes.add(String.format(
                Locale.ROOT,
                "Response sizes: history %,d bytes (%d events, one page), as-of %,d bytes "
                        + "(at %s = version %d, checked: title %s), memberships %,d bytes (%d intervals)",
                h.body.length(),
                events,
                a.body.length(),
                mid,
                middle,
                expectTitle,
                ms.body.length(),
                intervals));

        if (out != null) { // for bench/audit.sh: the measured URLs (it counts the SQL statements of one request)
            Files.writeString(
                    Path.of(out + ".urls"),
                    "history\t" + historyUrl + "\nas-of\t" + asOfUrl + "\nmemberships\t" + membershipsUrl + "\n");
        }

        // A database that has been running has planner statistics for the event table; a fresh one gets its first
        // only when autovacuum runs ANALYZE, at some point during the measurements, and plans change under them
        // (memberships went from 67-96 ms to 6-18 ms p50 at that moment in early runs). With --analyze true (set
        // by bench/audit.sh, which exports the PG* variables), measure with statistics, as in production.
        if (analyze) {
            Process p = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "ANALYZE event")
                    .inheritIO()
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("psql ANALYZE event failed");
            }
            notes.add(
                    "`ANALYZE event` after the setup, before the warm-up (planner statistics, as a running database has)");
        }

        // Warm-up (not measured).
        for (int i = 0; i < warmup; i++) {
            expect(send("GET", historyUrl, auditor, null), 200);
            expect(send("GET", asOfUrl, auditor, null), 200);
            expect(send("GET", membershipsUrl, auditor, null), 200);
        }

        lines.add(
                "| Request | Client threads | Requests | Errors | Throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) | p50 < 50 ms |");
        lines.add("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        int errors = 0;
        for (int t : threadCounts) {
            errors += measure("Full history, 1,000 events (`history?limit=1000`)", t, historyUrl, auditor, events);
            errors += measure("As-of, middle of the stream (`as-of?time=`)", t, asOfUrl, auditor, -1);
            errors += measure("Memberships, 100 groups / 110 intervals", t, membershipsUrl, auditor, -1);
        }
        StringBuilder b = new StringBuilder();
        b.append("Tenant `").append(tenant).append("`, ").append(Instant.now()).append("\n\n");
        lines.forEach(l -> b.append(l).append('\n'));
        b.append("\nSetup (not measured):\n\n");
        notes.forEach(n -> b.append("- ").append(n).append('\n'));
        System.out.println(b);
        if (out != null) {
            Files.writeString(Path.of(out), b.toString());
        }
        return errors == 0 ? 0 : 1;
    }

    int measure(String name, int threads, String url, String token, int expectVersions) throws Exception {
        long[] lat = new long[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int k = 0; k < threads; k++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        long s = System.nanoTime();
                        try {
                            Resp r = send("GET", url, token, null);
                            lat[i] = System.nanoTime() - s;
                            if (r.status != 200 || (expectVersions > 0 && count(VERSION, r.body) != expectVersions)) {
                                errors.incrementAndGet();
                                lat[i] = -1;
                                System.err.println("ERROR " + name + ": HTTP " + r.status + " " + abbreviate(r.body));
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            lat[i] = -1;
                            System.err.println("ERROR " + name + ": " + e);
                        }
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
        long[] ok = Arrays.stream(lat).filter(x -> x >= 0).sorted().toArray();
        double p50 = pct(ok, 50);
        String line = String.format(
                Locale.ROOT,
                "| %s | %d | %d | %d | %.1f | %.2f | %.2f | %.2f | %s |",
                name,
                threads,
                ok.length,
                errors.get(),
                ok.length / sec,
                p50,
                pct(ok, 99),
                pct(ok, 100),
                p50 < 50 ? "yes" : "**no**");
        lines.add(line);
        log("%s", line);
        return errors.get();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    record Resp(int status, String body) {}

    Resp send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, " + SCIM_JSON);
        if (body != null) {
            b.header("Content-Type", SCIM_JSON).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Resp(r.statusCode(), r.body());
    }

    static Resp expect(Resp r, int status) {
        if (r.status != status) {
            throw new IllegalStateException(
                    "expected HTTP " + status + ", got " + r.status + ": " + abbreviate(r.body));
        }
        return r;
    }

    static String id(Resp r) {
        Matcher m = ID.matcher(r.body);
        if (!m.find()) {
            throw new IllegalStateException("no id in " + abbreviate(r.body));
        }
        return m.group(1);
    }

    static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static String abbreviate(String s) {
        return s == null || s.length() <= 600 ? s : s.substring(0, 600) + "... (" + s.length() + " chars)";
    }

    /** Nearest-rank percentile over sorted latencies, in ms (as in ScimBench). */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    /** RS256 token signed with the development key (accepted only by the dev and test profiles); as in ScimBench. */
    static String mintToken(String pem, String tenant, String sub, String scope) throws Exception {
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        long now = Instant.now().getEpochSecond();
        byte[] jti = new byte[8];
        new SecureRandom().nextBytes(jti);
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"https://scim-ledger.local/dev\",\"sub\":\"" + sub
                + "\",\"azp\":\"bench-client\",\"tenant\":\""
                + tenant + "\",\"scope\":\"" + scope + "\",\"iat\":" + now + ",\"exp\":" + (now + 7200)
                + ",\"jti\":\"" + HexFormat.of().formatHex(jti) + "\"}";
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String signingInput = enc.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + enc.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + enc.encodeToString(sig.sign());
    }

    static void log(String fmt, Object... args) {
        System.out.println(
                "[audit " + java.time.LocalTime.now().withNano(0) + "] " + String.format(Locale.ROOT, fmt, args));
    }
}
