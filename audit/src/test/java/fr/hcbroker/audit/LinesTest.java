package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the verifier splits a file into lines ({@link AuditVerifier.Lines}), whatever the file holds. */
@DisplayName("A trail file split into lines")
class LinesTest {

    @TempDir
    Path dir;

    /** Every line read as bytes, with what {@code read()} said of it ({@code kind:text}). */
    private List<String> read(Path file) throws Exception {
        List<String> found = new ArrayList<>();
        try (AuditVerifier.Lines lines = new AuditVerifier.Lines(file)) {
            for (int kind = lines.read(); kind != AuditVerifier.Lines.END; kind = lines.read()) {
                String text = kind == AuditVerifier.Lines.LONG ? "" + lines.length()
                        : new String(Arrays.copyOf(lines.bytes(), lines.length()), StandardCharsets.ISO_8859_1);
                found.add(kind + ":" + text);
            }
        }
        return found;
    }

    private Path file(byte[] bytes) throws Exception {
        Path file = dir.resolve("gateway-2026-12-07.jsonl");
        Files.write(file, bytes);
        return file;
    }

    @Test
    void linesAcrossTheReadBufferAreWholeInOrder() throws Exception {
        // Lengths that put line ends on each side of every 64 KiB boundary, and lines longer than the buffer.
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        int[] lengths = {0, 1, 65_535, 65_534, 2, 70_000, 450, 131_072, 3};
        for (int i = 0; i < 40; i++) {
            String line = String.valueOf((char) ('a' + i % 26)).repeat(lengths[i % lengths.length] + i);
            text.append(line).append('\n');
            expected.add(AuditVerifier.Lines.LINE + ":" + line);
        }
        assertThat(read(file(text.toString().getBytes(StandardCharsets.US_ASCII)))).containsExactlyElementsOf(expected);
    }

    @Test
    void aCarriageReturnStaysInItsLine() throws Exception {
        assertThat(read(file("{}\r\n{}\n\r\n".getBytes(StandardCharsets.US_ASCII))))
                .containsExactly("0:{}\r", "0:{}", "0:\r");
    }

    @Test
    void aFileWithoutItsFinalNewlineEndsWithALineCut() throws Exception {
        Path file = file("{}\n{\"ts\"".getBytes(StandardCharsets.US_ASCII));
        assertThat(read(file)).containsExactly("0:{}", AuditVerifier.Lines.CUT + ":{\"ts\"");
        assertThat(read(file(new byte[0]))).isEmpty();
        assertThat(read(file("\n".getBytes(StandardCharsets.US_ASCII)))).containsExactly("0:");
    }

    @Test
    void aLineLongerThanAnyRecordIsSaidSoAndTheNextIsReadWhole() throws Exception {
        String longest = "x".repeat(AuditVerifier.MAX_LINE);
        String text = longest + "\n" + longest + "y\n{}\n" + "z".repeat(AuditVerifier.MAX_LINE + 5);
        assertThat(read(file(text.getBytes(StandardCharsets.US_ASCII))))
                .containsExactly("0:" + longest, AuditVerifier.Lines.LONG + ":" + AuditVerifier.MAX_LINE, "0:{}",
                        AuditVerifier.Lines.CUT + ":" + "z".repeat(AuditVerifier.MAX_LINE));
    }

    @Test
    void utf8IsCheckedStrictlyOnDemand() throws Exception {
        byte[][] lines = {"plain".getBytes(StandardCharsets.US_ASCII), "Hélène €".getBytes(StandardCharsets.UTF_8),
                "𝒜".getBytes(StandardCharsets.UTF_8), {'a', (byte) 0xe9, 'b'}, {(byte) 0xc0, (byte) 0xaf},
                {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {'a', (byte) 0xe2, (byte) 0x82}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
        boolean[] utf8 = {true, true, true, false, false, false, false, false};
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            text.write(line);
            text.write('\n');
        }
        Path file = file(text.toByteArray());
        try (AuditVerifier.Lines read = new AuditVerifier.Lines(file)) {
            for (int i = 0; i < lines.length; i++) {
                assertThat(read.read()).isEqualTo(AuditVerifier.Lines.LINE);
                assertThat(read.utf8()).as("line %d", i).isEqualTo(utf8[i]);
            }
        }
        try (AuditVerifier.Lines read = new AuditVerifier.Lines(file)) {
            for (int i = 0; i < lines.length; i++) {
                String line = read.next();
                assertThat(line == AuditVerifier.Lines.NOT_UTF8).as("line %d", i).isEqualTo(!utf8[i]);
            }
            assertThat(read.next()).isNull();
        }
    }

    @Test
    void anArchivedDayIsReadAsTheOriginal() throws Exception {
        byte[] text = "{}\r\n{\"a\":1}\nlast".getBytes(StandardCharsets.US_ASCII);
        Path gz = dir.resolve("gateway-2026-12-07.jsonl.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(text);
        }
        assertThat(read(gz)).isEqualTo(read(file(text)));
    }
}
