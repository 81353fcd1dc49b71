package fr.hcbroker.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.MultiMap;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The header contract (DESIGN.md §5)")
class HeaderContractTest {

    static final Session SESSION = new Session("corr-1", "sub-1", "sid-1", "inf.lefevre", "899700000021", "Hélène",
            "Lefèvre-Dupré", "helene@x.fr", List.of("60"), List.of("750712184"), Set.of("nurse", "ehr:reader"),
            Level.SUBSTANTIAL, List.of("pwd", "otp", "mfa"), 0);

    static RouteConfig route(Map<String, String> renamed, Set<String> dropped, Set<String> roles) {
        return new RouteConfig("app", null, "/", URI.create("http://127.0.0.1:1"), Level.SUBSTANTIAL, List.of(),
                roles, Set.of(), renamed, dropped, false);
    }

    @Nested
    @DisplayName("stripping incoming headers")
    class Stripping {
        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"X-HC-User", "x-hc-user", "X-Hc-IdNat", "X_HC_USER", "x_hc-LoA", "X-HC-Assertion",
                "X-HC-Emergency", "x_hc_emergency", "X-HC-Emergency-Reason", "X_Hc-EMERGENCY_reason",
                "X-HC-", "X-HC-Anything-New", "REMOTE_USER", "remote-user", "Remote_User"})
        void everySpellingAndEveryDuplicateIsRemoved(String name) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap()
                    .add(name, "forged").add(name, "forged twice").add("Accept", "text/html");
            HeaderContract.strip(headers, Set.of("REMOTE_USER"));
            assertThat(headers.names()).containsExactly("Accept");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"X-Request-Id", "X-HCX", "Remote-Addr", "Authorization-HC"})
        void otherHeadersAreKept(String name) {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap().add(name, "v");
            HeaderContract.strip(headers, Set.of("REMOTE_USER"));
            assertThat(headers.contains(name)).isTrue();
        }
    }

    @Nested
    @DisplayName("injecting the session's headers")
    class Injecting {
        @Test
        void everyContractHeaderIsSetWithNamesPercentEncoded() {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            HeaderContract.inject(headers, SESSION, route(Map.of(), Set.of(), Set.of()), "jwt");
            assertThat(headers.get("X-HC-User")).isEqualTo("inf.lefevre");
            assertThat(headers.get("X-HC-IdNat")).isEqualTo("899700000021");
            assertThat(headers.get("X-HC-RPPS")).isEqualTo("99700000021");
            assertThat(headers.get("X-HC-Given-Name")).isEqualTo("H%C3%A9l%C3%A8ne");
            assertThat(headers.get("X-HC-Family-Name")).isEqualTo("Lef%C3%A8vre-Dupr%C3%A9");
            assertThat(headers.get("X-HC-Profession")).isEqualTo("60");
            assertThat(headers.get("X-HC-Structure")).isEqualTo("750712184");
            assertThat(headers.get("X-HC-Roles")).isEqualTo("ehr:reader,nurse");
            assertThat(headers.get("X-HC-LoA")).isEqualTo("eidas2");
            assertThat(headers.get("X-HC-AMR")).isEqualTo("pwd,otp,mfa");
            assertThat(headers.get("X-HC-Session")).isEqualTo("corr-1");
            assertThat(headers.get("X-HC-Assertion")).isEqualTo("jwt");
        }

        @Test
        @DisplayName("an emergency session sends X-HC-Emergency and its reason; an ordinary one sends neither")
        void emergencyHeadersOnlyOnAnEmergencySession() {
            MultiMap ordinary = MultiMap.caseInsensitiveMultiMap();
            HeaderContract.inject(ordinary, SESSION, route(Map.of(), Set.of(), Set.of()), "jwt");
            assertThat(ordinary.names()).noneMatch(name -> name.toLowerCase().startsWith("x-hc-emergency"));
            Session emergency = new Session("corr-2", "sub-1", "sid-2", "inf.lefevre", "899700000021", "Hélène",
                    "Lefèvre-Dupré", null, List.of("60"), List.of(), Set.of(), Level.LOW, List.of("pwd"), 0, (String) null, 0,
                    new Session.Emergency("urgence-vitale", 1_800_000_000L));
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            HeaderContract.inject(headers, emergency, route(Map.of(), Set.of(), Set.of()), "jwt");
            assertThat(headers.get("X-HC-Emergency")).isEqualTo("true");
            assertThat(headers.get("X-HC-Emergency-Reason")).isEqualTo("urgence-vitale");
            assertThat(headers.get("X-HC-LoA")).isEqualTo("eidas1");
            // Contract headers like the others: a route may rename or drop them.
            assertThat(HeaderContract.canonical("x_hc_emergency_reason")).isEqualTo("X-HC-Emergency-Reason");
            MultiMap renamed = MultiMap.caseInsensitiveMultiMap();
            HeaderContract.inject(renamed, emergency, route(Map.of("X-HC-Emergency", "BREAK_GLASS"),
                    Set.of("X-HC-Emergency-Reason"), Set.of()), "jwt");
            assertThat(renamed.get("BREAK_GLASS")).isEqualTo("true");
            assertThat(renamed.contains("X-HC-Emergency-Reason")).isFalse();
        }

        @Test
        void aRouteRenamesAndDropsHeadersAndSeesOnlyTheRolesItAsksFor() {
            MultiMap headers = MultiMap.caseInsensitiveMultiMap();
            HeaderContract.inject(headers, SESSION,
                    route(Map.of("X-HC-User", "REMOTE_USER"), Set.of("X-HC-Email"), Set.of("nurse")), "jwt");
            assertThat(headers.get("REMOTE_USER")).isEqualTo("inf.lefevre");
            assertThat(headers.contains("X-HC-User")).isFalse();
            assertThat(headers.contains("X-HC-Email")).isFalse();
            assertThat(headers.get("X-HC-Roles")).isEqualTo("nurse");
        }
    }

    static Stream<Arguments> hostileValues() {
        return Stream.of(
                Arguments.of("Hélène Lefèvre-Dupré", "H%C3%A9l%C3%A8ne Lef%C3%A8vre-Dupr%C3%A9"),
                Arguments.of("a\r\nX-HC-User: admin", "a%0D%0AX-HC-User: admin"),
                Arguments.of("nul\u0000byte", "nul%00byte"),
                Arguments.of("100%", "100%25"),
                Arguments.of("tab\there", "tab%09here"),
                Arguments.of("ascii stays", "ascii stays"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("hostileValues")
    void valuesCannotCarryControlsAndDecodeBackExactly(String raw, String encoded) {
        String value = HeaderValues.encode(raw);
        assertThat(value).isEqualTo(encoded).doesNotContain("\r", "\n", "\u0000");
        assertThat(java.net.URLDecoder.decode(value.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(raw);
    }
}
