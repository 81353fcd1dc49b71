package fr.hcbroker.keycloak.cps;

/** A parsed configuration and the validator built from it, kept while the admin's settings are unchanged. */
public record CpsSettings(CpsConfig config, ChainValidator chain) {

    public static CpsSettings of(CpsConfig config) {
        return new CpsSettings(config, new ChainValidator(config));
    }
}
