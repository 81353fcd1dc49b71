# Keycloak with the hc-broker providers and theme, optimized for PostgreSQL and a clustered cache.
# Build context: the repository root, after `mvn -B package -pl stack -am` (which fills the providers folder).
#   docker build -f docker/keycloak.Dockerfile -t hc-broker/keycloak .
FROM quay.io/keycloak/keycloak:26.7.3 AS builder
ENV KC_DB=postgres \
    KC_CACHE=ispn \
    KC_CACHE_STACK=jdbc-ping \
    KC_HEALTH_ENABLED=true \
    KC_METRICS_ENABLED=true \
    KC_EVENT_METRICS_USER_ENABLED=true \
    KC_HTTPS_CLIENT_AUTH=request \
    KC_SPI_X509CERT_LOOKUP__PROVIDER=hc-card
COPY stack/target/keycloak-dist/keycloak-26.7.3/providers/ /opt/keycloak/providers/
# hc-psc-stand-in.jar serves only the test stack's Pro Santé Connect stand-in: not in the image.
# The audit listener's directory, made here as the keycloak user: compose mounts a volume on it.
RUN rm -f /opt/keycloak/providers/hc-psc-stand-in.jar \
    && /opt/keycloak/bin/kc.sh build && mkdir -p /opt/keycloak/data/audit

FROM quay.io/keycloak/keycloak:26.7.3
COPY --from=builder /opt/keycloak/ /opt/keycloak/
# The hospiconnect template only: esante-wallet-realm.json is the demo's Pro Santé Connect stand-in,
# whose users could claim any level or profession, and must never run beside a production realm.
COPY realms/hospiconnect-realm.json /opt/keycloak/data/import/
ENV KC_SPI_EVENTS_LISTENER__HC_AUDIT__DIR=/opt/keycloak/data/audit
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized", "--import-realm"]
