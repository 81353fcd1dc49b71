package fr.hcbroker.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One audit record (DESIGN.md §6). The type has no place for a token, cookie, password, OTP or query
 * string: paths lose their query, free text loses control characters, and extra details are limited
 * to a fixed list of harmless keys.
 */
public record AuditRecord(String ts, String source, String event, String outcome, String reason, String user,
                          String idnat, String loa, List<String> amr, String session, String route, String method,
                          String path, Integer status, String clientIp, String requestId, Map<String, String> details)
        implements AuditEntry, AuditChain.Fields {

    private static final DateTimeFormatter RFC3339_MS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    /** Details an auditor needs and that carry no secret. */
    public static final Set<String> DETAIL_KEYS = Set.of("auth_method", "identity_provider", "cert_serial",
            "cert_issuer", "credential_type", "client", "realm", "resource", "admin",
            // Why Pro Santé Connect was refused (e.g. the authMode value to map); where its answers disagreed
            // on acr or authMode (claim names and values only).
            "psc_refusal", "psc_disagreement",
            // emergency access ("bris de glace"), docs/fr/acces-urgence.md: the chosen reason code, the
            // person's few words (cleaned, bounded), the session's limit, an alert's address, a review's verdict
            "emergency_reason", "emergency_note", "emergency_until", "alert_address", "review_of", "review_verdict",
            "review_comment",
            // ... and at the gateway, the Keycloak session an emergency request belongs to (the review's "apps reached")
            "emergency_session",
            // A summary of repeated refusals (the gateway's deny-summary): sample_paths cleaned as paths are.
            "count", "first", "last", "sample_paths", "reasons",
            // A gateway access: how long the app took to answer, and the request's incoming X-Request-Id
            // (request_id is the gateway's own id, the X-HC-Request-Id the app received).
            "duration_ms", "client_request_id");

    public AuditRecord {
        event = cleanRepeated(event);
        outcome = cleanRepeated(outcome);
        reason = cleanRepeated(reason);
        user = clean(user);
        idnat = clean(idnat);
        loa = cleanRepeated(loa);
        session = clean(session);
        route = cleanRepeated(route);
        method = cleanRepeated(method);
        path = path == null ? null : clean(withoutParameters(withoutQuery(path)));
        clientIp = clean(clientIp);
        requestId = clean(requestId);
        amr = amr == null ? List.of() : cleanAll(amr);
        if (details == null || details.isEmpty()) {
            details = Map.of();
        } else {
            Map<String, String> kept = new TreeMap<>();
            details.forEach((k, v) -> {
                if (DETAIL_KEYS.contains(k) && v != null) {
                    kept.put(k, k.equals("sample_paths") ? cleanPaths(v) : clean(v));
                }
            });
            details = Map.copyOf(kept);
        }
    }

    /** Space-separated paths, each cleaned as {@link #path} is. */
    private static String cleanPaths(String paths) {
        return java.util.Arrays.stream(paths.split(" ")).filter(p -> !p.isEmpty())
                .map(p -> clean(withoutParameters(withoutQuery(p)))).collect(java.util.stream.Collectors.joining(" "));
    }

    /** A record is already made: itself. */
    @Override
    public AuditRecord record() {
        return this;
    }

    /** The seconds part of the last timestamp made: records come many per second. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    /** RFC 3339 in UTC with milliseconds, e.g. {@code 2026-11-22T08:00:00.042Z}. */
    public static String timestamp(Instant instant) {
        Second second = lastSecond;
        if (second.epochSecond() != instant.getEpochSecond()) {
            String full = RFC3339_MS.format(instant);
            second = new Second(instant.getEpochSecond(), full.substring(0, full.indexOf('.')));
            lastSecond = second;
        }
        int millis = instant.getNano() / 1_000_000;
        return second.text() + '.' + (char) ('0' + millis / 100) + (char) ('0' + millis / 10 % 10)
                + (char) ('0' + millis % 10) + 'Z';
    }


    /**
     * Free text (a reason, a user name typed at a login form, an error detail) can carry a secret by
     * mistake: anything shaped like a JWT, an Authorization value, or a {@code name=value} pair whose
     * name says secret keeps its shape but loses its value.
     */
    static final List<java.util.regex.Pattern> SECRETS = List.of(
            // Only where a base64url run starts, possessively: "eyJeyJeyJ…" would otherwise be tried from
            // each "eyJ" to the end of the run (a hostile 8 KB path cost 60 ms per record). A JWT whose
            // signature is cut off by the length bound still goes.
            java.util.regex.Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*+\\.[A-Za-z0-9_-]*+(?:\\.[A-Za-z0-9_-]*+)?"),
            java.util.regex.Pattern.compile("(?i)\\b(bearer|basic|dpop|negotiate)\\s+[A-Za-z0-9._~+/=-]+"),
            java.util.regex.Pattern.compile("(?i)\\b((?:[a-z]+[_-])*(?:token|password|passwd|pwd|secret|otp|totp|pin|cookie|code"
                    + "|assertion|session|session_state|credential|j?sessionid|phpsessid|sessid|aspsessionid[a-z]*|sid"
                    + "|api[_-]?key|key|sig|signature|saml(?:response|request)|ticket|auth)s?)\\s*(?:[=:]|%3d)\\s*[^\\s&;,]+"));
    static final String REDACTED = "[redacted]";
    /** How much of a value the patterns read: the kept 512 characters, and a secret running past them. */
    private static final int SCANNED = 1024;

    /** The cleaned form of the fields that take few distinct values, made once per value. */
    private static final RepeatedValues<String> CLEANED = new RepeatedValues<>(AuditRecord::clean);

    private static String cleanRepeated(String value) {
        return value == null ? null : CLEANED.get(value);
    }

    private static String clean(String value) {
        if (value == null) {
            return null;
        }
        // Each pattern runs only when the text has what it needs to match (a control character, "eyJ",
        // whitespace, '=' or ':' or '%'), as found by one pass over it: same result, without regex work
        // or repeated scans of plain values on the request path. Cut before the patterns as well as
        // after: their work grows with the text, which an attacker chooses (a path can be 8 KB), and
        // only the first 512 characters are kept.
        String text = value.length() > SCANNED ? value.substring(0, SCANNED) : value;
        int found = scan(text);
        if ((found & CONTROL) != 0) {
            text = withoutControls(text);
        }
        if ((found & JWT) != 0) {
            text = SECRETS.get(0).matcher(text).replaceAll(REDACTED);
        }
        if ((found & SPACE) != 0 && namesAuthScheme(text)) {
            text = SECRETS.get(1).matcher(text).replaceAll("$1 " + REDACTED);
        }
        if ((found & PAIR) != 0) {
            text = SECRETS.get(2).matcher(text).replaceAll("$1=" + REDACTED);
        }
        // Bounded last, so cleaning a cleaned value changes nothing and the verifier re-derives it exactly.
        return text.length() > 512 ? text.substring(0, 512) : text;
    }

    /** What {@link #scan} finds: each flag allows one step of the cleaning. */
    private static final int CONTROL = 1, JWT = 2, SPACE = 4, PAIR = 8;

    /**
     * One pass over a value for what the cleaning steps look for. A step that changes the text adds
     * nothing a later one looks for (controls become spaces only where they were whitespace already),
     * so the flags of the raw text are enough to skip a step.
     */
    private static int scan(String value) {
        int found = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                found |= isControl(c) ? CONTROL : 0;
                found |= Character.isWhitespace(c) ? SPACE : 0;
            } else if (c == '=' || c == ':' || c == '%') {
                found |= PAIR;
            } else if (c == 'e' && value.startsWith("yJ", i + 1)) {
                found |= JWT;
            } else if (c > 0x7f && Character.isWhitespace(c)) {
                found |= SPACE;
            }
        }
        return found;
    }

    /**
     * Path parameters out ({@code /app;jsessionid=…/page} is recorded as {@code /app/page}): legacy
     * Java apps carry their session id there, and no audit question needs them.
     */
    private static String withoutParameters(String path) {
        int semicolon = path.indexOf(';');
        if (semicolon < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        boolean inParameters = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';') {
                inParameters = true;
            } else if (c == '/') {
                inParameters = false;
            }
            if (!inParameters) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String withoutQuery(String path) {
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '?' || path.charAt(i) == '#') {
                return path.substring(0, i);
            }
        }
        return path;
    }

    private static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f;
    }

    /**
     * Control characters out (no forged line or terminal escape in a log): a space for those that are
     * whitespace (tab, CR, LF, VT, FF), so that "Bearer<TAB>token" is still seen as a credential below;
     * {@code ?} for the others.
     */
    static String withoutControls(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            out.append(!isControl(c) ? c : (c >= '\t' && c <= '\r') ? ' ' : '?');
        }
        return out.toString();
    }

    private static List<String> cleanAll(List<String> values) {
        String[] cleaned = new String[values.size()];
        for (int i = 0; i < cleaned.length; i++) {
            cleaned[i] = clean(values.get(i));
        }
        return java.util.Collections.unmodifiableList(java.util.Arrays.asList(cleaned));
    }

    /**
     * Whether an HTTP authorization scheme stands right before whitespace (the only case the second
     * pattern can match). Looks back from each whitespace: a plain reason costs a few compares.
     */
    private static boolean namesAuthScheme(String value) {
        for (int i = 1; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                for (String scheme : AUTH_SCHEMES) {
                    int start = i - scheme.length();
                    if (start >= 0 && value.regionMatches(true, start, scheme, 0, scheme.length())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static final String[] AUTH_SCHEMES = {"bearer", "basic", "dpop", "negotiate"};
}
