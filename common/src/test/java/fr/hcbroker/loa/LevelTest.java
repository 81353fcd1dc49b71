package fr.hcbroker.loa;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LevelTest {

    @Test
    void levelsCompareByStrength() {
        assertThat(Level.HIGH.atLeast(Level.SUBSTANTIAL)).isTrue();
        assertThat(Level.SUBSTANTIAL.atLeast(Level.SUBSTANTIAL)).isTrue();
        assertThat(Level.LOW.atLeast(Level.SUBSTANTIAL)).isFalse();
    }

    @Test
    void acrValuesMapBothWays() {
        for (Level level : Level.values()) {
            assertThat(Level.fromAcr(level.acr())).contains(level);
            assertThat(Level.fromLoa(level.loa())).contains(level);
        }
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"EIDAS2", "eidas4", "eidas0", " eidas2", "urn:eidas2", "2"})
    void unknownAcrValuesAreNotLevels(String acr) {
        assertThat(Level.fromAcr(acr)).isEmpty();
    }
}
