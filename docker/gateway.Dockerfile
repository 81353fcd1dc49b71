# The hc-broker gateway. Build context: the repository root, after `mvn -B package -pl gateway -am`.
#   docker build -f docker/gateway.Dockerfile -t hc-broker/gateway .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 hc && mkdir -p /var/lib/hc/audit && chown hc /var/lib/hc/audit
COPY gateway/target/hc-gateway-0.9.0-app.jar /opt/hc/gateway.jar
COPY docker/gateway.yaml /etc/hc/gateway.yaml
USER hc
EXPOSE 8000
ENTRYPOINT ["java", "-jar", "/opt/hc/gateway.jar", "--config", "/etc/hc/gateway.yaml"]
