package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bytes the hash chain covers never change: files written by any version must verify. The
 * streamed canonical form is pinned to its definition, the record's fields in order serialized as
 * a JSON object by Jackson, on records with nulls, non-ASCII text, escapes and details.
 */
@DisplayName("canonical form of a record")
class CanonicalFormTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<AuditRecord> records() {
        return Stream.of(
                new AuditRecord("2026-11-22T08:00:00.042Z", "gateway", "access", "allow", "allowed", "dr.martin",
                        "899700000013", "eidas2", List.of("pwd", "otp", "mfa"), "corr", "demo-app", "GET", "/echo",
                        null, "127.0.0.1", "req-1", Map.of()),
                new AuditRecord("2026-11-22T08:00:01.000Z", "keycloak", "login", "failure", "invalid_user_credentials",
                        "Hélène \"Lefèvre\" \\ Dupré", null, null, null, null, null, null, null, 401, null, null,
                        Map.of("realm", "hospiconnect", "client", "hc-gateway", "cert_serial", "a1", "ignored", "x")),
                new AuditRecord("2026-11-22T08:00:02.999Z", "gateway", "deny", "deny", "role\tmissing ✓", "u", "i", "eidas3",
                        List.of(), "s", "r", "POST", "/a?b=c", 403, "::1", "r-2", Map.of("resource", "é")));
    }

    @ParameterizedTest
    @MethodSource("records")
    void theStreamedFormIsTheFieldsInOrderAsAJsonObject(AuditRecord r) throws Exception {
        Map<String, Object> fields = fieldsOf(r);
        assertThat(new String(AuditChain.canonical(r), "UTF-8")).isEqualTo(JSON.writeValueAsString(fields));
        Map<String, Object> line = new LinkedHashMap<>(fields);
        line.put("prev", AuditChain.GENESIS);
        line.put("hash", "ab12");
        assertThat(AuditChain.line(r, AuditChain.GENESIS, "ab12")).isEqualTo(JSON.writeValueAsString(line));
    }

    /** The record's fields in their order, as a map Jackson serializes: the definition of the canonical form. */
    private static Map<String, Object> fieldsOf(AuditChain.Fields r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("ts", r.ts());
        fields.put("source", r.source());
        fields.put("event", r.event());
        fields.put("outcome", r.outcome());
        fields.put("reason", r.reason());
        fields.put("user", r.user());
        fields.put("idnat", r.idnat());
        fields.put("loa", r.loa());
        fields.put("amr", r.amr());
        fields.put("session", r.session());
        fields.put("route", r.route());
        fields.put("method", r.method());
        fields.put("path", r.path());
        fields.put("status", r.status());
        fields.put("client_ip", r.clientIp());
        fields.put("request_id", r.requestId());
        fields.put("details", new TreeMap<>(r.details()));
        return fields;
    }

    @Test
    @DisplayName("a repeated field's remembered bytes are the bytes Jackson writes for it, for any text")
    void rememberedValuesAreWrittenAsJacksonWritesThem() throws Exception {
        // Surrogates paired, lone and reversed, escapes, controls, non-ASCII, and values past the remembered length.
        String[] pieces = {"a", "é", "✓", "\uD83D\uDE00", "\uD83D", "\uDE00", "\"", "\\", "\t", "\u0000", "\u007f",
                "\u2028", "/", "<", "x".repeat(130)};
        java.util.Random random = new java.util.Random(11);
        for (int n = 0; n < 5_000; n++) {
            StringBuilder value = new StringBuilder();
            for (int i = random.nextInt(6); i >= 0; i--) {
                value.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = value.toString();
            AuditChain.Written record = new AuditChain.Written("t", text, text, text, text, text, text, text, List.of(text),
                    text, text, text, text, 1, text, text, Map.of(text, text));
            byte[] expected;
            try {
                expected = JSON.writeValueAsBytes(fieldsOf(record));
            } catch (com.fasterxml.jackson.core.JsonProcessingException notWritable) {
                continue;
            }
            for (int twice = 0; twice < 2; twice++) { // first computed, then remembered
                assertThat(AuditChain.canonical(record)).as(text).isEqualTo(expected);
            }
        }
    }

    @Test
    void linesSealedOneAfterAnotherAreTheLinesOfTheDefinition() throws Exception {
        // The writer's one generator serves record after record: nothing may carry over between them.
        String prev = AuditChain.GENESIS;
        SealedLines sealed = new SealedLines(prev);
        StringBuilder expected = new StringBuilder();
        for (int round = 0; round < 2; round++) {
            for (AuditRecord r : records().toList()) {
                sealed.seal(r);
                String hash = sealed.lastHash();
                assertThat(hash).isEqualTo(AuditChain.hash(prev, r));
                expected.append(AuditChain.line(r, prev, hash)).append('\n');
                prev = hash;
            }
        }
        assertThat(sealed.toString("UTF-8")).isEqualTo(expected.toString());
    }

    @Test
    void timestampsAreRfc3339UtcWithMillisecondsAcrossSecondsAndDays() {
        DateTimeFormatter reference = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
        for (Instant t : List.of(Instant.parse("2026-11-22T23:59:59.999Z"), Instant.parse("2026-11-23T00:00:00.000Z"),
                Instant.parse("2026-11-23T00:00:00.007Z"), Instant.parse("2026-11-23T00:00:00.070Z"),
                Instant.parse("2026-11-23T00:00:01.500Z"), Instant.parse("2026-11-22T23:59:59.001Z"))) {
            assertThat(AuditRecord.timestamp(t)).isEqualTo(reference.format(t));
        }
    }
}
