package io.scimledger.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.scimledger.testinfra.KafkaTestResource;
import io.scimledger.testinfra.PostgresTestResource;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Issue 9, item 2: what can be checked of the images and manifests without a container engine or a cluster. The
 * YAML parses; every setting a manifest passes is a property the application reads (MicroProfile Config's
 * environment-variable rule); image name and port agree across the Dockerfile, compose and Kubernetes; and every
 * probe path answers 200 on the running service.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class DeploymentManifestsTest {

    private static final Path K8S = Path.of("deploy", "kubernetes");
    private static final Path COMPOSE = Path.of("deploy", "compose.yaml");
    private static final Path DOCKERFILE_JVM = Path.of("src", "main", "docker", "Dockerfile.jvm");
    private static final Path PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    private static final Path SOURCES = Path.of("src", "main", "java");

    /** The settings without which the prod profile refuses to start (security.StartupChecks, privacy.MasterKey). */
    private static final List<String> REQUIRED = List.of("SCIM_JWT_ISSUER", "SCIM_CRYPTO_MASTER_KEY");

    private static final List<String> JWT_KEY_SETTINGS =
            List.of("MP_JWT_VERIFY_PUBLICKEY_LOCATION", "MP_JWT_VERIFY_PUBLICKEY");

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("deploy"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .toList();
        }
        assertTrue(files.size() >= 8, "expected compose.yaml and the Kubernetes manifests, found " + files);
        for (Path f : files) {
            List<Object> docs = loadAll(f);
            assertFalse(docs.isEmpty(), f + " holds no YAML document");
            for (Object d : docs) {
                assertTrue(d instanceof Map, f + ": every document is a mapping");
            }
        }
    }

    @Test
    void kustomizationListsExactlyTheManifests() throws IOException {
        Set<String> listed = new TreeSet<>(
                strings(map(load(K8S.resolve("kustomization.yaml"))).get("resources")));
        Set<String> present;
        try (Stream<Path> s = Files.list(K8S)) {
            present = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed);
    }

    @Test
    void everySettingTheManifestsPassIsReadByTheApplication() throws IOException {
        Set<String> known = knownEnvNames();
        Map<String, Set<String>> passed = new TreeMap<>();
        passed.put("kubernetes", kubernetesEnv());
        for (Map.Entry<String, Map<String, Object>> svc :
                composeServiceInstances().entrySet()) {
            passed.put(
                    "compose " + svc.getKey(),
                    map(svc.getValue().get("environment")).keySet());
        }
        for (Map.Entry<String, Set<String>> e : passed.entrySet()) {
            for (String env : e.getValue()) {
                assertTrue(
                        known.contains(env),
                        e.getKey() + " sets " + env
                                + ", which maps to no property the application declares (application.properties or "
                                + "@ConfigProperty)");
            }
            for (String required : REQUIRED) {
                assertTrue(e.getValue().contains(required), e.getKey() + " does not set " + required);
            }
            assertTrue(
                    JWT_KEY_SETTINGS.stream().anyMatch(e.getValue()::contains),
                    e.getKey() + " sets no JWT verification key");
        }
    }

    @Test
    void secretTemplateHoldsPlaceholdersOnly() throws IOException {
        Map<String, Object> secret = map(load(K8S.resolve("secret.template.yaml")));
        assertEquals("Secret", secret.get("kind"));
        Map<String, Object> data = map(secret.get("stringData"));
        assertFalse(data.isEmpty());
        assertTrue(secret.get("data") == null, "binary data would hide real values; use stringData placeholders");
        data.forEach((k, v) -> {
            if (k.contains("PASSWORD") || (k.contains("KEY") && !k.endsWith("KEY_ID"))) {
                assertEquals("REPLACE_ME", v, k + " must be a placeholder");
            }
        });
    }

    @Test
    void imageNameAndPortAgreeEverywhere() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE_JVM);
        Matcher tag = Pattern.compile("docker build -f src/main/docker/Dockerfile\\.jvm -t (\\S+)")
                .matcher(dockerfile);
        assertTrue(tag.find(), "Dockerfile.jvm names its image in its build command");
        String image = tag.group(1);
        Matcher expose = Pattern.compile("(?m)^EXPOSE (\\d+)$").matcher(dockerfile);
        assertTrue(expose.find());
        int port = Integer.parseInt(expose.group(1));
        assertEquals(
                port,
                Integer.parseInt(properties().getProperty("quarkus.http.port")),
                "the image exposes the port the service listens on");

        Map<String, Object> container = container();
        assertEquals(image, container.get("image"));
        Map<String, Object> http = ports(container).get("http");
        assertNotNull(http, "the container names its port http");
        assertEquals(port, http.get("containerPort"));
        Map<String, Object> service = map(load(K8S.resolve("service.yaml")));
        for (Object p : list(map(service.get("spec")).get("ports"))) {
            Object target = map(p).get("targetPort");
            assertTrue("http".equals(target) || Integer.valueOf(port).equals(target), "Service targets " + target);
        }
        assertEquals(
                map(map(deployment().get("spec")).get("selector")).get("matchLabels"),
                map(map(service.get("spec"))).get("selector"),
                "the Service selects the Deployment's pods");

        Map<String, Map<String, Object>> instances = composeServiceInstances();
        assertTrue(instances.size() >= 2, "compose runs at least two service instances");
        Set<String> hostPorts = new TreeSet<>();
        for (Map.Entry<String, Map<String, Object>> svc : instances.entrySet()) {
            for (String mapping : strings(svc.getValue().get("ports"))) {
                String[] parts = mapping.split(":");
                assertEquals(String.valueOf(port), parts[parts.length - 1], svc.getKey() + " maps " + mapping);
                assertTrue(hostPorts.add(parts[0]), "two instances on host port " + parts[0]);
            }
        }
    }

    @Test
    void deploymentIsHardenedAndSized() throws IOException {
        Map<String, Object> spec = map(deployment().get("spec"));
        assertTrue((Integer) spec.get("replicas") >= 2);
        Map<String, Object> pod = map(map(spec.get("template")).get("spec"));
        assertEquals(Boolean.TRUE, map(pod.get("securityContext")).get("runAsNonRoot"));
        Map<String, Object> c = container();
        assertEquals(Boolean.TRUE, map(c.get("securityContext")).get("readOnlyRootFilesystem"));
        Map<String, Object> resources = map(c.get("resources"));
        for (String kind : List.of("requests", "limits")) {
            assertTrue(map(resources.get(kind)).keySet().containsAll(List.of("cpu", "memory")), kind);
        }
        String tmpVolume = list(c.get("volumeMounts")).stream()
                .map(DeploymentManifestsTest::map)
                .filter(m -> "/tmp".equals(m.get("mountPath")))
                .map(m -> (String) m.get("name"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume on /tmp"));
        assertTrue(list(pod.get("volumes")).stream()
                .map(DeploymentManifestsTest::map)
                .anyMatch(v -> tmpVolume.equals(v.get("name")) && v.containsKey("emptyDir")));
        Set<String> refs = new TreeSet<>();
        for (Object from : list(c.get("envFrom"))) {
            map(from).values().forEach(r -> refs.add((String) map(r).get("name")));
        }
        assertTrue(refs.contains(name(load(K8S.resolve("configmap.yaml")))));
        assertTrue(refs.contains(name(load(K8S.resolve("secret.template.yaml")))));

        Map<String, Object> pdb = map(load(K8S.resolve("poddisruptionbudget.yaml")));
        assertEquals(
                map(spec.get("selector")).get("matchLabels"),
                map(map(map(pdb.get("spec")).get("selector"))).get("matchLabels"));
        Map<String, Object> hpa =
                map(map(load(K8S.resolve("horizontalpodautoscaler.yaml"))).get("spec"));
        assertEquals(name(deployment()), map(hpa.get("scaleTargetRef")).get("name"));
        assertTrue((Integer) hpa.get("minReplicas") >= 2);
    }

    @Test
    void everyProbePathAnswers200() throws IOException {
        Map<String, Object> c = container();
        List<String> paths = new ArrayList<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            Map<String, Object> get = map(map(c.get(probe)).get("httpGet"));
            assertEquals("http", get.get("port"), probe + " uses the named container port");
            paths.add((String) get.get("path"));
        }
        assertEquals(3, new TreeSet<>(paths).size(), "three different probes: " + paths);
        for (String path : paths) {
            given().get(path).then().statusCode(200);
        }
    }

    // --- what the application declares -------------------------------------------------------------------------

    /**
     * Environment-variable names of every property the application declares: keys of application.properties (any
     * profile), {@code ${NAME}} expressions in its values, and {@code @ConfigProperty(name = ...)} in the sources,
     * each mapped by MicroProfile Config's rule (non-alphanumerics become '_', then upper case).
     */
    static Set<String> knownEnvNames() throws IOException {
        Set<String> names = new TreeSet<>();
        Properties props = properties();
        Pattern expression = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)");
        for (String key : props.stringPropertyNames()) {
            names.add(key.replaceFirst("^%[^.]+\\.", ""));
            Matcher m = expression.matcher(props.getProperty(key));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        Pattern annotation = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"");
        try (Stream<Path> s = Files.walk(SOURCES)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = annotation.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names.stream().map(DeploymentManifestsTest::envName).collect(Collectors.toCollection(TreeSet::new));
    }

    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Properties properties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(PROPERTIES)) {
            p.load(r);
        }
        return p;
    }

    // --- reading the manifests ---------------------------------------------------------------------------------

    private static Set<String> kubernetesEnv() throws IOException {
        Set<String> env = new TreeSet<>();
        env.addAll(map(map(load(K8S.resolve("configmap.yaml"))).get("data")).keySet());
        env.addAll(map(map(load(K8S.resolve("secret.template.yaml"))).get("stringData"))
                .keySet());
        for (Object e : list(container().get("env"))) {
            env.add((String) map(e).get("name"));
        }
        return env;
    }

    /** The compose services that run our image (the others are PostgreSQL and Kafka). */
    private static Map<String, Map<String, Object>> composeServiceInstances() throws IOException {
        String image = container().get("image").toString();
        Map<String, Map<String, Object>> out = new TreeMap<>();
        map(map(load(COMPOSE)).get("services")).forEach((name, svc) -> {
            if (image.equals(map(svc).get("image"))) {
                out.put(name, map(svc));
            }
        });
        return out;
    }

    private static Map<String, Object> deployment() throws IOException {
        Map<String, Object> d = map(load(K8S.resolve("deployment.yaml")));
        assertEquals("Deployment", d.get("kind"));
        return d;
    }

    private static Map<String, Object> container() throws IOException {
        List<Object> containers =
                list(map(map(map(deployment().get("spec")).get("template")).get("spec"))
                        .get("containers"));
        assertEquals(1, containers.size());
        return map(containers.get(0));
    }

    private static Map<String, Map<String, Object>> ports(Map<String, Object> container) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        for (Object p : list(container.get("ports"))) {
            out.put((String) map(p).get("name"), map(p));
        }
        return out;
    }

    private static String name(Object manifest) {
        return (String) map(map(manifest).get("metadata")).get("name");
    }

    private static Object load(Path file) throws IOException {
        List<Object> docs = loadAll(file);
        assertEquals(1, docs.size(), file + " holds one document");
        return docs.get(0);
    }

    private static List<Object> loadAll(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object d : new Yaml().loadAll(r)) {
                if (d != null) {
                    docs.add(d);
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static List<String> strings(Object o) {
        return list(o).stream().map(String::valueOf).toList();
    }
}
