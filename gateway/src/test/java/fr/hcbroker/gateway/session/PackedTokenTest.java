package fr.hcbroker.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.loa.Level;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

@DisplayName("A session's refresh token kept packed, given back exactly as issued")
class PackedTokenTest {

    private static String jwtLike(int payloadBytes) {
        Random random = new Random(payloadBytes);
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        byte[] payload = new byte[payloadBytes];
        byte[] signature = new byte[64];
        random.nextBytes(payload);
        random.nextBytes(signature);
        return url.encodeToString("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"a5b7\"}".getBytes()) + "."
                + url.encodeToString(payload) + "." + url.encodeToString(signature);
    }

    @Test
    @DisplayName("a Keycloak-sized JWT comes back the same, in about three quarters of its bytes")
    void jwtRoundTrips() throws Exception {
        for (int size = 0; size < 600; size += 37) {
            String token = jwtLike(size);
            PackedToken packed = PackedToken.of(token);
            assertThat(packed.text()).isEqualTo(token);
            assertThat(packed).isEqualTo(PackedToken.of(token)).hasSameHashCodeAs(PackedToken.of(token));
            assertThat(size(packed)).isLessThan(token.length() * 4 / 5 + 24);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "opaque-refresh-token", "a.b.c", "YQ==.YQ.YQ", "YR.YQ", "a+b/c.d", "é.é",
            "eyJhbGciOiJIUzI1NiJ9..sig", "a..b", "abc.def.ghi.jkl.mno", "A", "AB.CD"})
    @DisplayName("anything else, padded or not canonical base64url included, comes back exactly")
    void otherTokensComeBackExactly(String token) throws Exception {
        PackedToken packed = PackedToken.of(token);
        assertThat(packed.text()).isEqualTo(token);
        assertThat(roundTrip(packed).text()).isEqualTo(token);
    }

    @Test
    @DisplayName("tokens differing in one character are different; the text is never in toString")
    void comparedByContent() {
        String token = jwtLike(500);
        String other = token.substring(0, 100) + (token.charAt(100) == 'A' ? 'B' : 'A') + token.substring(101);
        assertThat(PackedToken.of(token)).isNotEqualTo(PackedToken.of(other));
        assertThat(PackedToken.of(token).toString()).doesNotContain(token.substring(0, 20));
        assertThat(PackedToken.of(null)).isNull();
    }

    @Test
    @DisplayName("a session crossing to another node (Java serialization) is equal, its token intact, its codes shared")
    void sessionSerialises() throws Exception {
        String token = jwtLike(520);
        Session session = new Session("corr", "sub", "sid", "u", "810002813839", "H", "L", null,
                List.of(new String("60")), List.of(new String("750712184")),
                Set.of(new String("default-roles-hospiconnect"), new String("medecin")), Level.SUBSTANTIAL,
                List.of(new String("pwd"), new String("otp")), 1_800_000_000L, token, 1_800_000_240L, null);
        Session copy = roundTrip(session);
        assertThat(copy).isEqualTo(session);
        assertThat(copy.refreshToken()).isEqualTo(token);
        assertThat(copy.roles()).contains("medecin");
        assertThat(copy.roles().stream().filter("medecin"::equals).findFirst().orElseThrow()).isSameAs("medecin");
        assertThat(copy.amr().get(0)).isSameAs("pwd");
        assertThat(copy.professions().get(0)).isSameAs("60");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    private static int size(PackedToken packed) throws Exception {
        java.lang.reflect.Field field = PackedToken.class.getDeclaredField("bytes");
        field.setAccessible(true);
        return ((byte[]) field.get(packed)).length;
    }
}
