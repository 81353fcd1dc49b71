package fr.hcbroker.stack.directory;

import fr.hcbroker.stack.StackException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a JSON template's {@code ${VAR}} and {@code ${VAR:default}} placeholders, the syntax of
 * Keycloak's own realm import, with values escaped for a JSON string. A placeholder without a value
 * or default is an error naming it: a federation half-configured must not be applied.
 */
public final class Placeholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

    private Placeholders() {
    }

    public static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                throw new StackException("the directory template needs " + m.group(1) + " (no default)");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(jsonEscaped(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String jsonEscaped(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
