package io.scimledger.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rebuild's COPY rows: PostgreSQL's text format, so that every value arrives as it was. */
class ShadowCopyRowsTest {

    @Test
    void valuesAreEscapedAsCopyTextFormatReadsThem() {
        UUID id = UUID.fromString("0b7e4c2a-0000-4000-8000-000000000001");
        ShadowCopy.Rows rows = new ShadowCopy.Rows(2, 64);
        rows.text("t\\1")
                .uuid(id)
                .text("a\tb\nc\rd \\N é")
                .bool(null)
                .bool(true)
                .number(-7)
                .endRow();
        rows.text(null).time(1_000_000L).time(-1L).time(1_733_120_000_123_456L).endRow();
        assertEquals(2, rows.count());
        assertEquals(
                "t\\\\1\t" + id + "\ta\\tb\\nc\\rd \\\\N é\t\\N\tt\t-7\n"
                        + "\\N\t1970-01-01T00:00:01Z\t1969-12-31T23:59:59.999999Z\t2024-12-02T06:13:20.123456Z\n",
                rowsText(rows));
    }

    private static String rowsText(ShadowCopy.Rows rows) {
        return rows.toString();
    }
}
