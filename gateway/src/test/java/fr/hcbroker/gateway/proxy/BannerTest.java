package fr.hcbroker.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The banner of shared workstations, and where it goes in a page")
class BannerTest {

    private static String into(String page) {
        Buffer out = Banner.into(Buffer.buffer(page.getBytes(StandardCharsets.ISO_8859_1)), "[B]");
        return out == null ? null : out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    @DisplayName("after the real <body> tag: not one in a comment, a script, a style, a title or an attribute")
    void afterTheRealBodyTag() {
        assertThat(into("<!doctype html><HTML><head><!-- <body> --><script>var t = '<body>';</SCRIPT >"
                + "<style>p::before{content:'<body>'}</style><title><body></title><meta content=\"<body>\"></head>"
                + "<BODY class='a>b' onload=\"x>1\">Dossier</BODY></HTML>"))
                .isEqualTo("<!doctype html><HTML><head><!-- <body> --><script>var t = '<body>';</SCRIPT >"
                        + "<style>p::before{content:'<body>'}</style><title><body></title><meta content=\"<body>\"></head>"
                        + "<BODY class='a>b' onload=\"x>1\">[B]Dossier</BODY></HTML>");
        assertThat(into("<html><body>\u00e9t\u00e9</body>")).isEqualTo("<html><body>[B]\u00e9t\u00e9</body>");
        assertThat(into("<body/>x")).isEqualTo("<body/>[B]x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<div>a fragment</div>", "<body-part>custom</body-part>", "<bodyx>", "<!-- <body>",
            "<script>document.write('<body>')", "<body class=\"unclosed>", "text only", ""})
    @DisplayName("nothing where there is no whole <body> tag: the page is relayed unchanged")
    void nothingWithoutABodyTag(String page) {
        assertThat(into(page)).isNull();
    }

    @Test
    @DisplayName("names are escaped and every character beyond ASCII is a reference, whatever the page's charset")
    void escapedAndAscii() {
        Session session = new Session("corr", "sub", "sid", "h.lefevre", null, "H\u00e9l\u00e8ne",
                "<img src=x onerror=alert(1)>", null, List.of("60"), List.of(), Set.of(), Level.SUBSTANTIAL,
                List.of("pwd", "otp"), 0);
        String french = Banner.html(session, "cookie-value", false);
        assertThat(french).contains("H&#233;l&#232;ne &lt;img src=x onerror=alert(1)&gt;", "Changer d'utilisateur",
                "Se d&#233;connecter", "lang=\"fr\"").doesNotContain("<img");
        assertThat(french.chars()).allMatch(c -> c < 0x80);
        assertThat(Banner.html(session, "cookie-value", true)).contains("Switch user", "Log out", "lang=\"en\"");
    }
}
