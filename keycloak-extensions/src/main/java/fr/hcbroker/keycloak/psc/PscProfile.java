package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.idnat.InvalidIdNatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What hc-broker keeps of a PSC userinfo (DESIGN.md §3): the identifier, names, civility, the
 * profession and savoir-faire codes of every practice, and only this establishment's activities
 * (those whose site or legal-entity FINESS is in the configured list), with their structure ids.
 *
 * @param idNat      SubjectNameID, checked as an idNat_PS
 * @param givenName  given_name
 * @param familyName family_name
 * @param attributes user attributes to write, by name (each a list of values; an empty list clears)
 */
public record PscProfile(IdNat idNat, String givenName, String familyName, Map<String, List<String>> attributes) {

    public static final String IDNAT = "idnat_ps";
    public static final String RPPS = "rpps";
    public static final String CIVILITY = "civility";
    public static final String PROFESSION = "profession";
    public static final String SAVOIR_FAIRE = "savoir_faire";
    public static final String STRUCTURE = "structure";
    public static final String ACTIVITY = "psc_activity";
    /** Every attribute this profile writes: only these are changed on the user. */
    public static final Set<String> NAMES = Set.of(IDNAT, RPPS, CIVILITY, PROFESSION, SAVOIR_FAIRE, STRUCTURE, ACTIVITY);

    public PscProfile {
        attributes = Map.copyOf(attributes);
    }

    /**
     * @param ansTestIdentities whether identities of ANS's test tool are accepted (sandbox only)
     * @throws fr.hcbroker.idnat.InvalidIdNatException when SubjectNameID is absent or not an idNat_PS, or
     *         when an RPPS in {@code otherIds} is not a valid 12-character idNat or names another RPPS
     * @throws IllegalArgumentException when {@code SubjectRefPro} or {@code otherIds} is not shaped as PSC sends it
     */
    public static PscProfile from(JsonNode userInfo, Set<String> finess, boolean ansTestIdentities) {
        String subjectNameId = text(userInfo, "SubjectNameID");
        IdNat idNat = ansTestIdentities ? IdNat.parseAnsTestTool(subjectNameId) : IdNat.parse(subjectNameId);
        requireShape(userInfo);
        Set<String> professions = new LinkedHashSet<>();
        Set<String> savoirFaire = new LinkedHashSet<>();
        Set<String> structures = new LinkedHashSet<>();
        List<String> activities = new ArrayList<>();
        for (JsonNode exercice : userInfo.path("SubjectRefPro").path("exercices")) {
            addIfPresent(professions, text(exercice, "codeProfession"));
            addIfPresent(savoirFaire, text(exercice, "codeSavoirFaire"));
            for (JsonNode activity : exercice.path("activities")) {
                if (finess.contains(text(activity, "numeroFinessSite"))
                        || finess.contains(text(activity, "numeroFinessetablissementJuridique"))) {
                    addIfPresent(structures, text(activity, "identifiantTechniqueDeLaStructure"));
                    ObjectNode kept = activity.deepCopy();
                    kept.put("codeProfession", text(exercice, "codeProfession"));
                    activities.add(kept.toString());
                }
            }
        }
        String rpps = rpps(idNat, otherId(userInfo, "RPPS"));
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put(IDNAT, List.of(idNat.value()));
        attributes.put(RPPS, rpps == null ? List.of() : List.of(rpps));
        String civility = civility(userInfo);
        attributes.put(CIVILITY, civility == null ? List.of() : List.of(civility));
        attributes.put(PROFESSION, List.copyOf(professions));
        attributes.put(SAVOIR_FAIRE, List.copyOf(savoirFaire));
        attributes.put(STRUCTURE, List.copyOf(structures));
        attributes.put(ACTIVITY, List.copyOf(activities));
        return new PscProfile(idNat, text(userInfo, "given_name"), text(userInfo, "family_name"), attributes);
    }

    /**
     * PSC's {@code otherIds} RPPS entry holds the full 12-character idNat ({@code 8} + RPPS); the RPPS is
     * its last 11 digits, checked like any idNat, and must be the SubjectNameID's own when that is an RPPS.
     */
    private static String rpps(IdNat idNat, String otherIdsRpps) {
        if (otherIdsRpps == null) {
            return idNat.rpps().orElse(null);
        }
        IdNat fromOtherIds = IdNat.parse(otherIdsRpps);
        String rpps = fromOtherIds.rpps().orElseThrow(
                () -> new InvalidIdNatException("otherIds RPPS identifiant is not an RPPS idNat"));
        if (idNat.rpps().isPresent() && !idNat.rpps().get().equals(rpps)) {
            throw new InvalidIdNatException("otherIds RPPS differs from SubjectNameID's");
        }
        return rpps;
    }

    /** At the top level, else in SubjectRefPro, else in the first exercice that has one (DESIGN.md §3). */
    private static String civility(JsonNode userInfo) {
        String civility = text(userInfo, "codeCivilite");
        if (civility == null) {
            civility = text(userInfo.path("SubjectRefPro"), "codeCivilite");
        }
        for (JsonNode exercice : userInfo.path("SubjectRefPro").path("exercices")) {
            if (civility != null) {
                break;
            }
            civility = text(exercice, "codeCivilite");
        }
        return civility;
    }

    /** Fail closed on a structure PSC never sends: half-read practices would be stored as if complete. */
    private static void requireShape(JsonNode userInfo) {
        JsonNode ref = userInfo.path("SubjectRefPro");
        if (!ref.isMissingNode() && !ref.isNull()) {
            if (!ref.isObject()) {
                throw new IllegalArgumentException("SubjectRefPro is not an object");
            }
            JsonNode exercices = ref.path("exercices");
            if (!exercices.isMissingNode() && !exercices.isArray()) {
                throw new IllegalArgumentException("SubjectRefPro.exercices is not a list");
            }
            for (JsonNode exercice : exercices) {
                JsonNode activities = exercice.path("activities");
                if (!exercice.isObject() || (!activities.isMissingNode() && !activities.isArray())) {
                    throw new IllegalArgumentException("SubjectRefPro.exercices holds a malformed exercice");
                }
                for (JsonNode activity : activities) {
                    if (!activity.isObject()) {
                        throw new IllegalArgumentException("SubjectRefPro holds a malformed activity");
                    }
                }
            }
        }
        JsonNode otherIds = userInfo.path("otherIds");
        if (!otherIds.isMissingNode() && !otherIds.isNull() && !otherIds.isArray()) {
            throw new IllegalArgumentException("otherIds is not a list");
        }
    }

    private static String otherId(JsonNode userInfo, String origin) {
        for (JsonNode id : userInfo.path("otherIds")) {
            if (origin.equals(text(id, "origine"))) {
                return text(id, "identifiant");
            }
        }
        return null;
    }

    private static void addIfPresent(Set<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }

    /** A non-blank textual value, or null: numbers sent as JSON numbers are read as text too. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isValueNode() || value.isNull()) {
            return null;
        }
        String text = value.asText().trim();
        return text.isEmpty() ? null : text;
    }
}
