package fr.hcbroker.audit.report;

import fr.hcbroker.audit.AuditChain;
import java.util.List;

/**
 * How a person got in, as the compliance report counts it, derived from a record's amr, event and
 * details. Directory SSO, which the system does not produce yet, is recognised by the values its
 * producer is to write, and counts zero until then.
 */
public enum Means {
    PASSWORD("password", "Mot de passe seul", "Password alone"),
    PASSWORD_TOTP("password_totp", "Mot de passe + code TOTP", "Password + TOTP"),
    SECURITY_KEY("security_key", "Clé de sécurité", "Security key"),
    CPS_CARD("cps_card", "Carte CPS", "CPS card"),
    PSC_CARD("psc_card", "Pro Santé Connect, carte", "Pro Santé Connect, card"),
    PSC_MOBILE("psc_mobile", "Pro Santé Connect, e-CPS mobile", "Pro Santé Connect, e-CPS mobile"),
    DIRECTORY_SSO("directory_sso", "SSO annuaire (Kerberos)", "Directory SSO (Kerberos)"),
    EMERGENCY("emergency", "Accès d'urgence", "Emergency access"),
    UNKNOWN("unknown", "Non déterminé", "Not determined");

    /** Keycloak's alias of the Pro Santé Connect broker (realms/hospiconnect-realm.json). */
    static final String PSC_ALIAS = "pro-sante-connect";

    private final String id;
    private final String fr;
    private final String en;

    Means(String id, String fr, String en) {
        this.id = id;
        this.fr = fr;
        this.en = en;
    }

    /** The name in CSV and JSON. */
    public String id() {
        return id;
    }

    public String label(Lang lang) {
        return lang == Lang.FR ? fr : en;
    }

    /**
     * The means of one access or login. The card (amr {@code sc}) comes before the identity provider:
     * PSC with the card is a card. A gateway record does not name the identity provider, so a PSC card
     * login seen only by the gateway counts as a CPS card (the Keycloak login record says which).
     */
    static Means of(AuditChain.Written record) {
        String method = Tally.or(record.details().get("auth_method"), "");
        boolean psc = PSC_ALIAS.equals(record.details().get("identity_provider"));
        List<String> amr = record.amr();
        // An emergency session's login: the emergency step adds its reason to the login event.
        if (record.details().containsKey("emergency_reason") || method.equals("emergency")) {
            return EMERGENCY;
        }
        // wia: RFC 8176's Windows integrated authentication, what the realm's Kerberos step records.
        if (method.equals("kerberos") || method.equals("spnego") || amr.contains("wia") || amr.contains("kerberos")) {
            return DIRECTORY_SSO;
        }
        if (amr.contains("sc")) {
            return psc ? PSC_CARD : CPS_CARD;
        }
        if (psc || amr.contains("swk")) {
            return PSC_MOBILE;
        }
        if (amr.contains("hwk")) {
            return SECURITY_KEY;
        }
        if (amr.contains("otp")) {
            return PASSWORD_TOTP;
        }
        return amr.contains("pwd") ? PASSWORD : UNKNOWN;
    }
}
