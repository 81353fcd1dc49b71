package fr.hcbroker.keycloak.cps;

/** A card check that failed; carries the reason shown to the person and the detail for the log. */
public final class CpsRefusedException extends Exception {

    private final CpsRefusal refusal;

    public CpsRefusedException(CpsRefusal refusal, String detail) {
        super(refusal + ": " + detail);
        this.refusal = refusal;
    }

    public CpsRefusedException(CpsRefusal refusal, String detail, Throwable cause) {
        super(refusal + ": " + detail, cause);
        this.refusal = refusal;
    }

    public CpsRefusal refusal() {
        return refusal;
    }
}
