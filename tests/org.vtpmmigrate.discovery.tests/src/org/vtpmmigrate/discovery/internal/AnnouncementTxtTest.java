package org.vtpmmigrate.discovery.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vtpmmigrate.discovery.AgentAnnouncement;

class AnnouncementTxtTest {
    private static final AgentAnnouncement AGENT = new AgentAnnouncement("host-1.lab", 7711, 7710, "swtpm");

    @Test
    void announcementSurvivesTheRoundTripThroughTxt() throws Exception {
        byte[] txt = AnnouncementTxt.encode(AGENT);
        assertEquals(Map.of("api", "v1", "host-id", "host-1.lab", "peer-port", "7710", "tpm", "swtpm"),
                TxtRecord.decode(txt));
        assertEquals(AGENT, AnnouncementTxt.decode("host-1.lab", 7711, txt));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "api missing      | host-1 | 7711 | host-id=host-1;peer-port=7710;tpm=swtpm        | TXT has no api attribute",
        "api v2           | host-1 | 7711 | api=v2;host-id=host-1;peer-port=7710;tpm=swtpm | TXT api 'v2' is not supported (expected v1)",
        "host-id missing  | host-1 | 7711 | api=v1;peer-port=7710;tpm=swtpm                | TXT has no host-id attribute",
        "host-id invalid  | host 1 | 7711 | api=v1;host-id=host 1;peer-port=7710;tpm=swtpm | TXT host-id 'host 1' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "renamed instance | host-1 (2) | 7711 | api=v1;host-id=host-1;peer-port=7710;tpm=swtpm | instance name 'host-1 (2)' differs from TXT host-id 'host-1' (is the host id announced twice?)",
        "SRV port 0       | host-1 | 0    | api=v1;host-id=host-1;peer-port=7710;tpm=swtpm | SRV port 0 outside 1-65535",
        "peer-port text   | host-1 | 7711 | api=v1;host-id=host-1;peer-port=77a;tpm=swtpm  | TXT peer-port '77a' is not a port number",
        "peer-port big    | host-1 | 7711 | api=v1;host-id=host-1;peer-port=70000;tpm=swtpm | peer port 70000 outside 1-65535",
        "peer-port empty  | host-1 | 7711 | api=v1;host-id=host-1;peer-port;tpm=swtpm      | TXT peer-port '' is not a port number",
        "ports equal      | host-1 | 7710 | api=v1;host-id=host-1;peer-port=7710;tpm=swtpm | peer port 7710 must differ from the management port",
        "tpm missing      | host-1 | 7711 | api=v1;host-id=host-1;peer-port=7710           | TXT has no tpm attribute",
        "tpm invalid      | host-1 | 7711 | api=v1;host-id=host-1;peer-port=7710;tpm=SW TPM | TPM connector kind 'SW TPM' must be 1-32 lower-case letters, digits or '-', starting with a letter",
    })
    void malformedAnnouncementIsRejectedNamingTheField(String name, String instance, int port, String attributes,
            String message) {
        MalformedAnnouncementException e = assertThrows(MalformedAnnouncementException.class,
                () -> AnnouncementTxt.decode(instance, port, txt(attributes)));
        assertEquals(message, e.getMessage());
    }

    /** {@code k=v;flag} to TXT data; a string without '=' is a boolean attribute. */
    static byte[] txt(String attributes) {
        StringBuilder raw = new StringBuilder();
        for (String a : attributes.split(";")) {
            raw.append((char) a.length()).append(a);
        }
        return raw.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
