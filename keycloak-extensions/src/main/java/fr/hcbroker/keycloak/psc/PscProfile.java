package fr.hcbroker.keycloak.psc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.idnat.IdNat;
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
     * @throws fr.hcbroker.idnat.InvalidIdNatException when SubjectNameID is absent or not an idNat_PS
     */
    public static PscProfile from(JsonNode userInfo, Set<String> finess) {
        IdNat idNat = IdNat.parse(text(userInfo, "SubjectNameID"));
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
        String rpps = idNat.rpps().orElseGet(() -> otherId(userInfo, "RPPS"));
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put(IDNAT, List.of(idNat.value()));
        attributes.put(RPPS, rpps == null ? List.of() : List.of(rpps));
        String civility = text(userInfo, "codeCivilite");
        if (civility == null) {
            civility = text(userInfo.path("SubjectRefPro"), "codeCivilite");
        }
        attributes.put(CIVILITY, civility == null ? List.of() : List.of(civility));
        attributes.put(PROFESSION, List.copyOf(professions));
        attributes.put(SAVOIR_FAIRE, List.copyOf(savoirFaire));
        attributes.put(STRUCTURE, List.copyOf(structures));
        attributes.put(ACTIVITY, List.copyOf(activities));
        return new PscProfile(idNat, text(userInfo, "given_name"), text(userInfo, "family_name"), attributes);
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
