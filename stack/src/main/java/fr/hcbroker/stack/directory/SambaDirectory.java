package fr.hcbroker.stack.directory;

import fr.hcbroker.stack.DebianPackages;
import fr.hcbroker.stack.StackException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throw-away Active Directory domain controller from Debian's Samba packages, for the directory
 * tests: {@code samba-tool domain provision} in a fresh directory with its own smb.conf, then Samba's
 * LDAP server and KDC only (no DNS, no file sharing). AD clients expect the well-known ports, so the
 * controller listens on its own loopback address, {@value #ADDRESS}, where nothing else does.
 * Plain LDAP with simple binds is allowed on that loopback address only; a hospital uses LDAPS.
 */
public final class SambaDirectory implements AutoCloseable {

    public static final String ADDRESS = "127.0.0.27";
    public static final String REALM = "HOSPITAL.TEST";
    public static final String BASE_DN = "DC=hospital,DC=test";
    public static final String USERS_DN = "CN=Users," + BASE_DN;
    public static final String ROLES_DN = "OU=HC-Roles," + BASE_DN;
    public static final String BIND_USER = "svc-keycloak";
    /** The account holding Keycloak's HTTP service principal, apart from the bind account (its own password, its own keys). */
    public static final String SPN_USER = "svc-keycloak-http";

    private final Path dir;
    private final String adminPassword;
    private final String bindPassword;
    private Process samba;

    private SambaDirectory(Path dir) {
        this.dir = dir;
        this.adminPassword = secret();
        this.bindPassword = secret();
    }

    /** Installs the packages if needed, provisions a domain and starts its controller. */
    public static SambaDirectory start() {
        DebianPackages.ensure("samba", "samba-ad-dc", "samba-ad-provision", "ldap-utils");
        try {
            SambaDirectory directory = new SambaDirectory(Files.createTempDirectory("hc-samba-"));
            try {
                directory.provisionAndStart();
            } catch (RuntimeException | IOException e) {
                directory.close();
                throw e;
            }
            return directory;
        } catch (IOException e) {
            throw new StackException("cannot prepare the Samba domain controller: " + e.getMessage(), e);
        }
    }

    public String url() {
        return "ldap://" + ADDRESS + ":389";
    }

    /** The least-privileged account Keycloak binds with: an ordinary domain user, which may read the directory. */
    public String bindDn() {
        return "CN=" + BIND_USER + "," + USERS_DN;
    }

    public String bindPassword() {
        return bindPassword;
    }

    /** Creates an enabled person whose DN is {@code CN=<sAMAccountName>,CN=Users,...}, with extra attributes. */
    public void addUser(String account, String password, String givenName, String surname, Map<String, String> attributes) {
        samba("user", "create", account, password, "--use-username-as-cn", "--given-name=" + givenName,
                "--surname=" + surname, "--mail-address=" + account + "@hospital.test");
        attributes.forEach((name, value) -> replace(userDn(account), name, value));
    }

    /** Replaces one attribute of an entry over LDAP, as an AD administrator would. */
    public void replace(String dn, String attribute, String value) {
        ldapModify("dn: " + dn + "\nchangetype: modify\nreplace: " + attribute + "\n" + attribute + ": " + value + "\n");
    }

    public void addGroup(String name) {
        samba("group", "add", name, "--groupou=OU=HC-Roles");
    }

    public void addMember(String group, String account) {
        samba("group", "addmembers", group, account);
    }

    public void disable(String account) {
        samba("user", "disable", account);
    }

    public void delete(String account) {
        samba("user", "delete", account);
    }

    /** Sets a person's password as an AD administrator would (a service account's: new keys, a new key version). */
    public void setPassword(String account, String password) {
        samba("user", "setpassword", account, "--newpassword=" + password);
    }

    /**
     * Registers {@code HTTP/<host>} on the service account and exports its keys to {@code keytab}, as
     * {@code setspn} and {@code ktpass} do on Windows. Returns the principal.
     */
    public String servicePrincipal(String host, Path keytab) {
        samba("spn", "add", "HTTP/" + host, SPN_USER);
        return exportKeytab(host, keytab);
    }

    /** Exports the current keys of {@code HTTP/<host>} to {@code keytab} (after a password change: the new ones). */
    public String exportKeytab(String host, Path keytab) {
        samba("domain", "exportkeytab", keytab.toString(), "--principal=HTTP/" + host);
        return "HTTP/" + host + "@" + REALM;
    }

    /**
     * A krb5.conf for MIT clients ({@code KRB5_CONFIG}): this realm only, its KDC on {@value #ADDRESS},
     * no DNS, and service names taken as written (so {@code HTTP/localhost} stays that).
     */
    public Path krb5Conf() throws IOException {
        Path conf = dir.resolve("krb5.conf");
        Files.writeString(conf, """
                [libdefaults]
                    default_realm = %1$s
                    dns_lookup_kdc = false
                    dns_lookup_realm = false
                    dns_canonicalize_hostname = false
                    rdns = false
                    udp_preference_limit = 1
                [realms]
                    %1$s = {
                        kdc = %2$s
                    }
                [domain_realm]
                    localhost = %1$s
                """.formatted(REALM, ADDRESS));
        return conf;
    }

    public String userDn(String account) {
        return "CN=" + account + "," + USERS_DN;
    }

    private void provisionAndStart() throws IOException {
        Path dc = dir.resolve("dc");
        run(List.of("samba-tool", "domain", "provision", "--realm=" + REALM, "--domain=HOSPITAL", "--server-role=dc",
                "--dns-backend=NONE", "--use-rfc2307", "--adminpass=" + adminPassword, "--targetdir=" + dc,
                "--host-ip=" + ADDRESS, "--option=server services = ldap kdc",
                // An address of lo's 127.0.0.0/8: Samba binds what matches an interface's network.
                "--option=interfaces = " + ADDRESS + "/8", "--option=bind interfaces only = yes"));
        // Settings provision does not keep: this controller's own pid file and log, simple binds on loopback.
        Files.createDirectories(dc.resolve("run"));
        Files.writeString(conf(), Files.readString(conf()).replaceFirst("\\[global]\n", "[global]\n"
                + "\tpid directory = " + dc.resolve("run") + "\n\tlog file = " + dir.resolve("samba.log") + "\n"
                + "\tldap server require strong auth = no\n"));
        startServer();
        samba("ou", "add", "OU=HC-Roles");
        samba("user", "create", BIND_USER, bindPassword, "--use-username-as-cn");
        samba("user", "setexpiry", BIND_USER, "--noexpiry");
        samba("user", "create", SPN_USER, secret(), "--use-username-as-cn");
        samba("user", "setexpiry", SPN_USER, "--noexpiry");
        // AES only: without this attribute the KDC seals service tickets with RC4, which Java refuses.
        replace(userDn(SPN_USER), "msDS-SupportedEncryptionTypes", "24");
    }

    /** Stops the domain controller, as an outage would: its LDAP and KDC ports refuse connections. */
    /** The running controller's process (its workers are its descendants), for measuring what it spends. */
    public ProcessHandle process() {
        return samba.toHandle();
    }

    public void stop() {
        if (samba != null) {
            samba.destroy();
            try {
                if (!samba.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    samba.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            samba = null;
        }
    }

    /** Starts the stopped domain controller again, with its directory as it was. */
    public void restart() {
        try {
            startServer();
        } catch (IOException e) {
            throw new StackException("cannot restart samba: " + e.getMessage(), e);
        }
    }

    private void startServer() throws IOException {
        refuseIfTaken(389);
        refuseIfTaken(88);
        samba = new ProcessBuilder("samba", "-s", conf().toString(), "-i", "-M", "single", "--debug-stdout", "-d", "1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("samba.out").toFile()))
                .start();
        awaitPort(389, Duration.ofSeconds(60));
        awaitPort(88, Duration.ofSeconds(30));
    }

    private Path conf() {
        return dir.resolve("dc/etc/smb.conf");
    }

    private void samba(String... args) {
        List<String> command = new ArrayList<>(List.of("samba-tool"));
        command.addAll(List.of(args));
        command.add("--configfile=" + conf());
        try {
            run(command);
        } catch (IOException e) {
            throw new StackException("samba-tool " + args[0] + " " + args[1] + ": " + e.getMessage(), e);
        }
    }

    private void ldapModify(String ldif) {
        try {
            Path file = Files.createTempFile(dir, "change-", ".ldif");
            Files.writeString(file, ldif);
            run(List.of("ldapmodify", "-x", "-H", url(), "-D", "Administrator@" + REALM.toLowerCase(), "-w", adminPassword,
                    "-f", file.toString()));
        } catch (IOException e) {
            throw new StackException("ldapmodify: " + e.getMessage(), e);
        }
    }

    private void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new StackException(String.join(" ", command.subList(0, Math.min(3, command.size()))) + " failed: "
                        + output.strip().replace(adminPassword, "***").replace(bindPassword, "***"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while running " + command.get(0));
        }
    }

    private static void refuseIfTaken(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ADDRESS, port), 500);
        } catch (IOException free) {
            return;
        }
        throw new StackException(ADDRESS + ":" + port + " is taken: another domain controller runs on this machine");
    }

    private void awaitPort(int port, Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (!samba.isAlive()) {
                throw new StackException("samba exited (" + samba.exitValue() + "); see " + dir.resolve("samba.out"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(ADDRESS, port), 500);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        throw new StackException("samba does not listen on " + ADDRESS + ":" + port + " after " + within);
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while waiting for samba");
        }
    }

    /** Letters, digits and punctuation: AD's default complexity rule wants three kinds. */
    private static String secret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return "Hc-" + HexFormat.of().formatHex(bytes) + "-Z9";
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
