package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The app's answer: what reaches the browser, on every relay")
class AnswerPolicyTest {

    private static final Set<String> OWN = Set.of("hc_session", "hc_login");

    @ParameterizedTest(name = "[{index}] {0}: {1} (upgrade {2}) -> {3}")
    @CsvSource(delimiter = ';', value = {
            "Content-Type; text/html; false; true",
            "Connection; close; false; false",
            "CONNECTION; keep-alive; false; false",
            "Keep-Alive; timeout=5; false; false",
            "Transfer-Encoding; chunked; false; false",
            "TE; trailers; false; false",
            "Trailer; X-Checksum; false; false",
            "Upgrade; websocket; false; false",
            "Proxy-Authenticate; Basic; false; false",
            "Proxy-Connection; close; false; false",
            "Upgrade; websocket; true; true",
            "Connection; Upgrade; true; true",
            "Set-Cookie; 'app=1; Path=/'; false; true",
            "Set-Cookie; 'hc_session=forged; Path=/'; false; false",
            "set-cookie; hc_login=x; false; false",
            "Set-Cookie; ' hc_session = forged'; false; false",
            "Set-Cookie; =hc_session=forged; false; false",
            "Set-Cookie; '= =hc_session=forged'; false; false",
            "Set-Cookie; hc_session; false; false",
            "Set-Cookie; hc_session=forged; true; false",
            "Set-Cookie; hc_sessionx=1; false; true",
            "Set-Cookie; HC_SESSION=1; false; true"})
    void aHeaderIsRelayedUnlessItIsTheConnectionsOrSetsTheGatewaysCookie(String name, String value, boolean upgrade,
                                                                       boolean relayed) {
        assertThat(AnswerPolicy.relayed(name, value, OWN, upgrade)).isEqualTo(relayed);
    }

    @ParameterizedTest(name = "[{index}] personal={0} status={1} appSetOne={2} type={3} -> {4}")
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "true; 200; false; text/html; private, no-store",
            "true; 200; false; -; private, no-store",
            "true; 200; false; image/png; private, no-store",
            "true; 200; false; application/pdf; private, no-store",
            "true; 200; false; text/css; private",
            "true; 200; false; ' Text/CSS; charset=utf-8'; private",
            "true; 200; false; application/javascript; private",
            "true; 200; false; font/woff2; private",
            "true; 404; false; text/html; private, no-store",
            "true; 304; false; -; -",
            "true; 200; true; text/html; -",
            "false; 200; false; text/html; -"})
    void aPersonalAnswerThatSaysNothingOfCachingIsNotStored(boolean personal, int status, boolean appSetOne,
                                                          String contentType, String expected) {
        CharSequence set = AnswerPolicy.cacheControl(personal, status, appSetOne, contentType);
        assertThat(set == null ? null : set.toString()).isEqualTo(expected);
    }
}
