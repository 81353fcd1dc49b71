package fr.hcbroker.keycloak.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keycloak.storage.ldap.idm.model.LDAPObject;

class IdNatLdapMapperTest {

    private static LDAPObject entry(String... values) {
        LDAPObject entry = new LDAPObject();
        entry.setAttribute("employeeID", Set.of(values));
        return entry;
    }

    @Test
    void anRppsIdNatIsKeptWithItsRpps() {
        IdNatLdapMapper.Read read = IdNatLdapMapper.read(entry("810002813839"), "employeeID");
        assertThat(read.error()).isNull();
        assertThat(read.idNat().value()).isEqualTo("810002813839");
        assertThat(read.idNat().rpps()).contains("10002813839");
    }

    @Test
    void anEntryWithoutTheAttributeHasNoIdNatAndIsNotRefused() {
        IdNatLdapMapper.Read read = IdNatLdapMapper.read(new LDAPObject(), "employeeID");
        assertThat(read.idNat()).isNull();
        assertThat(read.error()).isNull();
    }

    /** What an AD admin can type by mistake, or an attacker with write access to one attribute. */
    @ParameterizedTest
    @ValueSource(strings = {"81234567890", "812345678901", "8123456789O1", "810002813839 ", " 810002813839",
            "8100028138390", "x' OR 1=1", "*", "810002813839\u0000", "８１０００２８１３８３９", "9" + "11111111111", ""})
    void aMalformedValueIsRefusedNamingTheAttribute(String hostile) {
        IdNatLdapMapper.Read read = IdNatLdapMapper.read(entry(hostile), "employeeID");
        assertThat(read.idNat()).isNull();
        assertThat(read.error()).startsWith("employeeID");
    }

    @Test
    void twoValuesAreRefused() {
        IdNatLdapMapper.Read read = IdNatLdapMapper.read(entry("810002813839", "899700000013"), "employeeID");
        assertThat(read.error()).contains("2 values");
    }
}
