package fr.hcbroker.keycloak.cps;

import fr.hcbroker.idnat.IdNat;
import fr.hcbroker.idnat.InvalidIdNatException;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The person named by a CPS card certificate (DESIGN.md §4): subject
 * {@code CN=idNat+SN=surname+GN=given name, T=profession, C=FR}; CN sits in a multi-valued RDN, so
 * the subject is read attribute by attribute with Bouncy Castle, never by splitting strings.
 */
public record CardSubject(IdNat idNat, Optional<String> familyName, Optional<String> givenName,
                          Optional<String> profession) {

    public static CardSubject of(X500Name subject) throws CpsRefusedException {
        String cn = single(subject, BCStyle.CN)
                .orElseThrow(() -> new CpsRefusedException(CpsRefusal.BAD_SUBJECT, "subject has no single CN"));
        try {
            return new CardSubject(IdNat.parse(cn), single(subject, BCStyle.SURNAME),
                    single(subject, BCStyle.GIVENNAME), single(subject, BCStyle.T));
        } catch (InvalidIdNatException e) {
            throw new CpsRefusedException(CpsRefusal.BAD_SUBJECT, e.getMessage(), e);
        }
    }

    /** The attribute's value when it occurs exactly once, in any RDN (single- or multi-valued). */
    private static Optional<String> single(X500Name name, ASN1ObjectIdentifier type) {
        String found = null;
        for (RDN rdn : name.getRDNs()) {
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(type)) {
                    if (found != null) {
                        return Optional.empty();
                    }
                    found = atv.getValue() instanceof ASN1String text
                            ? text.getString() : IETFUtils.valueToString(atv.getValue());
                }
            }
        }
        return Optional.ofNullable(found).filter(v -> !v.isBlank());
    }
}
