# The demo legacy app (it echoes the headers it receives). Build context: the repository root, after
# `mvn -B package -pl stack -am`.
#   docker build -f docker/demo-app.Dockerfile -t hc-broker/demo-app .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10002 app
COPY stack/target/hc-stack-0.9.0-app.jar /opt/hc/stack.jar
USER app
EXPOSE 8080
ENTRYPOINT ["java", "-cp", "/opt/hc/stack.jar", "fr.hcbroker.stack.demoapp.DemoLegacyApp", "8080"]
