package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("An audit record never carries a token, cookie, password, OTP or query string")
class AuditRecordTest {

    static final String JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJTRUNSRVQifQ.c2lnbmF0dXJlU0VDUkVU";

    static Stream<Arguments> leaks() {
        return Stream.of(
                Arguments.of("a JWT in a reason", "token was " + JWT, "SECRET"),
                Arguments.of("a bare JWT anywhere", JWT, "eyJzdWIi"),
                Arguments.of("a bearer token", "upstream said Bearer abcSECRETdef", "SECRET"),
                Arguments.of("a basic credential", "Authorization: Basic dXNlcjpTRUNSRVQ=", "dXNlcjpTRUNSRVQ"),
                Arguments.of("a scheme opening the text, in capitals", "DPOP abcSECRETdef", "SECRET"),
                Arguments.of("a scheme before a tab and spaces", "sent negotiate\t  abcSECRETdef", "SECRET"),
                Arguments.of("a password pair", "login failed password=SECRET", "SECRET"),
                Arguments.of("a client secret pair", "client_secret=SECRET&x=1", "SECRET"),
                Arguments.of("an OTP pair", "otp: 123456", "123456"),
                Arguments.of("a TOTP pair", "totp=654321", "654321"),
                Arguments.of("an authorization code", "callback code=SECRET", "SECRET"),
                Arguments.of("an access token pair", "access_token=SECRET", "SECRET"),
                Arguments.of("a session cookie", "Cookie: hc_session=SECRET; other=1", "SECRET"),
                Arguments.of("a PIN", "card pin=1234", "1234"),
                Arguments.of("a CR/LF log injection", "ok\r\n{\"forged\":true}", "\r\n"),
                Arguments.of("a Java session id", "JSESSIONID=SECRET1234", "SECRET"),
                Arguments.of("a PHP session id", "PHPSESSID=SECRET1234", "SECRET"),
                Arguments.of("an ASP session id", "ASPSESSIONIDQQGDBRTA=SECRET1234", "SECRET"),
                Arguments.of("an API key", "apikey=SECRET&x=1 api_key=SECRET2 x-api-key: SECRET3", "SECRET"),
                Arguments.of("a signed URL's signature", "sig=SECRET", "SECRET"),
                Arguments.of("a SAML response", "SAMLResponse=PHNhbWxwOlNFQ1JFVA", "PHNhbWxw"),
                Arguments.of("a CAS ticket", "ticket=ST-1-SECRET", "SECRET"),
                Arguments.of("a percent-encoded pair", "/reset/access_token%3DSECRET", "SECRET"));
    }

    /** Every free-text field of the record, so a secret is stopped whichever field it reaches. */
    static final List<Function<String, AuditRecord>> FIELDS = List.of(
            v -> record(v, null, null, Map.of()),
            v -> record(null, v, null, Map.of()),
            v -> record(null, null, v, Map.of()),
            v -> record(null, null, null, Map.of("auth_method", v)));

