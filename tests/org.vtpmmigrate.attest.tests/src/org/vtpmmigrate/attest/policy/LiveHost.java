package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import org.vtpmmigrate.attest.HashAlgorithm;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.TcgEvent;
import org.vtpmmigrate.attest.ima.ImaEntry;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * A host whose platform TPM is a real swtpm (sha1, sha256 and sha384 banks): logs are extended
 * into it as firmware and kernel would, and it quotes with tpm2-tools, writing the files of an
 * evidence directory ({@link EvidenceDirectory}).
 */
final class LiveHost implements AutoCloseable {
    static final Set<HashAlgorithm> BANKS = EnumSet.of(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384);
    /** Extends per tpm2_pcrextend call: keeps command lines short. */
    private static final int EXTENDS_PER_CALL = 40;
    private static final SecureRandom RANDOM = new SecureRandom();

    final SwtpmProcess tpm;
    private final List<String> pending = new ArrayList<>();
    private int quotes;

    private LiveHost(SwtpmProcess tpm) {
        this.tpm = tpm;
    }

    static LiveHost start() {
        return new LiveHost(SwtpmProcess.builder().pcrBanks("sha1", "sha256", "sha384").start());
    }

    /**
     * A clean reboot: TPM2_Shutdown(CLEAR), then a TPM Reset with Startup(CLEAR); PCRs back to
     * zero, reset counter up. Without the orderly shutdown every restart would count as an
     * attack on the dictionary-attack protection, and the TPM would soon refuse the AK.
     */
    void powerCycle() {
        flushExtends();
        tpm.runToolThenFlush("tpm2_shutdown", "-c").requireSuccess();
        tpm.restart();
    }

    /** Queues one extend of the allocated banks among {@code digests}. */
    void extend(int pcr, Map<HashAlgorithm, byte[]> digests) {
        StringJoiner spec = new StringJoiner(",", pcr + ":", "");
        for (HashAlgorithm b : HashAlgorithm.values()) {
            if (BANKS.contains(b) && digests.containsKey(b)) {
                spec.add(b.bankName() + "=" + HexFormat.of().formatHex(digests.get(b)));
            }
        }
        pending.add(spec.toString());
        if (pending.size() >= EXTENDS_PER_CALL) {
            flushExtends();
        }
    }

    /** Extends every extended event of a boot log, as firmware did. */
    void extendEventLog(EventLog log) {
        for (TcgEvent e : log.events()) {
            if (!e.isExtended()) {
                continue;
            }
            Map<HashAlgorithm, byte[]> d = new EnumMap<>(HashAlgorithm.class);
            for (HashAlgorithm b : BANKS) {
                e.digest(b).ifPresent(v -> d.put(b, v));
            }
            extend((int) e.pcrIndex(), d);
        }
    }

    /** Extends an IMA list as the kernel does: template hash into sha1, hash of the template data elsewhere. */
    void extendIma(ImaLog log) {
        for (ImaEntry e : log.entries()) {
            Map<HashAlgorithm, byte[]> d = new EnumMap<>(HashAlgorithm.class);
            for (HashAlgorithm b : BANKS) {
                if (e.isViolation()) {
                    byte[] ones = new byte[b.digestSize()];
                    Arrays.fill(ones, (byte) 0xFF);
                    d.put(b, ones);
                } else {
                    d.put(b, b == HashAlgorithm.SHA1 ? e.templateHash() : b.digest(e.templateData().orElseThrow()));
                }
            }
            extend(e.pcr(), d);
        }
    }

    private void flushExtends() {
        if (pending.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add("tpm2_pcrextend");
        command.addAll(pending);
        pending.clear();
        tpm.runToolThenFlush(command.toArray(String[]::new)).requireSuccess();
    }

    /**
     * Quotes {@code selection} (tpm2-tools notation) with a fresh ECC AK and a random 32-byte nonce;
     * returns a new evidence directory holding ak.pub, quote.msg, quote.sig, quote.pcrs, nonce.hex.
     */
    Path quote(String selection) {
        flushExtends();
        String dir = "evidence-" + (++quotes);
        byte[] nonce = new byte[32];
        RANDOM.nextBytes(nonce);
        try {
            Path d = Files.createDirectory(tpm.workingDirectory().resolve(dir));
            // one command at a time, flushed after each: swtpm has three object slots
            tpm.runToolThenFlush("tpm2_createek", "-c", dir + "/ek.ctx", "-G", "ecc").requireSuccess();
            tpm.runToolThenFlush("tpm2_createak", "-C", dir + "/ek.ctx", "-c", dir + "/ak.ctx", "-G", "ecc", "-g",
                    "sha256", "-s", "ecdsa", "-u", dir + "/ak.pub").requireSuccess();
            tpm.runToolThenFlush("tpm2_quote", "-c", dir + "/ak.ctx", "-l", selection, "-q",
                    HexFormat.of().formatHex(nonce), "-m", dir + "/quote.msg", "-s", dir + "/quote.sig", "-o",
                    dir + "/quote.pcrs", "-g", "sha256").requireSuccess();
            Files.writeString(d.resolve("nonce.hex"), HexFormat.of().formatHex(nonce) + "\n");
            for (String scratch : List.of("ek.ctx", "ak.ctx")) {
                Files.deleteIfExists(d.resolve(scratch));
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds the RSA EK certificate (NV index 0x1c00002) and the public area of the RSA EK that
     * swtpm_setup made persistent (0x81010001) to an evidence directory.
     */
    void addEkCertificate(Path evidence) {
        String rel = tpm.workingDirectory().relativize(evidence).toString();
        tpm.runToolThenFlush("tpm2_nvread", "-o", rel + "/" + EvidenceDirectory.EK_CERTIFICATE, "0x1c00002")
                .requireSuccess();
        tpm.runToolThenFlush("tpm2_readpublic", "-c", "0x81010001", "-o", rel + "/ek.pub").requireSuccess();
    }

    private static final List<Path> LINKS = new ArrayList<>();

    /** Links a corpus file into an evidence directory under the layout's name (never a copy). */
    static synchronized void link(Path evidence, String name, Path target) {
        try {
            LINKS.add(Files.createSymbolicLink(evidence.resolve(name), target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the links made so far (not their targets) before temporary directories are cleaned up. */
    static synchronized void unlinkAll() {
        try {
            for (Path link : LINKS) {
                Files.deleteIfExists(link);
            }
            LINKS.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        tpm.close();
    }
}
