package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class LastResultTest {

    private final List<String> computed = new ArrayList<>();
    private final Function<String, String> upper = argument -> {
        computed.add(argument);
        return argument == null ? null : argument.toUpperCase();
    };

    @Test
    void anEqualArgumentReusesTheResultAndAnotherComputesItAgain() {
        LastResult<String, String> last = new LastResult<>();
        assertThat(last.of("a; b", upper)).isEqualTo("A; B");
        assertThat(last.of(new String("a; b"), upper)).isEqualTo("A; B");
        assertThat(last.of("c", upper)).isEqualTo("C");
        assertThat(last.of("a; b", upper)).isEqualTo("A; B");
        assertThat(computed).containsExactly("a; b", "c", "a; b");
    }

    @Test
    void noArgumentIsNeverRemembered() {
        LastResult<String, String> last = new LastResult<>();
        assertThat(last.of(null, upper)).isNull();
        assertThat(last.of(null, upper)).isNull();
        assertThat(computed).hasSize(2);
    }
}
