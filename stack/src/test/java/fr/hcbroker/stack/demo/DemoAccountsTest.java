package fr.hcbroker.stack.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoAccountsTest {

    @TempDir
    Path dir;

    @Test
    void anAdminPasswordTheOperatorChoseIsNotWrittenAndTheFileIsTheirsAlone() throws Exception {
        Path file = DemoAccounts.writeAccountsFile(dir.resolve("demo-accounts.md"), DemoProfessional.ALL, "admin",
                "Chosen-By-The-Operator-42", "http://localhost:8080", "http://localhost:8000");
        assertThat(Files.readString(file)).doesNotContain("Chosen-By-The-Operator-42")
                .contains("(from KC_BOOTSTRAP_ADMIN_PASSWORD)").contains(DemoProfessional.ALL.get(0).totpSeedBase32());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void theDemosOwnDefaultAdminPasswordIsWritten() throws Exception {
        Path file = DemoAccounts.writeAccountsFile(dir.resolve("demo-accounts.md"), DemoProfessional.ALL, "admin",
                "admin", "http://localhost:8080", "http://localhost:8000");
        assertThat(Files.readString(file)).contains("`admin` / `admin`");
    }
}
