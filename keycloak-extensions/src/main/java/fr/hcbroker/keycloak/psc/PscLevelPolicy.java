package fr.hcbroker.keycloak.psc;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns PSC's {@code acr} and {@code authMode} into our level (DESIGN.md §3). PSC sends
 * {@code acr=eidas1} (or none, read as eidas1, as ANS's connector does), so the acr is only checked
 * to be one of ours; the level comes from authMode, the means actually used, through the admin's
 * value → level mapping. Fails closed: an unknown acr or an authMode the mapping does not name is
 * refused, with the value in the reason so that an admin can map it.
 *
 * @param minimum        logins below this level are refused
 * @param authModeLevels authMode value (exact spelling PSC sends) → level
 */
public record PscLevelPolicy(Level minimum, Map<String, Level> authModeLevels) {

    /** The card's authMode, the one value ANS's samples confirm (DESIGN.md §3). */
    public static final String CARD = "CARD";
    /** The e-CPS app's authMode as assumed until ANS confirms it: admins add other spellings. */
    public static final String MOBILE = "MOBILE";

    public static final Map<String, Level> DEFAULT_AUTH_MODES = defaults();
    public static final PscLevelPolicy DEFAULT = new PscLevelPolicy(Level.SUBSTANTIAL, DEFAULT_AUTH_MODES);

    public PscLevelPolicy {
        authModeLevels = Map.copyOf(authModeLevels);
    }

    private static Map<String, Level> defaults() {
        Map<String, Level> map = new LinkedHashMap<>();
        map.put(CARD, Level.HIGH);
        map.put(MOBILE, Level.SUBSTANTIAL);
        return map;
    }

    public PscLevelDecision decide(String acr, String authMode) {
        Optional<Level> acrLevel = acr == null || acr.isBlank() ? Optional.of(Level.LOW) : Level.fromAcr(acr);
        if (acrLevel.isEmpty()) {
            return PscLevelDecision.refuse("Pro Santé Connect sent an unknown acr " + printable(acr));
        }
        Level level;
        List<Amr> amr;
        if (authMode == null || authMode.isBlank()) {
            level = acrLevel.get();
            amr = level == Level.HIGH ? List.of(Amr.SC, Amr.PIN, Amr.MFA) : List.of(Amr.SWK, Amr.PIN, Amr.MFA);
        } else if (authModeLevels.containsKey(authMode)) {
            level = authModeLevels.get(authMode);
            amr = CARD.equals(authMode) ? List.of(Amr.SC, Amr.PIN, Amr.MFA) : List.of(Amr.SWK, Amr.PIN, Amr.MFA);
        } else {
            return PscLevelDecision.refuse("Pro Santé Connect sent an unknown authMode " + printable(authMode)
                    + " (an admin can map it to a level in the provider's settings)");
        }
        if (!level.atLeast(minimum)) {
            return PscLevelDecision.refuse("Pro Santé Connect login at " + level.acr()
                    + (authMode == null || authMode.isBlank() ? " (no authMode sent)" : " (authMode " + authMode + ")")
                    + " is below the required level " + minimum.acr());
        }
        return PscLevelDecision.accept(level, amr);
    }

    /**
     * Parses the admin's mapping, {@code VALUE=eidasN} pairs separated by commas or new lines.
     *
     * @throws IllegalArgumentException naming the bad pair
     */
    public static Map<String, Level> parseAuthModes(String text) {
        Map<String, Level> map = new LinkedHashMap<>();
        for (String pair : text.split("[,;\\n]+")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String value = eq < 0 ? "" : pair.substring(0, eq).trim();
            String acr = eq < 0 ? "" : pair.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            if (value.isEmpty() || !value.matches("[A-Za-z0-9_.:-]{1,64}")) {
                throw new IllegalArgumentException("authMode mapping: expected VALUE=eidasN, got " + printable(pair.trim()));
            }
            Level level = Level.fromAcr(acr).orElseThrow(() -> new IllegalArgumentException(
                    "authMode mapping: unknown level for " + value + ": " + printable(acr)));
            if (map.put(value, level) != null) {
                throw new IllegalArgumentException("authMode mapping: " + value + " is mapped twice");
            }
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("authMode mapping is empty: every PSC login would be refused");
        }
        return map;
    }

    public static String formatAuthModes(Map<String, Level> map) {
        return String.join(",", map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().acr()).toList());
    }

    /** A value from PSC as it may appear in a log line: bounded, control characters escaped. */
    static String printable(String value) {
        if (value == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().limit(64).forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(value.codePointCount(0, value.length()) > 64 ? "…\"" : "\"").toString();
    }
}
