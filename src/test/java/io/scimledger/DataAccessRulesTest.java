package io.scimledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The machine-checkable parts of docs/decisions/0010-data-access.md, read from the main sources: a class that breaks
 * them is named in the failure.
 */
class DataAccessRulesTest {

    private static final Path MAIN = Path.of("src/main/java/io/scimledger");
    /** SQL (upper-case keywords, as everywhere here) that names the event table, not event_id, event_type, ... */
    private static final Pattern EVENT_TABLE_SQL = Pattern.compile("\\b(FROM|INTO|JOIN|UPDATE|TABLE)\\s+event\\b(?!_)");

    @Test
    void onlyTheEventsPackageWritesSqlOverTheEventTable() {
        List<String> offenders = sources()
                .filter(p -> !p.startsWith(MAIN.resolve("events")))
                .filter(p -> EVENT_TABLE_SQL.matcher(read(p)).find())
                .map(Path::toString)
                .toList();
        assertEquals(List.of(), offenders);
    }

    @Test
    void noClassMixesPanacheWithTheSqlClient() {
        List<String> offenders = sources()
                .filter(p -> read(p).contains("import io.quarkus.hibernate"))
                .filter(p -> read(p).contains("import io.vertx.mutiny.sqlclient")
                        || read(p).contains("import io.scimledger.db.Database"))
                .map(Path::toString)
                .toList();
        assertEquals(List.of(), offenders);
    }

    @Test
    void privacyKeepsToCryptoAndKeyStorage() {
        List<String> offenders = sources()
                .filter(p -> p.startsWith(MAIN.resolve("privacy")))
                .filter(p -> read(p).contains("import io.scimledger.write.")
                        || read(p).contains("import io.scimledger.projection."))
                .map(Path::toString)
                .toList();
        assertEquals(List.of(), offenders);
    }

    private static Stream<Path> sources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
