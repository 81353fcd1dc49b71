package fr.hcbroker.keycloak.delegation;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How our values become the values Pro Santé Connect receives in delegation ("FI local"), written
 * {@code ours=theirs} pairs separated by spaces or commas, e.g. {@code otp=otp hwk=hwk}. A value with
 * no pair, or paired with nothing ({@code swk=}), is not sent: only what an admin agreed with PSC
 * leaves the establishment.
 */
record ClaimTranslation(Map<String, String> pairs) {

    /** RFC 8176 values as hc-broker emits them (DESIGN.md §2), sent as they are. */
    static final String DEFAULT_AMR = "pwd=pwd otp=otp hwk=hwk swk=swk sc=sc pin=pin mfa=mfa wia=wia";
    /** The eIDAS levels as hc-broker names them, sent as they are. */
    static final String DEFAULT_ACR = "eidas1=eidas1 eidas2=eidas2 eidas3=eidas3";

    ClaimTranslation {
        pairs = Map.copyOf(pairs);
    }

    /**
     * @throws IllegalArgumentException on an element that is not {@code ours=theirs}, or an {@code ours}
     *         given twice: a mistyped setting must not send something else than the admin meant
     */
    static ClaimTranslation parse(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String element : text.trim().split("[\\s,]+")) {
            if (element.isEmpty()) {
                continue;
            }
            int eq = element.indexOf('=');
            if (eq <= 0 || element.indexOf('=', eq + 1) >= 0) {
                throw new IllegalArgumentException("not ours=theirs: '" + element + "'");
            }
            if (pairs.put(element.substring(0, eq), element.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("given twice: '" + element.substring(0, eq) + "'");
            }
        }
        return new ClaimTranslation(pairs);
    }

    /** The setting, or the default when it is absent or blank. */
    static ClaimTranslation parseOrDefault(String text, String defaultText) {
        return parse(text == null || text.isBlank() ? defaultText : text);
    }

    Optional<String> translate(String ours) {
        return Optional.ofNullable(pairs.get(ours)).filter(theirs -> !theirs.isEmpty());
    }

    /** Each value translated, in order, without repeats; values that are not sent are left out. */
    List<String> translateAll(Collection<String> ours) {
        Set<String> theirs = new LinkedHashSet<>();
        ours.forEach(value -> translate(value).ifPresent(theirs::add));
        return List.copyOf(theirs);
    }
}
