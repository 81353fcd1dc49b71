package fr.hcbroker.audit.report;

/** The strongest factor a person owns, weakest first (the order of the constants is the order of strength). */
public enum Factor {
    NONE("none", "Aucun second facteur", "No second factor"),
    TOTP("totp", "Code TOTP", "TOTP"),
    SECURITY_KEY("security_key", "Clé de sécurité", "Security key"),
    CARD("card", "Carte CPS", "CPS card"),
    PSC("psc", "Pro Santé Connect", "Pro Santé Connect");

    private final String id;
    private final String fr;
    private final String en;

    Factor(String id, String fr, String en) {
        this.id = id;
        this.fr = fr;
        this.en = en;
    }

    public String id() {
        return id;
    }

    public String label(Lang lang) {
        return lang == Lang.FR ? fr : en;
    }

    /** What using a means shows the person owns. */
    static Factor shownBy(Means means) {
        return switch (means) {
            case PASSWORD_TOTP -> TOTP;
            case SECURITY_KEY -> SECURITY_KEY;
            case CPS_CARD -> CARD;
            case PSC_CARD, PSC_MOBILE -> PSC;
            default -> NONE;
        };
    }

    static Factor stronger(Factor a, Factor b) {
        return a == null ? b : b == null || a.compareTo(b) >= 0 ? a : b;
    }
}
