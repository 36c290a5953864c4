package org.vtpmmigrate.console.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.ima.ImaFormatException;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.audit.AuditEvent;
import org.vtpmmigrate.audit.AuditLogException;
import org.vtpmmigrate.audit.AuditLogWriter;
import org.vtpmmigrate.audit.AuditRecord;
import org.vtpmmigrate.audit.RecordSigner;
import org.vtpmmigrate.management.EvidenceRequest;
import org.vtpmmigrate.management.HostEvidence;
import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;
import org.vtpmmigrate.testsupport.TestData;
import org.vtpmmigrate.testsupport.Tpm2ToolsOutput;

/**
 * A test host's platform: a real swtpm whose PCRs hold a real boot event log and a real IMA log
 * (replayed into it with tpm2_pcrextend, as firmware and kernel would have extended them), an RSA
 * attestation key created under its EK with tpm2-tools, quotes over whatever nonce a client sends,
 * and an attestation log signed by that same AK (tpm2_sign hashes in the TPM, so the restricted AK
 * signs). A {@link Variant#TAMPERED} host has one boot measurement its log does not show and one IMA
 * entry no policy made from a clean host allows: its evidence is authentic and must be judged
 * untrusted.
 */
final class FixtureHost implements RecordSigner, AutoCloseable {
    /** The corpus boot log (Ubuntu 21.04 GCE VM) and IMA log (826 ima-ng entries) every host boots with. */
    static final String EVENT_LOG = "eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin";
    static final String IMA_LOG = "ima/rust-keylime/ascii_runtime_measurements";
    /** The IMA entry only a tampered host measured. */
    static final String UNEXPECTED_FILE = "/usr/local/bin/cryptominer";
    /** The PCR a tampered host's firmware extended without logging it. */
    static final int UNLOGGED_PCR = 7;

    enum Variant {
        CLEAN, TAMPERED
    }

    private static final int EXTENDS_PER_COMMAND = 40;
    private static final HexFormat HEX = HexFormat.of();

    final String hostId;
    final Variant variant;
    private final SwtpmProcess tpm;
    private final byte[] eventLog;
    private final byte[] imaLog;
    private final byte[] akPublic;
    private final byte[] akName;
    private final List<byte[]> ekChain;
    private final AuditLogWriter audit;
    private final List<AuditRecord> records = new ArrayList<>();

