package fr.hcbroker.keycloak.emergency;

import java.text.Normalizer;
import java.util.Optional;

/**
 * The few words a person may add to their reason: NFC-normalised, control and format characters
 * (line breaks, bidi overrides, zero-width) turned into spaces, runs of spaces collapsed. Too long
 * is refused, not cut: the person sees what is recorded.
 */
final class EmergencyNote {

    private EmergencyNote() {
    }

    /** The cleaned note, empty for none; empty Optional when longer than {@code max} characters. */
    static Optional<String> clean(String raw, int max) {
        if (raw == null) {
            return Optional.of("");
        }
        String normalised = Normalizer.normalize(raw, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(normalised.length());
        normalised.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            boolean invisible = Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED;
            out.appendCodePoint(invisible || Character.isWhitespace(cp) ? ' ' : cp);
        });
        String cleaned = out.toString().replaceAll(" {2,}", " ").strip();
        return cleaned.codePointCount(0, cleaned.length()) > max ? Optional.empty() : Optional.of(cleaned);
    }
}
