package fr.hcbroker.idnat;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A national health-professional identifier, idNat_PS (DESIGN.md §4): the CN of a CPS card
 * certificate and Pro Santé Connect's {@code SubjectNameID}; one user attribute joins both.
 *
 * @param value the identifier as written on the card and in PSC
 * @param kind  which register it comes from
 */
public record IdNat(String value, Kind kind) {

    public enum Kind {
        /** {@code 8} + an 11-digit RPPS number whose last digit is a Luhn check digit. */
        RPPS,
        /** {@code 0} + an ADELI number (9 digits). */
        ADELI,
        /** {@code 1|3|4|5|6} + structure id + {@code /} + the structure's internal id (staff cards). */
        STRUCTURE_STAFF,
        /**
         * {@code ANS} + 14 digits (a timestamp): identities made with ANS's test tool for the PSC sandbox
         * (DESIGN.md §3). Never returned by {@link #parse}: only {@link #parseAnsTestTool}, which the PSC
         * provider calls outside production only.
         */
        ANS_TEST_TOOL
    }

    private static final Pattern RPPS = Pattern.compile("8(\\d{11})");
    private static final Pattern ADELI = Pattern.compile("0(\\d{9})");
    private static final Pattern ANS_TEST = Pattern.compile("ANS\\d{14}");
    private static final Pattern STAFF = Pattern.compile("[13456]([0-9A-Za-z]{1,20})/([0-9A-Za-z]{1,30})");

    /**
     * Parses and checks an idNat_PS. The patterns are anchored and ASCII-only so that nothing else
     * (spaces, control characters, look-alike digits) reaches a user lookup.
     *
     * @throws InvalidIdNatException with the reason, for anything that is not a well-formed idNat_PS
     */
    public static IdNat parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new InvalidIdNatException("idNat_PS is empty");
        }
        var rpps = RPPS.matcher(raw);
        if (rpps.matches()) {
            if (!luhnValid(rpps.group(1))) {
                throw new InvalidIdNatException("RPPS number fails its Luhn check: " + raw);
            }
            return new IdNat(raw, Kind.RPPS);
        }
        if (ADELI.matcher(raw).matches()) {
            return new IdNat(raw, Kind.ADELI);
        }
        if (STAFF.matcher(raw).matches()) {
            return new IdNat(raw, Kind.STRUCTURE_STAFF);
        }
        throw new InvalidIdNatException("not an idNat_PS (RPPS, ADELI or structure form): " + printable(raw));
    }

    /**
     * An idNat_PS, or an identity made with ANS's test tool ({@link Kind#ANS_TEST_TOOL}): for the PSC
     * sandbox only, where such identities log in.
     *
     * @throws InvalidIdNatException for anything else
     */
    public static IdNat parseAnsTestTool(String raw) {
        if (raw != null && ANS_TEST.matcher(raw).matches()) {
            return new IdNat(raw, Kind.ANS_TEST_TOOL);
        }
        return parse(raw);
    }

    /** The 11-digit RPPS number, for RPPS identifiers only. */
    public Optional<String> rpps() {
        return kind == Kind.RPPS ? Optional.of(value.substring(1)) : Optional.empty();
    }

    /** The structure id of a staff card ({@code 3760021832/000000018} gives {@code 760021832}). */
    public Optional<String> structureId() {
        return kind == Kind.STRUCTURE_STAFF
                ? Optional.of(value.substring(1, value.indexOf('/')))
                : Optional.empty();
    }

    static boolean luhnValid(String digits) {
        int sum = 0;
        boolean doubleIt = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    /** Adds a Luhn check digit to {@code digits} (used by test data generators). */
    public static String withLuhnDigit(String digits) {
        for (int c = 0; c <= 9; c++) {
            if (luhnValid(digits + c)) {
                return digits + c;
            }
        }
        throw new IllegalStateException("unreachable: one check digit always fits");
    }

    /** Error messages must not echo control characters from hostile input into logs. */
    private static String printable(String raw) {
        String cut = raw.length() > 40 ? raw.substring(0, 40) + "…" : raw;
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
