package fr.hcbroker.loa;

/**
 * Authentication method references (RFC 8176) used in tokens and identity headers (DESIGN.md §2).
 */
public enum Amr {
    PWD("pwd"),
    OTP("otp"),
    HWK("hwk"),
    SWK("swk"),
    SC("sc"),
    PIN("pin"),
    MFA("mfa");

    private final String value;

    Amr(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }
}
