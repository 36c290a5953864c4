package org.vtpmmigrate.tpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TpmEndpointTest {

    @Test
    void parsesSwtpmEndpoints() {
        TpmEndpoint endpoint = TpmEndpoint.parse("swtpm:127.0.0.1:2321");
        assertEquals(TpmEndpoint.Transport.SWTPM, endpoint.transport());
        assertEquals("127.0.0.1", endpoint.host());
        assertEquals(2321, endpoint.port());
        assertEquals("swtpm:127.0.0.1:2321", endpoint.toString());
        assertEquals(TpmEndpoint.parse("swtpm:tpm-host.example:65535"), TpmEndpoint.swtpm("tpm-host.example", 65535));
    }

    @Test
    void parsesIpv6LiteralsInBrackets() {
        TpmEndpoint endpoint = TpmEndpoint.parse("swtpm:[::1]:2321");
        assertEquals("::1", endpoint.host());
        assertEquals("swtpm:[::1]:2321", endpoint.toString());
        assertEquals(endpoint, TpmEndpoint.parse(endpoint.toString()));
    }

    @Test
    void parsesDeviceEndpoints() {
        assertEquals(Path.of("/dev/tpmrm0"), TpmEndpoint.parse("device").devicePath());
        TpmEndpoint tpm0 = TpmEndpoint.parse("device:/dev/tpm0");
        assertEquals(TpmEndpoint.Transport.DEVICE, tpm0.transport());
        assertEquals(Path.of("/dev/tpm0"), tpm0.devicePath());
        assertEquals("device:/dev/tpm0", tpm0.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "swtpm:127.0.0.1|expected swtpm:HOST:PORT",
        "swtpm:127.0.0.1:0|outside 1..65535",
        "swtpm:127.0.0.1:65536|outside 1..65535",
        "swtpm:127.0.0.1:-1|is not a number",
        "swtpm:127.0.0.1:23a|is not a number",
        "swtpm:bad_host:2321|not a valid host name",
        "swtpm:::1:2321|in brackets",
        "device:dev/tpmrm0|must be absolute",
        "device:/dev/../etc/passwd|normalised",
        "tcp:127.0.0.1:2321|expected swtpm:HOST:PORT, device:PATH or device",
    })
    void refusesMalformedSpecificationsSayingWhy(String spec, String expectedReason) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> TpmEndpoint.parse(spec));
        assertTrue(failure.getMessage().contains(expectedReason), failure.getMessage());
    }

    @Test
    void refusesOverlongSpecifications() {
        assertThrows(IllegalArgumentException.class, () -> TpmEndpoint.parse("swtpm:" + "a".repeat(2000) + ":1"));
    }

    @Test
    void accessorsOfTheOtherTransportFail() {
        assertThrows(IllegalStateException.class, () -> TpmEndpoint.parse("device").port());
        assertThrows(IllegalStateException.class, () -> TpmEndpoint.parse("swtpm:localhost:1").devicePath());
    }
}
