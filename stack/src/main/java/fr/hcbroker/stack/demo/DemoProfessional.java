package fr.hcbroker.stack.demo;

import fr.hcbroker.idnat.IdNat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.codec.binary.Base32;

/**
 * A demo professional: one person known to the hospiconnect realm, the PSC stand-in and the demo
 * card issuer under the same idNat_PS.
 *
 * @param username       Keycloak username
 * @param idNat          idNat_PS (test range 8997…)
 * @param givenName      given name (accents on purpose: headers must carry them intact)
 * @param familyName     family name
 * @param email          email
 * @param professionCode PSC/RPPS profession code (10 médecin, 21 pharmacien, 60 infirmier...)
 * @param professionLabel profession label as on the card ({@code T=} of the subject)
 * @param password       local password
 * @param totpSecret     raw TOTP secret as Keycloak stores it
 */
public record DemoProfessional(String username, String idNat, String givenName, String familyName, String email,
                               String professionCode, String professionLabel, String password, String totpSecret) {

    /** The people of the demo and of the end-to-end tests. */
    public static final List<DemoProfessional> ALL = List.of(
            new DemoProfessional("dr.martin", rpps("9970000001"), "Claire", "Martin", "claire.martin@demo.hc-broker.fr",
                    "10", "Médecin", "Demo-Martin-2026!", "hc-demo-martin-totp-01"),
            new DemoProfessional("inf.lefevre", rpps("9970000002"), "Hélène", "Lefèvre-Dupré",
                    "helene.lefevre@demo.hc-broker.fr", "60", "Infirmier", "Demo-Lefevre-2026!", "hc-demo-lefevre-totp-2"),
            new DemoProfessional("ph.nguyen", rpps("9970000003"), "Thanh", "Nguyen", "thanh.nguyen@demo.hc-broker.fr",
                    "21", "Pharmacien", "Demo-Nguyen-2026!", "hc-demo-nguyen-totp-003"));

    private static String rpps(String tenDigits) {
        return "8" + IdNat.withLuhnDigit(tenDigits);
    }

    /** The seed a person types into an authenticator app: base32 of the secret's bytes. */
    public String totpSeedBase32() {
        return new Base32().encodeAsString(totpSecret.getBytes(StandardCharsets.UTF_8)).replace("=", "");
    }
}
