package org.vtpmmigrate.engine.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AgentSettingsTest {

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("host.id", "server-a");
        m.put("tpm.connector", "swtpm:127.0.0.1:2321");
        m.put("data.dir", "/var/lib/vtpm-migrate");
        return m;
    }

    @Test
    void validSettingsGetDefaultPorts() throws Exception {
        AgentSettings s = AgentSettings.parse(valid());
        assertEquals("server-a", s.hostId());
        assertEquals(7710, s.peerPort());
        assertEquals(7711, s.managementPort());
    }

    @Test
    void frameworkKeysAreTolerated() throws Exception {
        Map<String, Object> m = valid();
        m.put("service.pid", "org.vtpmmigrate.agent");
        m.put("component.name", "x");
        assertEquals("server-a", AgentSettings.parse(m).hostId());
    }

    @Test
    void unknownKeyIsNamed() {
        Map<String, Object> m = valid();
        m.put("tpm.conector", "typo");
        AgentSettings.InvalidSettingException e = assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m));
        assertEquals("tpm.conector", e.key());
        assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
    }

    @Test
    void missingHostIdIsNamed() {
        Map<String, Object> m = valid();
        m.remove("host.id");
        assertEquals("host.id", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
    }

    @Test
    void hostIdWithSpacesIsRefused() {
        Map<String, Object> m = valid();
        m.put("host.id", "server a");
        assertEquals("host.id", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
    }

    @Test
    void malformedTpmConnectorIsNamed() {
        Map<String, Object> m = valid();
        m.put("tpm.connector", "swtpm:127.0.0.1");
        assertEquals("tpm.connector", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
    }

    @Test
    void portOutOfRangeAndNonNumericAreRefused() {
        Map<String, Object> m = valid();
        m.put("peer.port", "70000");
        assertTrue(assertThrows(AgentSettings.InvalidSettingException.class, () -> AgentSettings.parse(m))
                .getMessage().contains("not a TCP port"));
        m.put("peer.port", "seven");
        assertTrue(assertThrows(AgentSettings.InvalidSettingException.class, () -> AgentSettings.parse(m))
                .getMessage().contains("not a number"));
    }

    @Test
    void peerAndManagementPortMustDiffer() {
        Map<String, Object> m = valid();
        m.put("peer.port", "9000");
        m.put("management.port", "9000");
        assertEquals("management.port", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
    }
    @Test
    void managementTlsNeedsAllThreeFiles() {
        Map<String, Object> m = valid();
        m.put("management.certificate", "/etc/vtpm/agent.pem");
        AgentSettings.InvalidSettingException e = assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m));
        assertEquals("management.key", e.key());
        m.put("management.key", "/etc/vtpm/agent.key");
        m.put("management.ca", "/etc/vtpm/ca.pem");
        assertTrue(assertDoesNotThrow(() -> AgentSettings.parse(m)).managementTls().isPresent());
    }

    @Test
    void simulationKeysNeedASimulatedPlatformTpm() throws Exception {
        Map<String, Object> m = valid();
        m.put("simulation.boot.loader", "grub 2.12");
        assertEquals("simulation.boot.loader", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
        m.put("tpm.connector", "simulated:/var/lib/vtpm-migrate/platform-tpm");
        AgentSettings s = AgentSettings.parse(m);
        assertEquals("grub 2.12", s.simulation().orElseThrow().bootLoader());
        assertFalse(s.simulation().orElseThrow().pcrChangeAfterBoundKey());
        m.put("simulation.fault", "melt-down");
        assertTrue(assertThrows(AgentSettings.InvalidSettingException.class, () -> AgentSettings.parse(m))
                .getMessage().contains("pcr-change-after-bound-key"));
    }

    @Test
    void bindAddressMustBeALiteralAndPathsAreAbsolute() throws Exception {
        Map<String, Object> m = valid();
        m.put("bind.address", "agent.example.org");
        assertEquals("bind.address", assertThrows(AgentSettings.InvalidSettingException.class,
                () -> AgentSettings.parse(m)).key());
        m.put("bind.address", "10.0.0.7");
        m.put("tpm.ek.ca", "cas/root.pem, cas/other.pem");
        AgentSettings s = AgentSettings.parse(m);
        assertEquals("10.0.0.7", s.bindAddress().getHostAddress());
        assertEquals(2, s.ekCas().size());
        assertTrue(s.ekCas().get(0).isAbsolute());
        assertEquals(s.dataDir().resolve("vms"), s.vmDir());
    }
}
