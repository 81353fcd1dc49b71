package fr.hcbroker.keycloak.cps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fr.hcbroker.idnat.IdNat;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CardSubjectTest {

    private static X500Name card(String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addMultiValuedRDN(new AttributeTypeAndValue[]{
                        new AttributeTypeAndValue(BCStyle.CN, new DERUTF8String(cn)),
                        new AttributeTypeAndValue(BCStyle.SURNAME, new DERUTF8String("LEFÈVRE-DUPRÉ")),
                        new AttributeTypeAndValue(BCStyle.GIVENNAME, new DERUTF8String("HÉLÈNE"))})
                .addRDN(BCStyle.T, "Infirmier").addRDN(BCStyle.C, "FR").build();
    }

    @Test
    void readsTheMultiValuedRdnOfARealShapedCard() throws Exception {
        CardSubject subject = CardSubject.of(new X500Name("CN=810002813839+SURNAME=DONNAT-GADY+GIVENNAME=ISABELLE,T=Médecin,C=FR"));
        assertThat(subject.idNat()).isEqualTo(new IdNat("810002813839", IdNat.Kind.RPPS));
        assertThat(subject.familyName()).contains("DONNAT-GADY");
        assertThat(subject.givenName()).contains("ISABELLE");
        assertThat(subject.profession()).contains("Médecin");
    }

    @Test
    void keepsAccentsAndHyphensIntact() throws Exception {
        CardSubject subject = CardSubject.of(card("0751234567"));
        assertThat(subject.idNat().kind()).isEqualTo(IdNat.Kind.ADELI);
        assertThat(subject.familyName()).contains("LEFÈVRE-DUPRÉ");
        assertThat(subject.givenName()).contains("HÉLÈNE");
    }

    @Test
    void readsStaffCardIdentifiers() throws Exception {
        assertThat(CardSubject.of(card("3760021832/000000018")).idNat().kind()).isEqualTo(IdNat.Kind.STRUCTURE_STAFF);
    }

    @ParameterizedTest(name = "CN \"{0}\" is refused")
    @ValueSource(strings = {"810002813838", "81000281383", "ISABELLE", "810002813839 ", "８10002813839", ""})
    void refusesCommonNamesThatAreNoIdNat(String cn) {
        assertThatThrownBy(() -> CardSubject.of(card(cn)))
                .isInstanceOfSatisfying(CpsRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(CpsRefusal.BAD_SUBJECT));
    }

    @Test
    void refusesASubjectWithTwoCommonNames() {
        assertThatThrownBy(() -> CardSubject.of(new X500Name("CN=810002813839+CN=899700000011,C=FR")))
                .isInstanceOfSatisfying(CpsRefusedException.class, e -> assertThat(e.refusal()).isEqualTo(CpsRefusal.BAD_SUBJECT));
    }
}