    static AuditRecord record(String reason, String user, String requestId, Map<String, String> details) {
        return new AuditRecord("2026-11-22T10:00:00.000Z", "keycloak", "login_error", "failure", reason, user, null,
                null, List.of(), null, null, null, null, null, "127.0.0.1", requestId, details);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaks")
    void aSecretShapedValueIsRedactedInEveryField(String what, String value, String secret) {
        for (Function<String, AuditRecord> field : FIELDS) {
            String line = AuditChain.line(field.apply(value), AuditChain.GENESIS, "h");
            assertThat(line).doesNotContain(secret);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("leaks")
    void aRedactedRecordStillVerifies(String what, String value, String secret, @TempDir java.nio.file.Path dir)
            throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "keycloak", Duration.ZERO, 1000, Duration.ofHours(1), Clock.systemUTC())) {
            writer.append(record(value + " " + "x".repeat(600), value, value, Map.of("auth_method", value)), true).join();
        }
        java.nio.file.Path file;
        try (Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        AuditVerifier.Result result = AuditVerifier.verify(List.of(file), AuditTrailTest.key(dir));
        assertThat(result.ok()).as(result.message()).isTrue();
    }

    @ParameterizedTest(name = "query string dropped from {0}")
    @MethodSource("paths")
    void thePathNeverKeepsAQueryStringOrFragment(String path, String kept) {
        AuditRecord record = new AuditRecord("t", "gateway", "access", "allow", null, null, null, null, null, null,
                null, "GET", path, 200, null, null, null);
        assertThat(record.path()).isEqualTo(kept);
    }

    static Stream<Arguments> paths() {
        return Stream.of(Arguments.of("/cb?code=SECRET&state=x", "/cb"), Arguments.of("/a#access_token=SECRET", "/a"),
                Arguments.of("/a?", "/a"), Arguments.of("/plain", "/plain"),
                Arguments.of("/app;jsessionid=SECRET/page", "/app/page"), Arguments.of("/a;x=1;y=2/b;z", "/a/b"));
    }

    @ParameterizedTest(name = "ordinary text kept: {0}")
    @MethodSource("ordinary")
    void ordinaryTextIsNotRedacted(String value) {
        assertThat(record(value, null, null, Map.of()).reason()).isEqualTo(value);
    }

    static Stream<String> ordinary() {
        return Stream.of("profession not allowed", "level eidas3 required, session has eidas2",
                "codeProfession=10 not in [21]", "CN=AC IGC-SANTE FORT PERSONNES, OU=IGC-SANTE, C=FR",
                "invalid_user_credentials");
    }

    private static AuditRecord withPath(String path) {
        return new AuditRecord("t", "gateway", "access", "allow", path, "u", null, null, List.of(), null, "r", "GET", path,
                200, null, null, Map.of());
    }

    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Timeout(5)
    @DisplayName("a hostile 8 KB path is cleaned in linear time: the writer thread is not an attacker's to stall")
    void hostileLongValuesAreCleanedQuickly() {
        // Before: each "eyJ" of the run was tried to its end, about 60 ms per field: 100 such records took 12 s.
        for (String hostile : List.of("/" + "eyJ".repeat(2600), "/" + "%3d".repeat(2600), "/" + "bearer ".repeat(1100))) {
            for (int i = 0; i < 100; i++) {
                assertThat(withPath(hostile).path()).hasSizeLessThanOrEqualTo(512);
            }
        }
    }

    @org.junit.jupiter.api.Test
    @DisplayName("a token whose signature lies beyond what is read is still redacted")
    void aTokenCutByTheLengthBoundIsRedacted() {
        String payload = "eyJ" + "A".repeat(2000);
        String path = "/x/" + "eyJhbGciOiJFUzI1NiJ9." + payload + ".c2lnbmF0dXJl";
        assertThat(withPath(path).path()).isEqualTo("/x/" + AuditRecord.REDACTED);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("the one pass that lets cleaning skip steps never skips one that would change the text")
    void skippingAStepNeverChangesTheResult() {
        String[] pieces = {"eyJ", "e", "yJ", "hbG", ".", " ", "\t", "\r\n", "\u2003", "\u00a0", "\u001c", "\u007f", "=",
                ":", "%3d", "%", "Bearer", "basic", "DPoP", "token", "pwd", "code", "sid", "x", "é", ";", "&", "-", "_"};
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 50_000; n++) {
            StringBuilder raw = new StringBuilder();
            for (int i = random.nextInt(10); i >= 0; i--) {
                raw.append(pieces[random.nextInt(pieces.length)]);
            }
            String value = raw.toString();
            assertThat(record(value, null, null, Map.of()).reason()).as(value).isEqualTo(everyStep(value));
        }
    }

    /** The cleaning with no step skipped, for values under the scanned length. */
    private static String everyStep(String value) {
        String text = AuditRecord.withoutControls(value);
        text = AuditRecord.SECRETS.get(0).matcher(text).replaceAll(AuditRecord.REDACTED);
        text = AuditRecord.SECRETS.get(1).matcher(text).replaceAll("$1 " + AuditRecord.REDACTED);
        text = AuditRecord.SECRETS.get(2).matcher(text).replaceAll("$1=" + AuditRecord.REDACTED);
        return text.length() > 512 ? text.substring(0, 512) : text;
    }
}
