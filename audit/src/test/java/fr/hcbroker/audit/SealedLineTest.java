package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier's fast path ({@link SealedLine}) against the exact one (parse, write again, compare):
 * what the fast path accepts the exact one accepts with the same fields, and whatever it does not take
 * (hostile or merely unusual lines) is left to the exact one, which decides as before.
 */
@DisplayName("A line checked over its bytes as sealed")
class SealedLineTest {

    private static AuditRecord record(String user, String reason, Integer status, Map<String, String> details) {
        return new AuditRecord("2026-12-07T06:00:00.042Z", "gateway", "access", "allow", reason, user, "899700000013",
                "eidas2", List.of("pwd", "otp"), "s1", "demo-app", "GET", "/echo/1", status, "127.0.0.1", "r1", details);
    }

    /** The line the writer seals for {@code record}, chained to the genesis. */
    private static byte[] sealedLine(AuditRecord record) throws Exception {
        SealedLines lines = new SealedLines(AuditChain.GENESIS);
        lines.seal(record);
        byte[] bytes = Arrays.copyOf(lines.bytes().array(), lines.bytes().limit());
        return Arrays.copyOf(bytes, bytes.length - 1); // without its newline
    }

    /** Whether the exact path accepts the line, as the verifier did before the fast path. */
    private static boolean exactAccepts(byte[] line) {
        String text = new String(line, StandardCharsets.UTF_8);
        return AuditVerifier.sealed(text, AuditVerifier.parse(text)) == null;
    }

