package org.vtpmmigrate.engine.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.hypervisor.VmConfig;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;
import org.vtpmmigrate.tpm.PcrValues;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmEndpoint;

/**
 * A host whose TPM the firmware measured (as on a server with /dev/tpmrm0): the platform starts from
 * the firmware's event log of this boot, a real one from the corpus whose measurements were extended
 * into an swtpm as firmware would, and logs VM launches on top in every bank the firmware log has.
 */
class FirmwareEventLogTest {
    /** A real UEFI boot log (Ubuntu 21.04 VM) with SHA-1, SHA-256 and SHA-384 banks. */
    private static final String FIRMWARE_LOG = "eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin";
    private static final int EXTENDS_PER_COMMAND = 40;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path temp;
    private SwtpmProcess swtpm;
    private Path firmwareLog;

    @BeforeEach
    void startTpm() throws Exception {
        swtpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256", "sha384").start();
        firmwareLog = Files.write(temp.resolve("binary_bios_measurements"), TestData.bytes(FIRMWARE_LOG));
    }

    @AfterEach
    void stopTpm() {
        swtpm.close();
    }

    /** Extends every measurement of the firmware log into the swtpm, in every bank, as firmware does. */
    private void bootFromFirmwareLog() throws Exception {
        HexFormat hex = HexFormat.of();
        List<String> extend = new ArrayList<>();
        for (TcgEvent e : EventLog.parse(Files.readAllBytes(firmwareLog)).events()) {
            if (e.isExtended()) {
                extend.add(e.pcrIndex() + ":sha1=" + hex.formatHex(e.digest(HashAlgorithm.SHA1).orElseThrow())
                        + ",sha256=" + hex.formatHex(e.digest(HashAlgorithm.SHA256).orElseThrow())
                        + ",sha384=" + hex.formatHex(e.digest(HashAlgorithm.SHA384).orElseThrow()));
            }
        }
        for (int i = 0; i < extend.size(); i += EXTENDS_PER_COMMAND) {
            List<String> command = new ArrayList<>(List.of("tpm2_pcrextend"));
            command.addAll(extend.subList(i, Math.min(extend.size(), i + EXTENDS_PER_COMMAND)));
            swtpm.runToolThenFlush(command.toArray(String[]::new)).requireSuccess();
        }
    }

    private HostPlatform.Settings settings() {
        return HostPlatform.Settings.defaults().withEventLogFile(temp.resolve("saved.bin"))
                .withFirmwareEventLog(firmwareLog);
    }

    @Test
    void theFirmwareLogIsContinuedAndLaunchesReplayInEveryBankItRecords() throws Exception {
        bootFromFirmwareLog();
        TpmConnector connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()));
        LaunchMeasurement launch = LaunchMeasurement.of(VmConfig.builder().name("vm-fw").memoryMiB(64).build());
        int firmwareEvents = EventLog.parse(Files.readAllBytes(firmwareLog)).events().size();
        try (HostPlatform platform = HostPlatform.open(connector, settings())) {
            platform.recordLaunch("vm-fw", launch, TIMEOUT);
            EventLog log = EventLog.parse(platform.eventLog());
            assertEquals(firmwareEvents + launch.events().size(), log.events().size(),
                    "the firmware's events, then one per launch measurement");
            PcrSelection all = PcrSelection.builder().add(PcrBank.SHA1, 0, 1, 2, 3, 4, 5, 6, 7, 15)
                    .add(PcrBank.SHA256, 0, 1, 2, 3, 4, 5, 6, 7, 15).add(PcrBank.SHA384, 0, 1, 2, 3, 4, 5, 6, 7, 15)
                    .build();
            PcrValues values = platform.readPcrs(all);
            assertTrue(log.compare(PcrConversions.toAttest(values)).matches(),
                    "the log replays in SHA-1, SHA-256 and SHA-384: " + log.compare(PcrConversions.toAttest(values))
                            .describe());
        }
        // restarted (the same boot): the saved log, launches included, is continued
        try (HostPlatform again = HostPlatform.open(connector, settings())) {
            assertEquals(firmwareEvents + launch.events().size(), EventLog.parse(again.eventLog()).events().size());
            assertEquals(Optional.empty(), HostPlatform.replayProblem(again.eventLog(),
                    again.readPcrs(HostPlatform.measuredPcrs(again.launchPcr()))));
        }
    }

    @Test
    void aFirmwareLogThatTheTpmDoesNotHoldIsRefusedNamingThePcr() {
        // nothing was extended: this TPM did not boot what the log describes
        TpmConnector connector = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec()));
        PlatformException e = assertThrows(PlatformException.class, () -> HostPlatform.open(connector, settings()));
        assertTrue(e.getMessage().contains("does not replay to the platform TPM's PCRs"), e::getMessage);
        assertTrue(e.getMessage().contains("PCR"), e::getMessage);
    }
}