    private FixtureHost(String hostId, Variant variant, SwtpmProcess tpm, Path directory) throws IOException {
        this.hostId = hostId;
        this.variant = variant;
        this.tpm = tpm;
        this.eventLog = TestData.bytes(EVENT_LOG);
        byte[] ima = TestData.bytes(IMA_LOG);
        boot(ima);
        tpm.runToolThenFlush("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", "ek.ctx", "-c", "ak.ctx", "-G", "rsa", "-g", "sha256", "-s",
                "rsassa", "-u", "ak.pub", "-n", "ak.name", "-f", "tss").requireSuccess();
        tpm.runToolThenFlush("tpm2_nvread", "-C", "o", "-o", "ek.der", "0x1c00002").requireSuccess();
        Path work = tpm.workingDirectory();
        this.akPublic = Files.readAllBytes(work.resolve("ak.pub"));
        this.akName = Files.readAllBytes(work.resolve("ak.name"));
        List<byte[]> chain = new ArrayList<>();
        chain.add(Files.readAllBytes(work.resolve("ek.der")));
        List<Path> cas = tpm.localCaCertificateFiles();
        // the chain goes from the EK certificate up: issuer, then root
        for (int i = cas.size() - 1; i >= 0; i--) {
            chain.add(der(cas.get(i)));
        }
        this.ekChain = List.copyOf(chain);
        this.imaLog = variant == Variant.TAMPERED ? withUnexpectedEntry(ima) : ima;
        try {
            this.audit = AuditLogWriter.open(directory.resolve(hostId + "-audit.log"), hostId, this, ekChain.get(0),
                    Clock.systemUTC());
            records.add(audit.lastRecord());
        } catch (AuditLogException e) {
            throw new IllegalStateException("audit log of " + hostId + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** Starts the host's swtpm (sha1 and sha256 banks) and boots it. */
    static FixtureHost start(String hostId, Variant variant, Path directory) {
        SwtpmProcess tpm = SwtpmProcess.builder().pcrBanks("sha1", "sha256").start();
        try {
            return new FixtureHost(hostId, variant, tpm, directory);
        } catch (IOException | RuntimeException e) {
            tpm.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Extends the boot log's and the IMA log's measurements, as firmware and kernel would have. */
    private void boot(byte[] ima) {
        List<String> extend = new ArrayList<>();
        try {
            for (TcgEvent e : EventLog.parse(eventLog).events()) {
                if (e.isExtended()) {
                    extend.add(e.pcrIndex() + ":sha1=" + HEX.formatHex(e.digest(HashAlgorithm.SHA1).orElseThrow())
                            + ",sha256=" + HEX.formatHex(e.digest(HashAlgorithm.SHA256).orElseThrow()));
                }
            }
            if (variant == Variant.TAMPERED) {
                byte[] unlogged = "firmware option ROM the log does not mention".getBytes(StandardCharsets.US_ASCII);
                extend.add(UNLOGGED_PCR + ":sha1=" + HEX.formatHex(HashAlgorithm.SHA1.digest(unlogged)) + ",sha256="
                        + HEX.formatHex(HashAlgorithm.SHA256.digest(unlogged)));
            }
            for (ImaEntry e : ImaLog.parse(variant == Variant.TAMPERED ? withUnexpectedEntry(ima) : ima).entries()) {
                byte[] data = e.templateData().orElseThrow();
                extend.add(e.pcr() + ":sha1=" + HEX.formatHex(e.templateHash()) + ",sha256="
                        + HEX.formatHex(HashAlgorithm.SHA256.digest(data)));
            }
        } catch (EventLogFormatException | ImaFormatException e) {
            throw new IllegalStateException("corpus log does not parse: " + e.getMessage(), e);
        }
        for (int i = 0; i < extend.size(); i += EXTENDS_PER_COMMAND) {
            List<String> command = new ArrayList<>(List.of("tpm2_pcrextend"));
            command.addAll(extend.subList(i, Math.min(extend.size(), i + EXTENDS_PER_COMMAND)));
            tpm.runToolThenFlush(command.toArray(String[]::new)).requireSuccess();
        }
    }

    /** The IMA list with one more ima-ng entry, template hash computed as the kernel does. */
    private static byte[] withUnexpectedEntry(byte[] ima) {
        byte[] digest = HashAlgorithm.SHA256.digest("mining code".getBytes(StandardCharsets.US_ASCII));
        byte[] algorithmField = concat("sha256:".getBytes(StandardCharsets.US_ASCII), new byte[] {0}, digest);
        byte[] nameField = concat(UNEXPECTED_FILE.getBytes(StandardCharsets.US_ASCII), new byte[] {0});
        byte[] templateData = concat(lengthPrefixed(algorithmField), lengthPrefixed(nameField));
        String line = "10 " + HEX.formatHex(HashAlgorithm.SHA1.digest(templateData)) + " ima-ng sha256:"
                + HEX.formatHex(digest) + " " + UNEXPECTED_FILE + "\n";
        return concat(ima, line.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] lengthPrefixed(byte[] field) {
        byte[] length = {(byte) field.length, (byte) (field.length >> 8), (byte) (field.length >> 16),
            (byte) (field.length >> 24)};
        return concat(length, field);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] der(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in).getEncoded();
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException("swtpm CA certificate " + pem + " does not read: " + e.getMessage(), e);
        }
    }

    /** A fresh quote over {@code selection} with {@code nonce} as qualifying data, and the logs. */
    synchronized HostEvidence quote(byte[] nonce, List<EvidenceRequest.PcrSelection> selection, boolean withEventLog,
            boolean withImaLog) {
        List<String> banks = new ArrayList<>();
        for (EvidenceRequest.PcrSelection s : selection) {
            banks.add(s.bank() + ":" + String.join(",", s.indices().stream().map(String::valueOf).toList()));
        }
        ProcessResult quote = tpm.runToolThenFlush("tpm2_quote", "-c", "ak.ctx", "-l", String.join("+", banks), "-q",
                HEX.formatHex(nonce), "-m", "quote.msg", "-s", "quote.sig", "-o", "quote.pcrs", "-g", "sha256")
                .requireSuccess();
        List<HostEvidence.PcrValue> pcrs = new ArrayList<>();
        for (Map.Entry<String, SortedMap<Integer, byte[]>> bank : Tpm2ToolsOutput.pcrValues(quote.stdout()).entrySet()) {
            bank.getValue().forEach((index, value) -> pcrs.add(new HostEvidence.PcrValue(bank.getKey(), index,
                    HEX.formatHex(value))));
        }
        try {
            Path work = tpm.workingDirectory();
            Base64.Encoder b64 = Base64.getEncoder();
            return new HostEvidence(hostId, b64.encodeToString(nonce),
                    b64.encodeToString(Files.readAllBytes(work.resolve("quote.msg"))),
                    b64.encodeToString(Files.readAllBytes(work.resolve("quote.sig"))), b64.encodeToString(akPublic),
                    HEX.formatHex(akName), pcrs, withEventLog ? b64.encodeToString(eventLog) : null,
                    withImaLog ? b64.encodeToString(imaLog) : null, ekChain.stream().map(b64::encodeToString).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("quote files of " + hostId + " not readable", e);
        }
    }

    @Override
    public byte[] akPublicArea() {
        return akPublic.clone();
    }

    String akNameHex() {
        return HEX.formatHex(akName);
    }

    String ekSubject() {
        try {
            return ((java.security.cert.X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new java.io.ByteArrayInputStream(ekChain.get(0)))).getSubjectX500Principal().getName();
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TPM2_Sign by the AK over the record bytes, hashed in the TPM (which gives the ticket a restricted key needs). */
    @Override
    public synchronized byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
        try {
            Path work = tpm.workingDirectory();
            Files.write(work.resolve("record.bin"), recordBytes);
            ProcessResult r = tpm.runToolThenFlush("tpm2_sign", "-c", "ak.ctx", "-g", "sha256", "-o", "record.sig",
                    "record.bin");
            if (r.exitCode() != 0) {
                throw new GeneralSecurityException("tpm2_sign failed: " + r.stderr());
            }
            return Files.readAllBytes(work.resolve("record.sig"));
        } catch (IOException e) {
            throw new GeneralSecurityException("record files of " + hostId + ": " + e.getMessage(), e);
        }
    }

    /** Appends a signed record to the host's attestation log. */
    synchronized AuditRecord append(AuditEvent event) {
        try {
            AuditRecord r = audit.append(event);
            records.add(r);
            return r;
        } catch (AuditLogException e) {
            throw new IllegalStateException("audit record of " + hostId + " not written: " + e.getMessage(), e);
        }
    }

    /** The log's records with their lines as the file holds them, in order. */
    synchronized List<Map.Entry<AuditRecord, String>> auditLines() {
        try {
            List<String> lines = Files.readAllLines(audit.file(), StandardCharsets.UTF_8);
            List<Map.Entry<AuditRecord, String>> out = new ArrayList<>();
            for (int i = 0; i < lines.size() && i < records.size(); i++) {
                out.add(Map.entry(records.get(i), lines.get(i)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("audit log of " + hostId + " not readable", e);
        }
    }

    /** The CA certificate files of this host's swtpm (root, issuer): the trust anchors of its EK certificate. */
    List<Path> localCaFiles() {
        return tpm.localCaCertificateFiles();
    }

    String tpmConnector() {
        return tpm.endpointSpec();
    }

    @Override
    public void close() {
        try {
            audit.close();
        } catch (AuditLogException e) {
            // the swtpm must stop whatever the log did
        } finally {
            tpm.close();
        }
    }
}
