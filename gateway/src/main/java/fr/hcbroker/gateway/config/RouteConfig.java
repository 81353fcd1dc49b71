package fr.hcbroker.gateway.config;

import java.net.URI;
import java.util.Set;

/**
 * One route: requests whose host (if set) and path prefix match go to {@code upstream}.
 *
 * @param id               stable identifier, used as the assertion audience and in audit records
 * @param host             virtual host to match, or null for any
 * @param pathPrefix       path prefix to match, starting with {@code /}
 * @param upstream         the legacy app's base URL
 * @param identityHeaders  extra header names this app trusts for identity (e.g. {@code REMOTE_USER});
 *                         stripped from incoming requests like every {@code X-HC-*} header
 */
public record RouteConfig(String id, String host, String pathPrefix, URI upstream, Set<String> identityHeaders) {

    public RouteConfig {
        identityHeaders = Set.copyOf(identityHeaders);
    }

    public boolean matches(String requestHost, String path) {
        if (host != null && !host.equalsIgnoreCase(stripPort(requestHost))) {
            return false;
        }
        return path.equals(pathPrefix) || path.startsWith(pathPrefix.endsWith("/") ? pathPrefix : pathPrefix + "/");
    }

    private static String stripPort(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        int colon = hostHeader.lastIndexOf(':');
        return colon > 0 && !hostHeader.endsWith("]") ? hostHeader.substring(0, colon) : hostHeader;
    }
}
