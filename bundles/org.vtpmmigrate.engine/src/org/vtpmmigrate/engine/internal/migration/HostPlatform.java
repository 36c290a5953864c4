package org.vtpmmigrate.engine.internal.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.spec.ECPoint;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.EventType;
import org.vtpmmigrate.attest.eventlog.ReplayCheck;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.hypervisor.LaunchMeasurement;
import org.vtpmmigrate.protocol.PlatformException;
import org.vtpmmigrate.tpm.AkAlgorithm;
import org.vtpmmigrate.tpm.AttestationKey;
import org.vtpmmigrate.tpm.BoundDecryptionKey;
import org.vtpmmigrate.tpm.BoundKeyPolicy;
import org.vtpmmigrate.tpm.EkType;
import org.vtpmmigrate.tpm.PcrBank;
import org.vtpmmigrate.tpm.PcrSelection;
import org.vtpmmigrate.tpm.PcrValues;
import org.vtpmmigrate.tpm.SignedAttestation;
import org.vtpmmigrate.tpm.TpmConnection;
import org.vtpmmigrate.tpm.TpmConnector;
import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmKeyPublic;

/**
 * The host's platform TPM, held through one connection for the engine's lifetime (swtpm serves one
 * client at a time) with every TPM use serialised here. At start it reads the EK and its
 * certificate, creates the attestation key (a primary key from a fixed template: the same AK on
 * every start, so enrolments survive restarts) and brings up the host's TCG event log.
 *
 * <p><b>Event log.</b> PCRs 0-7 hold the boot: on a test host whose platform TPM is a fresh swtpm
 * the engine measures a {@link SimulatedMeasuredBoot} itself. VM launches are measured into the
 * launch PCR (15 by default: an OS PCR that is not resettable) as {@link LaunchEvents}. Every
 * measurement is extended and appended to the log under one lock, so quote, PCR values and log
 * always agree. With a log file configured, the log is saved after every measurement and, on the
 * next start, continued if it still replays to the TPM's PCRs.
 *
 * <p><b>Object slots.</b> swtpm holds three transient objects. The AK occupies one for good; a
 * PCR-bound key needs two while it is made (storage root key and key) and one until it is flushed.
 * A {@link StateLease} therefore admits one bound key at a time; it also keeps launch measurements
 * out of the launch PCR between a destination's quote and its ECDH_ZGen, which would otherwise make
 * an honest run fail with the PCRs changed.
 */
public final class HostPlatform implements AutoCloseable {
    /** The bank every measurement of this host goes into, and that policies select. */
    public static final PcrBank BANK = PcrBank.SHA256;
    private static final System.Logger LOG = System.getLogger(HostPlatform.class.getName());
    static final HashAlgorithm HASH = HashAlgorithm.SHA256;
    private static final BoundKeyPolicy BOUND_KEY_POLICY = BoundKeyPolicy.PCR_AND_ECDH_ZGEN;
    private static final int TPM_RC_VALUE = 0x084;
    private static final int TPM_RC_POLICY_FAIL = 0x09D;

    /**
     * @param ekType the EK whose certificate identifies this host at enrolment
     * @param akAlgorithm the attestation key's algorithm
     * @param launchPcr the SHA-256 PCR VM launches are measured into (8..15: OS PCRs, not resettable)
     * @param eventLogFile where the log is kept across restarts; empty to keep it in memory only
     * @param boot the boot a test host measures when its platform TPM is fresh
     * @param firmwareEventLog the firmware's log of this boot (on Linux
     *     {@code /sys/kernel/security/tpm0/binary_bios_measurements}); a host whose TPM firmware
     *     measured its boot starts from it instead of measuring a simulated boot
     */
    public record Settings(EkType ekType, AkAlgorithm akAlgorithm, int launchPcr, Optional<Path> eventLogFile,
            SimulatedMeasuredBoot boot, Optional<Path> firmwareEventLog) {
        public Settings {
            Objects.requireNonNull(ekType, "ekType");
            Objects.requireNonNull(akAlgorithm, "akAlgorithm");
            if (launchPcr < 8 || launchPcr > 15) {
                throw new IllegalArgumentException("launch PCR " + launchPcr
                        + " must be one of the non-resettable OS PCRs 8..15");
            }
            Objects.requireNonNull(eventLogFile, "eventLogFile");
            Objects.requireNonNull(boot, "boot");
            Objects.requireNonNull(firmwareEventLog, "firmwareEventLog");
        }

        /** RSA-2048 EK (the one swtpm_setup certifies), ECC P-256 AK, launch PCR 15, log in memory. */
        public static Settings defaults() {
            return new Settings(EkType.RSA_2048, AkAlgorithm.ECC_NIST_P256, 15, Optional.empty(),
                    SimulatedMeasuredBoot.DEFAULT, Optional.empty());
        }

        public Settings withEventLogFile(Path file) {
            return new Settings(ekType, akAlgorithm, launchPcr, Optional.of(file), boot, firmwareEventLog);
        }

        public Settings withBoot(SimulatedMeasuredBoot profile) {
            return new Settings(ekType, akAlgorithm, launchPcr, eventLogFile, profile, firmwareEventLog);
        }

        public Settings withFirmwareEventLog(Path file) {
            return new Settings(ekType, akAlgorithm, launchPcr, eventLogFile, boot, Optional.of(file));
        }
    }

