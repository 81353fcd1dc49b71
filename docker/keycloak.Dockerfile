# Keycloak with the hc-broker providers and theme, optimized for PostgreSQL and a clustered cache.
# Build context: the repository root, after `mvn -B package -pl stack -am` (which fills the providers folder).
#   docker build -f docker/keycloak.Dockerfile -t hc-broker/keycloak .
FROM quay.io/keycloak/keycloak:26.7.3 AS builder
ENV KC_DB=postgres \
    KC_CACHE=ispn \
    KC_CACHE_STACK=jdbc-ping \
    KC_HEALTH_ENABLED=true \
    KC_METRICS_ENABLED=true \
    KC_HTTPS_CLIENT_AUTH=request \
    KC_SPI_X509CERT_LOOKUP__PROVIDER=hc-card
COPY stack/target/keycloak-dist/keycloak-26.7.3/providers/ /opt/keycloak/providers/
RUN /opt/keycloak/bin/kc.sh build

FROM quay.io/keycloak/keycloak:26.7.3
COPY --from=builder /opt/keycloak/ /opt/keycloak/
COPY realms/ /opt/keycloak/data/import/
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized", "--import-realm"]
