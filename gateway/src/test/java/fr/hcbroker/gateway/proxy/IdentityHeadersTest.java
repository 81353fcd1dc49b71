package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Incoming identity headers are stripped")
class IdentityHeadersTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"X-HC-User", "x-hc-user", "X-Hc-IdNat", "X_HC_USER", "x_hc-LoA", "X-HC-Assertion",
            "X-HC-", "X-HC-Anything-New", "REMOTE_USER", "remote-user", "Remote_User"})
    void everySpellingIsRemoved(String name) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                .add(name, "forged").add(name, "forged twice").add("Accept", "text/html");
        IdentityHeaders.strip(headers, Set.of("REMOTE_USER"));
        assertThat(headers.names()).containsExactly("Accept");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"X-Request-Id", "X-HCX", "Remote-Addr", "Authorization-HC"})
    void otherHeadersAreKept(String name) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(name, "v");
        IdentityHeaders.strip(headers, Set.of("REMOTE_USER"));
        assertThat(headers.contains(name)).isTrue();
    }
}
