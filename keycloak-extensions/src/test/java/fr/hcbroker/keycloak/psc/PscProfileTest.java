package fr.hcbroker.keycloak.psc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.idnat.InvalidIdNatException;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PscProfileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A userinfo shaped as DESIGN.md §3: a pharmacist with an activity here and one elsewhere. */
    private static JsonNode pharmacist() throws Exception {
        return JSON.readTree("""
            {"sub": "f:abc", "SubjectNameID": "810002813839", "given_name": "Thanh", "family_name": "Nguyen",
             "codeCivilite": "M", "SubjectRole": ["21^1.2.250.1.213.1.1.5.5"],
             "otherIds": [{"identifiant": "10002813839", "origine": "RPPS", "qualite": 1}],
             "SubjectRefPro": {"exercices": [{"codeProfession": "21", "codeSavoirFaire": "PH01",
                "activities": [
                  {"numeroFinessSite": "750712184", "numeroFinessetablissementJuridique": "750712176",
                   "identifiantTechniqueDeLaStructure": "F750712184", "codeModeExercice": "S"},
                  {"numeroFinessSite": "130781234", "numeroFinessetablissementJuridique": "130781200",
                   "identifiantTechniqueDeLaStructure": "F130781234", "codeModeExercice": "L"}]}]}}
            """);
    }

    @Test
    @DisplayName("keeps identifier, names, civility, profession and savoir-faire")
    void mapsTheIdentity() throws Exception {
        PscProfile profile = PscProfile.from(pharmacist(), Set.of("750712184"));
        assertThat(profile.idNat().value()).isEqualTo("810002813839");
        assertThat(profile.givenName()).isEqualTo("Thanh");
        assertThat(profile.familyName()).isEqualTo("Nguyen");
        assertThat(profile.attributes().get(PscProfile.RPPS)).containsExactly("10002813839");
        assertThat(profile.attributes().get(PscProfile.CIVILITY)).containsExactly("M");
        assertThat(profile.attributes().get(PscProfile.PROFESSION)).containsExactly("21");
        assertThat(profile.attributes().get(PscProfile.SAVOIR_FAIRE)).containsExactly("PH01");
    }

    @Test
    @DisplayName("keeps only the activities at one of the configured FINESS, by site or legal entity")
    void filtersActivitiesByFiness() throws Exception {
        assertThat(PscProfile.from(pharmacist(), Set.of("750712184")).attributes().get(PscProfile.STRUCTURE))
                .containsExactly("F750712184");
        assertThat(PscProfile.from(pharmacist(), Set.of("130781200")).attributes().get(PscProfile.STRUCTURE))
                .containsExactly("F130781234");
        PscProfile none = PscProfile.from(pharmacist(), Set.of());
        assertThat(none.attributes().get(PscProfile.STRUCTURE)).isEmpty();
        assertThat(none.attributes().get(PscProfile.ACTIVITY)).isEmpty();
        assertThat(PscProfile.from(pharmacist(), Set.of("750712184")).attributes().get(PscProfile.ACTIVITY))
                .singleElement().asString().contains("750712184").contains("\"codeProfession\":\"21\"");
    }

    @ParameterizedTest(name = "SubjectNameID {0} is refused")
    @ValueSource(strings = {"\"\"", "\"810002813838\"", "\"8100028138390\"", "\"admin\"", "null", "\"81000281383\\n9\""})
    void refusesAnythingButAnIdNat(String subjectNameId) throws Exception {
        JsonNode userInfo = JSON.readTree("{\"SubjectNameID\": " + subjectNameId + "}");
        assertThatThrownBy(() -> PscProfile.from(userInfo, Set.of())).isInstanceOf(InvalidIdNatException.class);
    }

    @Test
    @DisplayName("an ADELI professional has no RPPS unless otherIds gives one")
    void rppsFromOtherIds() throws Exception {
        JsonNode adeli = JSON.readTree("{\"SubjectNameID\": \"0123456789\"}");
        assertThat(PscProfile.from(adeli, Set.of()).attributes().get(PscProfile.RPPS)).isEmpty();
    }
}
