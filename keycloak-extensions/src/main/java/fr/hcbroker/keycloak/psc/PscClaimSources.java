package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where PSC puts a claim it may send in several places (DESIGN.md §3): ANS's samples carry
 * {@code authMode} in the userinfo and the access token, none in the ID token, and {@code acr} in the
 * ID token. The first source that has the claim wins, in the order userinfo, access token, ID token;
 * sources that say otherwise are reported so that the login records the disagreement.
 *
 * @param userInfo    the userinfo answer (JSON or the verified JWT's claims)
 * @param accessToken the verified access token's claims, or an empty map when it is not a JWT
 * @param idToken     the verified ID token's claims
 */
record PscClaimSources(JsonNode userInfo, Map<String, Object> accessToken, Map<String, Object> idToken) {

    static final String USERINFO = "userinfo";
    static final String ACCESS_TOKEN = "access_token";
    static final String ID_TOKEN = "id_token";

    /**
     * @param value        the claim's value, or null when no source has it
     * @param source       where the value was read, or null
     * @param disagreement e.g. {@code access token "CARD", id token "MOBILE"} when other sources differ, else null
     *                     (words, not {@code id_token=}: the audit redacts anything shaped like a token parameter)
     */
    record Claim(String value, String source, String disagreement) {
    }

    Claim read(String name) {
        Map<String, String> found = new LinkedHashMap<>();
        putIfText(found, USERINFO, PscProfile.text(userInfo, name));
        putIfText(found, ACCESS_TOKEN, accessToken.get(name));
        putIfText(found, ID_TOKEN, idToken.get(name));
        if (found.isEmpty()) {
            return new Claim(null, null, null);
        }
        Map.Entry<String, String> first = found.entrySet().iterator().next();
        List<String> others = new ArrayList<>();
        found.forEach((source, value) -> {
            if (!Objects.equals(value, first.getValue())) {
                others.add(label(source) + " " + PscLevelPolicy.printable(value));
            }
        });
        return new Claim(first.getValue(), first.getKey(), others.isEmpty() ? null : String.join(", ", others));
    }

    /** A source as words: {@code id token}, {@code access token}, {@code userinfo}. */
    static String label(String source) {
        return source.replace('_', ' ');
    }

    private static void putIfText(Map<String, String> found, String source, Object value) {
        if (value instanceof String s && !s.isBlank()) {
            found.put(source, s.trim());
        }
    }
}
