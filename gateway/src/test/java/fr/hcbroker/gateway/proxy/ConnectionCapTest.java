package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The cap on one address's open connections")
class ConnectionCapTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> reports = new ArrayList<>();
    private final ConnectionCap cap = new ConnectionCap(() -> 3, Set.of("10.0.0.7")::contains,
            (address, refused) -> reports.add(address + " x" + refused), now::get);

    @Test
    void anAddressPastTheCapIsRefusedWhileOthersAreNot() {
        for (int i = 0; i < 3; i++) {
            assertThat(cap.opened("192.0.2.1")).isTrue();
        }
        assertThat(cap.opened("192.0.2.1")).isFalse();
        assertThat(cap.opened("192.0.2.2")).isTrue();
        assertThat(cap.openConnections()).isEqualTo(4);
        cap.closed("192.0.2.1");
        assertThat(cap.opened("192.0.2.1")).as("a closed connection frees its place").isTrue();
    }

    @Test
    void aFloodIsReportedOncePerAddressPerMinuteWithItsCount() {
        for (int i = 0; i < 3; i++) {
            cap.opened("192.0.2.1");
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(cap.opened("192.0.2.1")).isFalse();
        }
        assertThat(reports).as("the first refusal is reported at once, the rest of the minute is not")
                .containsExactly("192.0.2.1 x1");
        now.addAndGet(ConnectionCap.REPORT_EVERY_NANOS);
        cap.opened("192.0.2.1");
        assertThat(reports).as("a minute later: one report counting every refusal since")
                .containsExactly("192.0.2.1 x1", "192.0.2.1 x1000");
    }

    @Test
    void closingEveryConnectionForgetsTheAddress() {
        cap.opened("192.0.2.1");
        cap.opened("192.0.2.1");
        cap.closed("192.0.2.1");
        cap.closed("192.0.2.1");
        cap.closed("192.0.2.1");
        assertThat(cap.openConnections()).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(cap.opened("192.0.2.1")).as("a stray close never raises the allowance").isTrue();
        }
        assertThat(cap.opened("192.0.2.1")).isFalse();
    }
}
