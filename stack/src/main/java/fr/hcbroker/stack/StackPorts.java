package fr.hcbroker.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ports of one stack. The demo uses the documented defaults (DESIGN.md §1); tests take free ones
 * so they never fight the demo or each other. {@code keycloakHttps} is the https port people use
 * (the card proxy in front of Keycloak); {@code keycloakDirectHttps} is Keycloak's own, behind it.
 */
public record StackPorts(int keycloakHttp, int keycloakHttps, int keycloakManagement, int gateway, int demoApp,
                         int keycloakDirectHttps) {

    public static StackPorts defaults() {
        return new StackPorts(8080, 8443, 9000, 8000, 9090, 8444);
    }

    /** Six distinct free ports: all are held open while choosing, so the system cannot hand one out twice. */
    public static StackPorts free() {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(new ServerSocket(0));
            }
            return new StackPorts(held.get(0).getLocalPort(), held.get(1).getLocalPort(), held.get(2).getLocalPort(),
                    held.get(3).getLocalPort(), held.get(4).getLocalPort(), held.get(5).getLocalPort());
        } catch (IOException e) {
            throw new StackException("no free port: " + e.getMessage());
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a probe socket: nothing to recover
                }
            }
        }
    }

    public Map<String, Integer> byRole() {
        Map<String, Integer> roles = new LinkedHashMap<>();
        roles.put("Keycloak http", keycloakHttp);
        roles.put("Keycloak https (card proxy)", keycloakHttps);
        roles.put("Keycloak direct https", keycloakDirectHttps);
        roles.put("Keycloak management", keycloakManagement);
        roles.put("gateway", gateway);
        roles.put("demo app", demoApp);
        return roles;
    }

    /** Fails with one line naming the first port that something else already holds. */
    public void requireAvailable() {
        byRole().forEach((role, port) -> {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                socket.setReuseAddress(true);
            } catch (IOException e) {
                throw new StackException("port " + port + " (" + role + ") is already in use; stop what holds it"
                        + " (ss -ltnp 'sport = :" + port + "') or choose other ports");
            }
        });
    }
}