    /** A quote with the PCR values it covers and the event log at that moment. */
    public record PlatformQuote(SignedAttestation quote, PcrValues values, byte[] eventLog) {
    }

    /** A PCR-bound ECDH key and its certification by the AK. */
    public record CertifiedBoundKey(BoundDecryptionKey key, SignedAttestation certification) {
    }

    /** Permission to bind a key to the current platform state; release it once the key is gone. */
    public final class StateLease implements AutoCloseable {
        private boolean released;

        private StateLease() {
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                stateLeases.release();
            }
        }
    }

    private final Settings settings;
    private final TpmConnection tpm;
    private final TpmKeyPublic ekPublic;
    private final Optional<byte[]> ekCertificate;
    private final AttestationKey ak;
    private final HostEventLog log;
    private final Semaphore stateLeases = new Semaphore(1, true);
    private boolean closed;

    private HostPlatform(Settings settings, TpmConnection tpm, TpmKeyPublic ekPublic, Optional<byte[]> ekCertificate,
            AttestationKey ak, HostEventLog log) {
        this.settings = settings;
        this.tpm = tpm;
        this.ekPublic = ekPublic;
        this.ekCertificate = ekCertificate;
        this.ak = ak;
        this.log = log;
    }

    /**
     * Connects, reads the EK, creates the AK and brings up the event log.
     *
     * @throws PlatformException if the TPM cannot be reached or used, or its PCRs and the saved log
     *     disagree (the message says which PCR and why)
     */
    public static HostPlatform open(TpmConnector connector, Settings settings) throws PlatformException {
        TpmConnection tpm;
        try {
            tpm = connector.connect();
        } catch (TpmException e) {
            throw failure("connecting to the platform TPM " + connector.endpoint(), e);
        }
        try {
            TpmKeyPublic ekPublic = tpm.readEkPublic(settings.ekType());
            Optional<byte[]> ekCertificate = tpm.readEkCertificate(settings.ekType());
            AttestationKey ak = tpm.createAttestationKey(settings.akAlgorithm());
            HostEventLog log = startLog(tpm, settings);
            return new HostPlatform(settings, tpm, ekPublic, ekCertificate, ak, log);
        } catch (TpmException e) {
            closeQuietly(tpm);
            throw failure("preparing the platform TPM " + connector.endpoint(), e);
        } catch (PlatformException | RuntimeException e) {
            closeQuietly(tpm);
            throw e;
        }
    }

    private static HostEventLog startLog(TpmConnection tpm, Settings settings) throws TpmException, PlatformException {
        PcrSelection measured = measuredPcrs(settings.launchPcr());
        PcrValues current = tpm.readPcrs(measured);
        Optional<Path> file = settings.eventLogFile();
        if (file.isPresent() && Files.exists(file.get())) {
            HostEventLog log = readLog(file.get(), "saved host event log");
            Optional<String> problem = replayProblem(log.bytes(), current);
            if (problem.isEmpty()) {
                return log;
            }
            if (settings.firmwareEventLog().isEmpty()) {
                throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the saved host event log "
                        + file.get() + " does not describe the platform TPM's PCRs (was the TPM reset or "
                        + "measured by someone else?): " + problem.get());
            }
            // the host rebooted since: this boot's firmware log is where the story starts again
            LOG.log(System.Logger.Level.INFO, "the saved host event log {0} belongs to an earlier boot ({1});"
                    + " starting from the firmware's log", file.get(), problem.get());
        }
        if (settings.firmwareEventLog().isPresent()) {
            Path firmware = settings.firmwareEventLog().get();
            HostEventLog log = readLog(firmware, "firmware event log");
            Optional<String> problem = replayProblem(log.bytes(), current);
            if (problem.isPresent()) {
                throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the firmware event log " + firmware
                        + " does not replay to the platform TPM's PCRs: " + problem.get());
            }
            save(settings, log);
            return log;
        }
        for (int pcr : measured.indices(BANK)) {
            if (!Arrays.equals(current.value(BANK, pcr), new byte[BANK.digestLength()])) {
                throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "PCR " + BANK + ":" + pcr
                        + " is already extended (" + HexFormat.of().formatHex(current.value(BANK, pcr))
                        + ") but this host has no event log for it; a simulated measured boot needs a freshly "
                        + "started platform swtpm");
            }
        }
        HostEventLog log = HostEventLog.create(List.of(HASH));
        for (SimulatedMeasuredBoot.BootEvent event : settings.boot().events()) {
            Map<HashAlgorithm, byte[]> digests = log.digests(event.data());
            tpm.extendPcr(event.pcr(), Map.of(BANK, digests.get(HASH)));
            log.append(event.pcr(), event.type(), digests, event.data());
        }
        Optional<String> problem = replayProblem(log.bytes(), tpm.readPcrs(measured));
        if (problem.isPresent()) {
            throw new PlatformException(PlatformException.Kind.TPM_ERROR,
                    "after the simulated measured boot the log does not replay to the PCRs: " + problem.get());
        }
        save(settings, log);
        return log;
    }

    /** PCRs 0-7 and the launch PCR: what this host measures. */
    private static HostEventLog readLog(Path file, String what) throws PlatformException {
        try {
            if (Files.size(file) > HostEventLog.MAX_LOG_BYTES) {
                throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the " + what + " " + file
                        + " exceeds " + HostEventLog.MAX_LOG_BYTES + " bytes");
            }
            return HostEventLog.resume(Files.readAllBytes(file), HASH);
        } catch (IOException | EventLogFormatException e) {
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the " + what + " " + file
                    + " cannot be continued: " + e.getMessage(), e);
        }
    }

    static PcrSelection measuredPcrs(int launchPcr) {
        return PcrSelection.builder().add(BANK, 0, 1, 2, 3, 4, 5, 6, 7, launchPcr).build();
    }

    /**
     * Why {@code logBytes} does not account for {@code values}: a PCR the log replays differently, or
     * a selected PCR the log never extends that is not at its initial value. Empty when it does.
     */
    static Optional<String> replayProblem(byte[] logBytes, PcrValues values) {
        EventLog parsed;
        try {
            parsed = EventLog.parse(logBytes);
        } catch (EventLogFormatException e) {
            return Optional.of(e.getMessage());
        }
        org.vtpmmigrate.attest.PcrValues claimed = PcrConversions.toAttest(values);
        ReplayCheck<TcgEvent> check = parsed.compare(claimed);
        if (!check.mismatches().isEmpty()) {
            return Optional.of(check.describe());
        }
        for (int pcr : values.selection().indices(BANK)) {
            boolean extended = !parsed.extendedEvents(HASH, pcr).isEmpty();
            if (!extended && !Arrays.equals(values.value(BANK, pcr), parsed.initialValue(HASH, pcr))) {
                return Optional.of("PCR " + BANK + ":" + pcr + " is "
                        + HexFormat.of().formatHex(values.value(BANK, pcr)) + " but no logged event extends it");
            }
        }
        return Optional.empty();
    }

    public Settings settings() {
        return settings;
    }

    public int launchPcr() {
        return settings.launchPcr();
    }

    public String endpoint() {
        return tpm.endpoint().toString();
    }

    public EkType ekType() {
        return settings.ekType();
    }

    public TpmKeyPublic ekPublic() {
        return ekPublic;
    }

    /** The DER EK certificate from the TPM's NV, if it has one. */
    public Optional<byte[]> ekCertificate() {
        return ekCertificate.map(byte[]::clone);
    }

    public TpmKeyPublic attestationKeyPublic() {
        return ak.keyPublic();
    }

    /** The event log as it is now. */
    public synchronized byte[] eventLog() {
        return log.bytes();
    }

    public synchronized PcrValues readPcrs(PcrSelection selection) throws PlatformException {
        requireOpen();
        try {
            return tpm.readPcrs(selection);
        } catch (TpmException e) {
            throw failure("reading PCRs " + selection, e);
        }
    }

    /** TPM2_Quote with the AK, the values it covers and the log, all from one moment. */
    public synchronized PlatformQuote quote(byte[] qualifyingData, PcrSelection selection) throws PlatformException {
        requireOpen();
        try {
            SignedAttestation quote = tpm.quote(ak, qualifyingData, selection);
            PcrValues values = tpm.readPcrs(selection);
            return new PlatformQuote(quote, values, log.bytes());
        } catch (TpmException e) {
            throw failure("quoting " + selection, e);
        }
    }

    /**
     * Signs data with the AK: the TPM hashes it (TPM2_Hash gives the ticket a restricted key needs)
     * and TPM2_Sign signs SHA-256(data). Data that begins with TPM_GENERATED_VALUE is refused by the
     * TPM, so nothing signed here can pass for a quote or a certification.
     *
     * @return the TPMT_SIGNATURE
     */
    public synchronized byte[] sign(byte[] data) throws PlatformException {
        requireOpen();
        try {
            return tpm.sign(ak, data);
        } catch (TpmException e) {
            throw failure("signing " + data.length + " bytes with the AK", e);
        }
    }

    /**
     * Waits for the permission to bind a key to the platform state.
     *
     * @throws PlatformException UNAVAILABLE if another run holds it longer than {@code timeout}
     */
    public StateLease acquireStateLease(Duration timeout) throws PlatformException {
        try {
            if (!stateLeases.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the platform TPM is binding a key for"
                        + " another migration and did not become free within " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "interrupted waiting for the platform TPM");
        }
        return new StateLease();
    }

    /**
     * Creates the ECDH key bound to {@code values} (PolicyPCR then PolicyCommandCode(ECDH_ZGen)) and
     * certifies it with the AK. The caller holds a {@link StateLease} until the key is closed.
     */
    public synchronized CertifiedBoundKey createBoundKey(PcrValues values, byte[] qualifyingData)
            throws PlatformException {
        requireOpen();
        BoundDecryptionKey key;
        try {
            key = tpm.createPcrBoundDecryptionKey(values, BOUND_KEY_POLICY);
        } catch (TpmException e) {
            throw failure("creating the PCR-bound key", e);
        }
        try {
            return new CertifiedBoundKey(key, tpm.certify(key, ak, qualifyingData));
        } catch (TpmException e) {
            closeKey(key);
            throw failure("certifying the PCR-bound key", e);
        }
    }

    /**
     * ECDH_ZGen with a bound key.
     *
     * @throws PlatformException POLICY_CHECK_FAILED when the TPM's PolicyPCR refuses: the PCRs moved
     */
    public synchronized byte[] ecdhZGen(BoundDecryptionKey key, ECPoint peerPoint) throws PlatformException {
        requireOpen();
        try {
            return tpm.ecdhZGen(key, peerPoint);
        } catch (TpmException e) {
            int code = e.responseCode().map(c -> c.baseCode()).orElse(-1);
            if (code == TPM_RC_VALUE || code == TPM_RC_POLICY_FAIL) {
                throw new PlatformException(PlatformException.Kind.POLICY_CHECK_FAILED, "ECDH_ZGen refused: "
                        + e.getMessage(), e);
            }
            throw failure("ECDH_ZGen", e);
        }
    }

    /** Flushes a key; a key already gone is fine. */
    public synchronized void closeKey(BoundDecryptionKey key) {
        try {
            key.close();
        } catch (TpmException e) {
            System.getLogger(HostPlatform.class.getName()).log(System.Logger.Level.WARNING,
                    "flushing bound key 0x{0} failed: {1}", Integer.toHexString(key.handle()), e.getMessage());
        }
    }

    /** TPM2_ActivateCredential with the AK and the configured EK: the enrolment proof. */
    public synchronized byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret)
            throws PlatformException {
        requireOpen();
        try {
            return tpm.activateCredential(ak, settings.ekType(), credentialBlob, encryptedSecret);
        } catch (TpmException e) {
            throw failure("activating an enrolment credential", e);
        }
    }

    /**
     * Measures a VM launch into the launch PCR and the log, one event per launch measurement. Waits
     * (up to {@code timeout}) while a run binds a key to the current PCRs.
     */
    public void recordLaunch(String vmId, LaunchMeasurement measurement, Duration timeout) throws PlatformException {
        try (StateLease lease = acquireStateLease(timeout)) {
            synchronized (this) {
                requireOpen();
                List<LaunchMeasurement.Event> events = measurement.events();
                int room = 0;
                for (LaunchMeasurement.Event event : events) {
                    room += log.eventSize(LaunchEvents.eventData(vmId, event.name(), event.contentDigest()).length);
                }
                if (!log.hasRoomFor(room)) {
                    throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the host event log is full ("
                            + HostEventLog.MAX_LOG_BYTES + " bytes); restart the host to measure more launches");
                }
                for (LaunchMeasurement.Event event : events) {
                    byte[] measured = LaunchEvents.measuredBytes(event.name(), event.contentDigest());
                    if (!Arrays.equals(HASH.digest(measured), event.extendDigest())) {
                        throw new IllegalStateException("the extend digest of launch event " + event.name()
                                + " differs from the hypervisor's: the two definitions drifted apart");
                    }
                    extendAndLog(settings.launchPcr(), EventType.EV_EVENT_TAG, measured,
                            LaunchEvents.eventData(vmId, event.name(), event.contentDigest()));
                }
                save(settings, log);
            }
        }
    }

    /**
     * Measures {@code data} into a PCR and the log (a runtime measurement of the host). It does not
     * wait for state leases: it is how the host's state changes, whoever holds one.
     */
    public synchronized void measure(int pcr, EventType type, byte[] data) throws PlatformException {
        requireOpen();
        if (pcr == settings.launchPcr()) {
            throw new IllegalArgumentException("PCR " + pcr + " is the launch PCR; use recordLaunch");
        }
        if (!log.fits(data.length)) {
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the host event log is full");
        }
        extendAndLog(pcr, type, data, data);
        save(settings, log);
    }

    private void extendAndLog(int pcr, EventType type, byte[] measured, byte[] data) throws PlatformException {
        Map<HashAlgorithm, byte[]> digests = log.digests(measured);
        // every bank the log records is extended, so the log replays in each of them
        Map<PcrBank, byte[]> extend = new java.util.LinkedHashMap<>();
        digests.forEach((bank, digest) -> extend.put(PcrBank.fromAlgorithmId(bank.tpmAlgId()), digest));
        try {
            tpm.extendPcr(pcr, extend);
        } catch (TpmException e) {
            throw failure("extending PCR " + pcr, e);
        }
        log.append(pcr, type, digests, data);
    }

    private static void save(Settings settings, HostEventLog log) throws PlatformException {
        if (settings.eventLogFile().isEmpty()) {
            return;
        }
        Path file = settings.eventLogFile().get();
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temp, log.bytes());
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "saving the host event log to " + file
                    + " failed: " + e.getMessage(), e);
        }
    }

    private void requireOpen() throws PlatformException {
        if (closed) {
            throw new PlatformException(PlatformException.Kind.UNAVAILABLE, "the platform TPM connection is closed");
        }
    }

    static PlatformException failure(String operation, TpmException e) {
        PlatformException.Kind kind = switch (e.kind()) {
            case TRANSPORT, UNAVAILABLE -> PlatformException.Kind.UNAVAILABLE;
            default -> PlatformException.Kind.TPM_ERROR;
        };
        return new PlatformException(kind, operation + " failed: " + e.getMessage(), e);
    }

    private static void closeQuietly(TpmConnection tpm) {
        try {
            tpm.close();
        } catch (TpmException ignored) {
            // the connection is closed anyway; the original failure matters
        }
    }

    /** Flushes the AK and closes the connection. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(tpm);
        }
    }
}