    static Stream<Arguments> writtenRecords() {
        Map<String, String> details = new HashMap<>();
        details.put("client", "dpi");
        details.put("auth_method", "password");
        details.put("realm", "hospiconnect");
        return Stream.of(
                Arguments.of("plain access", record("user1", "policy satisfied", 200, Map.of())),
                Arguments.of("accents", record("Hélène Müller", "politique satisfaite", 200, Map.of())),
                Arguments.of("no user, no status", record(null, "no session", null, Map.of())),
                Arguments.of("details sorted", record("u", "ok", 302, details)),
                Arguments.of("status 0", record("u", "ok", 0, Map.of())),
                Arguments.of("DEL and C1 characters the generator writes raw", record("u\u007f\u0085", "ok", 200, Map.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writtenRecords")
    void theWritersLinesAreCheckedOverTheirBytesAndReadAsTheExactPathReadsThem(String what, AuditRecord record)
            throws Exception {
        byte[] line = sealedLine(record);
        SealedLine fast = new SealedLine();
        assertThat(fast.check(line, line.length)).isEqualTo(SealedLine.SEALED);
        assertThat(exactAccepts(line)).isTrue();
        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(fast.record).isEqualTo(AuditChain.written(AuditVerifier.parse(text)));
    }

    @Test
    void aLineWithEscapesIsLeftToTheExactPathWhichAcceptsIt() throws Exception {
        // Quotes and backslashes are escaped, and a character past U+FFFF is written as two escaped surrogates.
        for (AuditRecord escaped : List.of(record("o\"brien\\x", "reason with \"quotes\"", 200, Map.of()),
                record("Hélène 𝒜", "ok", 200, Map.of()))) {
            byte[] line = sealedLine(escaped);
            assertThat(new SealedLine().check(line, line.length)).isEqualTo(SealedLine.NOT_PLAIN);
            assertThat(exactAccepts(line)).isTrue();
        }
    }

    @Test
    void aForgedLineWithAnyCharacterWrittenRawIsTakenByTheFastPathOnlyWhenTheExactPathAcceptsIt() throws Exception {
        SealedLine fast = new SealedLine();
        int taken = 0;
        for (int c = 0; c <= Character.MAX_CODE_POINT; c += c < 0x10000 ? 1 : 0x3f) {
            if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                continue;
            }
            byte[] line = forged(CANONICAL.replace("\"user\":\"u\"", "\"user\":\"u" + Character.toString(c) + "\""));
            boolean sealed = fast.check(line, line.length) == SealedLine.SEALED;
            assertThat(sealed).as("U+%04X", c).isEqualTo(exactAccepts(line));
            taken += sealed ? 1 : 0;
        }
        assertThat(taken).isGreaterThan(60_000);
    }

    @Test
    void everyByteChangedAnywhereIsRejectedByBothPaths() throws Exception {
        byte[] sealed = sealedLine(record("Hélène", "policy satisfied", 200, Map.of("client", "dpi")));
        byte[] replacements = {'0', 'f', 'A', '"', '\\', ' ', '}', ',', ':', (byte) 0xc3};
        SealedLine fast = new SealedLine();
        int changes = 0;
        for (int i = 0; i < sealed.length; i++) {
            for (byte b : replacements) {
                if (sealed[i] == b) {
                    continue;
                }
                byte[] line = sealed.clone();
                line[i] = b;
                changes++;
                assertThat(fast.check(line, line.length)).as("byte %d set to %c", i, (char) b).isNotEqualTo(SealedLine.SEALED);
                assertThat(exactAccepts(line)).as("byte %d set to %c", i, (char) b).isFalse();
            }
        }
        assertThat(changes).isGreaterThan(3000);
    }

    /**
     * A line a forger wrote with a correct hash over its own bytes ({@code prev || body}), as anyone
     * without the signing key can: the body differs from the canonical form only in how it is written.
     */
    private static byte[] forged(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String hash = AuditChain.hash(AuditChain.GENESIS, bytes);
        return AuditChain.line(bytes, AuditChain.GENESIS, hash).getBytes(StandardCharsets.UTF_8);
    }

    private static final String CANONICAL = "{\"ts\":\"2026-12-07T06:00:00.042Z\",\"source\":\"gateway\",\"event\":\"access\","
            + "\"outcome\":\"allow\",\"reason\":\"ok\",\"user\":\"u\",\"idnat\":null,\"loa\":\"eidas2\",\"amr\":[\"pwd\"],"
            + "\"session\":null,\"route\":\"demo-app\",\"method\":\"GET\",\"path\":\"/\",\"status\":200,"
            + "\"client_ip\":\"127.0.0.1\",\"request_id\":\"r1\",\"details\":{\"client\":\"dpi\"}}";

    static Stream<Arguments> hostileBodies() {
        return Stream.of(
                Arguments.of("space between tokens", CANONICAL.replace(",\"source\"", ", \"source\"")),
                Arguments.of("tab before a value", CANONICAL.replace("\"user\":", "\"user\":\t")),
                Arguments.of("CR inside the object", CANONICAL.replace(",\"loa\"", ",\r\"loa\"")),
                Arguments.of("an escaped letter", CANONICAL.replace("\"user\":\"u\"", "\"user\":\"\\u0075\"")),
                Arguments.of("an escaped slash", CANONICAL.replace("\"path\":\"/\"", "\"path\":\"\\/\"")),
                Arguments.of("two fields swapped", CANONICAL.replace("\"event\":\"access\",\"outcome\":\"allow\"",
                        "\"outcome\":\"allow\",\"event\":\"access\"")),
                Arguments.of("a field twice", CANONICAL.replace(",\"user\":\"u\"", ",\"user\":\"u\",\"user\":\"v\"")),
                Arguments.of("a field missing", CANONICAL.replace(",\"idnat\":null", "")),
                Arguments.of("an extra field", CANONICAL.replace("{\"ts\"", "{\"token\":\"x\",\"ts\"")),
                Arguments.of("details unsorted", CANONICAL.replace("{\"client\":\"dpi\"}", "{\"realm\":\"r\",\"client\":\"dpi\"}")),
                Arguments.of("a detail twice", CANONICAL.replace("{\"client\":\"dpi\"}", "{\"client\":\"dpi\",\"client\":\"x\"}")),
                Arguments.of("a detail not a string", CANONICAL.replace("{\"client\":\"dpi\"}", "{\"client\":1}")),
                Arguments.of("a detail null", CANONICAL.replace("{\"client\":\"dpi\"}", "{\"client\":null}")),
                Arguments.of("status -0", CANONICAL.replace("\"status\":200", "\"status\":-0")),
                Arguments.of("status as a float", CANONICAL.replace("\"status\":200", "\"status\":2e2")),
                Arguments.of("status with a fraction", CANONICAL.replace("\"status\":200", "\"status\":200.0")),
                Arguments.of("status as a string", CANONICAL.replace("\"status\":200", "\"status\":\"200\"")),
                Arguments.of("status past an int", CANONICAL.replace("\"status\":200", "\"status\":4294967496")),
                Arguments.of("status with a leading zero", CANONICAL.replace("\"status\":200", "\"status\":0200")),
                Arguments.of("amr null", CANONICAL.replace("[\"pwd\"]", "null")),
                Arguments.of("amr holding null", CANONICAL.replace("[\"pwd\"]", "[null]")),
                Arguments.of("amr holding a number", CANONICAL.replace("[\"pwd\"]", "[1]")),
                Arguments.of("user as a number", CANONICAL.replace("\"user\":\"u\"", "\"user\":7")),
                Arguments.of("user as an object", CANONICAL.replace("\"user\":\"u\"", "\"user\":{}")),
                Arguments.of("user as true", CANONICAL.replace("\"user\":\"u\"", "\"user\":true")),
                Arguments.of("details as an array", CANONICAL.replace("{\"client\":\"dpi\"}", "[]")),
                Arguments.of("a comment", CANONICAL.replace(",\"loa\"", "/*x*/,\"loa\"")),
                Arguments.of("single quotes", CANONICAL.replace("\"user\":\"u\"", "\"user\":'u'")),
                Arguments.of("a raw control character", CANONICAL.replace("\"user\":\"u\"", "\"user\":\"u\u0001\"")),
                Arguments.of("a byte order mark", "\uFEFF" + CANONICAL),
                Arguments.of("a character past U+FFFF written raw", CANONICAL.replace("\"user\":\"u\"", "\"user\":\"𝒜\"")),
                Arguments.of("not an object", "[" + CANONICAL + "]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void aForgedLineNotInCanonicalFormIsNotTakenByTheFastPathAndTheExactPathRefusesIt(String what, String body)
            throws Exception {
        byte[] line = forged(body);
        assertThat(new SealedLine().check(line, line.length)).isNotEqualTo(SealedLine.SEALED);
        assertThat(exactAccepts(line)).isFalse();
    }

    @Test
    void theCanonicalBodyTheHostileOnesStartFromIsAccepted() throws Exception {
        byte[] line = forged(CANONICAL);
        assertThat(new SealedLine().check(line, line.length)).isEqualTo(SealedLine.SEALED);
        assertThat(exactAccepts(line)).isTrue();
    }

    static Stream<Arguments> canonicalBodies() {
        return Stream.of(
                Arguments.of("amr empty", CANONICAL.replace("[\"pwd\"]", "[]")),
                Arguments.of("amr of three", CANONICAL.replace("[\"pwd\"]", "[\"pwd\",\"otp\",\"mfa\"]")),
                Arguments.of("details empty", CANONICAL.replace("{\"client\":\"dpi\"}", "{}")),
                Arguments.of("details of three", CANONICAL.replace("{\"client\":\"dpi\"}",
                        "{\"\":\"\",\"client\":\"dpi\",\"realm\":\"é\"}")),
                Arguments.of("status null", CANONICAL.replace("\"status\":200", "\"status\":null")),
                Arguments.of("status 0", CANONICAL.replace("\"status\":200", "\"status\":0")),
                Arguments.of("status negative", CANONICAL.replace("\"status\":200", "\"status\":-7")),
                Arguments.of("status the largest int", CANONICAL.replace("\"status\":200", "\"status\":2147483647")),
                Arguments.of("status the smallest int", CANONICAL.replace("\"status\":200", "\"status\":-2147483648")),
                Arguments.of("strings empty", CANONICAL.replace("\"user\":\"u\"", "\"user\":\"\"").replace("\"/\"", "\"\"")),
                Arguments.of("two- and three-byte characters", CANONICAL.replace("\"user\":\"u\"", "\"user\":\"é€\uFFFD\uFFFF\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canonicalBodies")
    void aCanonicalLineIsReadAsTheExactPathReadsIt(String what, String body) throws Exception {
        byte[] line = forged(body);
        SealedLine fast = new SealedLine();
        assertThat(fast.check(line, line.length)).isEqualTo(SealedLine.SEALED);
        assertThat(exactAccepts(line)).isTrue();
        assertThat(fast.record).isEqualTo(AuditChain.written(AuditVerifier.parse(new String(line, StandardCharsets.UTF_8))));
    }

    static Stream<Arguments> hostileBytes() {
        return Stream.of(
                Arguments.of("a lone continuation byte", new byte[] {(byte) 0x80}),
                Arguments.of("an overlong slash", new byte[] {(byte) 0xc0, (byte) 0xaf}),
                Arguments.of("an overlong two-byte lead", new byte[] {(byte) 0xc1, (byte) 0xbf}),
                Arguments.of("an overlong three-byte form", new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}),
                Arguments.of("an encoded surrogate", new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}),
                Arguments.of("a two-byte sequence cut by the quote", new byte[] {(byte) 0xc3}),
                Arguments.of("a three-byte sequence cut by the quote", new byte[] {(byte) 0xe2, (byte) 0x82}),
                Arguments.of("a lead without continuation", new byte[] {(byte) 0xc3, 'a'}),
                Arguments.of("a four-byte character", new byte[] {(byte) 0xf0, (byte) 0x9d, (byte) 0x92, (byte) 0x9c}),
                Arguments.of("a byte past any UTF-8", new byte[] {(byte) 0xff}),
                Arguments.of("a NUL", new byte[] {0}),
                Arguments.of("a raw newline", new byte[] {'\n'}),
                Arguments.of("an escaped slash, which the generator writes raw", new byte[] {'\\', '/'}));
    }

    /**
     * Bytes no writer writes inside a string, given to the fast path directly (the verifier has refused
     * a line that is not strict UTF-8 before: the fast path does not rely on it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBytes")
    void aStringHoldingBytesTheGeneratorNeverWritesIsNotTakenByTheFastPath(String what, byte[] bytes) throws Exception {
        byte[] body = CANONICAL.getBytes(StandardCharsets.UTF_8);
        int at = CANONICAL.indexOf("\"user\":\"u") + 9;
        byte[] hostile = new byte[body.length + bytes.length];
        System.arraycopy(body, 0, hostile, 0, at);
        System.arraycopy(bytes, 0, hostile, at, bytes.length);
        System.arraycopy(body, at, hostile, at + bytes.length, body.length - at);
        String hash = AuditChain.hash(AuditChain.GENESIS, hostile);
        byte[] line = concat(Arrays.copyOf(hostile, hostile.length - 1),
                (",\"prev\":\"" + AuditChain.GENESIS + "\",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII));
        assertThat(new SealedLine().check(line, line.length)).isNotEqualTo(SealedLine.SEALED);
        assertThat(exactAccepts(line)).isFalse();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void aLineCutAnywhereIsNotTaken() throws Exception {
        byte[] sealed = sealedLine(record("Hélène", "policy satisfied", 200, Map.of("client", "dpi")));
        SealedLine fast = new SealedLine();
        for (int length = 0; length < sealed.length; length++) {
            byte[] cut = Arrays.copyOf(sealed, length);
            assertThat(fast.check(cut, length)).as("cut at %d", length).isNotEqualTo(SealedLine.SEALED);
            assertThat(fast.check(sealed, length)).as("read to %d of the whole buffer", length).isNotEqualTo(SealedLine.SEALED);
        }
    }

    /**
     * Lines a forger writes from the canonical one by inserting, removing or replacing bytes taken
     * from JSON's syntax, with a hash over what they wrote: whatever the fast path takes, the exact
     * path takes too, with the same fields. A fixed seed: the same lines on every run.
     */
    @Test
    void editedLinesTakenByTheFastPathAreExactlyThoseTheExactPathAcceptsAndReadTheSame() throws Exception {
        byte[] alphabet = "{}[]\":,\\ \t\r\n0129-+.eEnulltruefalse/aé".getBytes(StandardCharsets.UTF_8);
        java.util.SplittableRandom random = new java.util.SplittableRandom(29);
        SealedLine fast = new SealedLine();
        int taken = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] body = CANONICAL.getBytes(StandardCharsets.UTF_8);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(body.length);
                byte b = alphabet[random.nextInt(alphabet.length)];
                body = switch (random.nextInt(3)) {
                    case 0 -> concat(concat(Arrays.copyOf(body, at), new byte[] {b}), Arrays.copyOfRange(body, at, body.length));
                    case 1 -> concat(Arrays.copyOf(body, at), Arrays.copyOfRange(body, at + 1, body.length));
                    default -> {
                        body[at] = b;
                        yield body;
                    }
                };
            }
            if (body.length < 2) {
                continue;
            }
            String hash = AuditChain.hash(AuditChain.GENESIS, body);
            byte[] line = concat(Arrays.copyOf(body, body.length - 1),
                    (",\"prev\":\"" + AuditChain.GENESIS + "\",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.US_ASCII));
            if (fast.check(line, line.length) == SealedLine.SEALED) {
                taken++;
                String text = new String(line, StandardCharsets.UTF_8);
                assertThat(exactAccepts(line)).as(text).isTrue();
                assertThat(fast.record).as(text).isEqualTo(AuditChain.written(AuditVerifier.parse(text)));
            }
        }
        // Edits inside strings keep a line canonical: the test reaches the fast path's acceptance.
        assertThat(taken).isGreaterThan(1000);
    }

    @Test
    void aSuffixOutOfShapeIsLeftToTheExactPath() throws Exception {
        byte[] line = forged(CANONICAL);
        String text = new String(line, StandardCharsets.UTF_8);
        for (String odd : List.of(text.replace("\"hash\":\"", "\"hash\": \""), text.toUpperCase().replace("\"TS\"", "\"ts\""),
                text.substring(0, text.length() - 1) + " }", text + " ")) {
            byte[] bytes = odd.getBytes(StandardCharsets.UTF_8);
            assertThat(new SealedLine().check(bytes, bytes.length)).as(odd).isEqualTo(SealedLine.NOT_PLAIN);
            assertThat(exactAccepts(bytes)).as(odd).isFalse();
        }
    }
}
