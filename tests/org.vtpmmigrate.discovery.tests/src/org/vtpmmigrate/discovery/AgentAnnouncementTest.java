package org.vtpmmigrate.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AgentAnnouncementTest {

    @Test
    void acceptsTheLimitsOfEveryField() {
        String longest = "a" + "-".repeat(62);
        AgentAnnouncement a = new AgentAnnouncement(longest, 65535, 1, "device");
        assertEquals(longest, a.hostId());
    }

    @Test
    void refusesInvalidFieldsNamingThem() {
        assertEquals("host id 'a" + "b".repeat(63) + "' must be 1-63 letters, digits, '.', '_' or '-', starting"
                + " with a letter or digit", message("a" + "b".repeat(63), 7711, 7710, "swtpm"));
        assertEquals("host id '.hidden' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or"
                + " digit", message(".hidden", 7711, 7710, "swtpm"));
        assertEquals("host id 'null' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or"
                + " digit", message(null, 7711, 7710, "swtpm"));
        assertEquals("management port 0 outside 1-65535", message("h", 0, 7710, "swtpm"));
        assertEquals("peer port 65536 outside 1-65535", message("h", 7711, 65536, "swtpm"));
        assertEquals("peer port 7711 must differ from the management port", message("h", 7711, 7711, "swtpm"));
        assertEquals("TPM connector kind '' must be 1-32 lower-case letters, digits or '-', starting with a letter",
                message("h", 7711, 7710, ""));
    }

    @Test
    void peerAddressBracketsIpv6() {
        AgentAnnouncement a = new AgentAnnouncement("h", 7711, 7710, "swtpm");
        assertEquals("192.0.2.1:7710", new AnnouncedAgent(a, "192.0.2.1").peerAddress());
        assertEquals("[2001:db8::1]:7710", new AnnouncedAgent(a, "2001:db8::1").peerAddress());
    }

    private static String message(String hostId, int managementPort, int peerPort, String tpm) {
        return assertThrows(IllegalArgumentException.class,
                () -> new AgentAnnouncement(hostId, managementPort, peerPort, tpm)).getMessage();
    }
}
