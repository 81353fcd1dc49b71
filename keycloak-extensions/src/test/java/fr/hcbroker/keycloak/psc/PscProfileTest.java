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
             "otherIds": [{"identifiant": "810002813839", "origine": "RPPS", "qualite": 1}],
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
        PscProfile profile = PscProfile.from(pharmacist(), Set.of("750712184"), false);
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
        assertThat(PscProfile.from(pharmacist(), Set.of("750712184"), false).attributes().get(PscProfile.STRUCTURE))
                .containsExactly("F750712184");
        assertThat(PscProfile.from(pharmacist(), Set.of("130781200"), false).attributes().get(PscProfile.STRUCTURE))
                .containsExactly("F130781234");
        PscProfile none = PscProfile.from(pharmacist(), Set.of(), false);
        assertThat(none.attributes().get(PscProfile.STRUCTURE)).isEmpty();
        assertThat(none.attributes().get(PscProfile.ACTIVITY)).isEmpty();
        assertThat(PscProfile.from(pharmacist(), Set.of("750712184"), false).attributes().get(PscProfile.ACTIVITY))
                .singleElement().asString().contains("750712184").contains("\"codeProfession\":\"21\"");
    }

    @ParameterizedTest(name = "SubjectNameID {0} is refused")
    @ValueSource(strings = {"\"\"", "\"810002813838\"", "\"8100028138390\"", "\"admin\"", "null", "\"81000281383\\n9\""})
    void refusesAnythingButAnIdNat(String subjectNameId) throws Exception {
        JsonNode userInfo = JSON.readTree("{\"SubjectNameID\": " + subjectNameId + "}");
        assertThatThrownBy(() -> PscProfile.from(userInfo, Set.of(), false)).isInstanceOf(InvalidIdNatException.class);
    }

    @Test
    @DisplayName("an ADELI professional has no RPPS unless otherIds gives one")
    void rppsFromOtherIds() throws Exception {
        JsonNode adeli = JSON.readTree("{\"SubjectNameID\": \"0123456789\"}");
        assertThat(PscProfile.from(adeli, Set.of(), false).attributes().get(PscProfile.RPPS)).isEmpty();
    }

    @Test
    @DisplayName("otherIds RPPS is the 12-character idNat: the RPPS is its last 11 digits")
    void rppsFromTwelveCharacterIdNat() throws Exception {
        JsonNode adeli = JSON.readTree("""
            {"SubjectNameID": "0123456789", "otherIds": [{"identifiant": "810002813839", "origine": "RPPS"}]}""");
        assertThat(PscProfile.from(adeli, Set.of(), false).attributes().get(PscProfile.RPPS)).containsExactly("10002813839");
    }

    @ParameterizedTest(name = "otherIds RPPS {0} is refused")
    @ValueSource(strings = {"10002813839", "810002813838", "0123456789", "899700000000", "8100028138391"})
    void refusesAnRppsThatFailsItsCheckOrNamesAnother(String identifiant) throws Exception {
        JsonNode userInfo = JSON.readTree("{\"SubjectNameID\": \"810002813839\", \"otherIds\": [{\"identifiant\": \""
                + identifiant + "\", \"origine\": \"RPPS\"}]}");
        assertThatThrownBy(() -> PscProfile.from(userInfo, Set.of(), false)).isInstanceOf(InvalidIdNatException.class);
    }

    @Test
    @DisplayName("codeCivilite from the top level, else SubjectRefPro, else the first exercice that has one")
    void civilityFromWhereverPscPutsIt() throws Exception {
        JsonNode nested = JSON.readTree("""
            {"SubjectNameID": "810002813839", "SubjectRefPro": {"exercices": [
              {"codeProfession": "10"}, {"codeProfession": "10", "codeCivilite": "DR"}]}}""");
        assertThat(PscProfile.from(nested, Set.of(), false).attributes().get(PscProfile.CIVILITY)).containsExactly("DR");
        JsonNode none = JSON.readTree("{\"SubjectNameID\": \"810002813839\"}");
        assertThat(PscProfile.from(none, Set.of(), false).attributes().get(PscProfile.CIVILITY)).isEmpty();
    }

    @ParameterizedTest(name = "malformed: {0}")
    @ValueSource(strings = {
        "\"SubjectRefPro\": \"{}\"", "\"SubjectRefPro\": []", "\"SubjectRefPro\": {\"exercices\": {}}",
        "\"SubjectRefPro\": {\"exercices\": [1]}", "\"SubjectRefPro\": {\"exercices\": [{\"activities\": \"x\"}]}",
        "\"SubjectRefPro\": {\"exercices\": [{\"activities\": [\"x\"]}]}", "\"otherIds\": {\"origine\": \"RPPS\"}"})
    void refusesAMalformedStructure(String field) throws Exception {
        JsonNode userInfo = JSON.readTree("{\"SubjectNameID\": \"810002813839\", " + field + "}");
        assertThatThrownBy(() -> PscProfile.from(userInfo, Set.of(), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("ANS test-tool identities (ANS + 14 digits) only where the caller allows them (BAS, never production)")
    void ansTestToolIdentities() throws Exception {
        JsonNode tool = JSON.readTree("{\"SubjectNameID\": \"ANS20231122132732\"}");
        assertThatThrownBy(() -> PscProfile.from(tool, Set.of(), false)).isInstanceOf(InvalidIdNatException.class);
        PscProfile profile = PscProfile.from(tool, Set.of(), true);
        assertThat(profile.idNat().value()).isEqualTo("ANS20231122132732");
        assertThat(profile.attributes().get(PscProfile.RPPS)).isEmpty();
        for (String forged : new String[] {"ANS2023112213273", "ANS202311221327321", "ans20231122132732", "ANS2023112213273X"}) {
            JsonNode userInfo = JSON.readTree("{\"SubjectNameID\": \"" + forged + "\"}");
            assertThatThrownBy(() -> PscProfile.from(userInfo, Set.of(), true)).as(forged)
                    .isInstanceOf(InvalidIdNatException.class);
        }
        assertThat(PscSettings.from(java.util.Map.of(PscSettings.ENVIRONMENT, "SANDBOX_BAS")).acceptsAnsTestIdentities()).isTrue();
        assertThat(PscSettings.from(java.util.Map.of()).acceptsAnsTestIdentities()).isFalse();
    }
}
