package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

import org.vtpmmigrate.attest.PcrValues;
import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.eventlog.EventLogFormatException;
import org.vtpmmigrate.attest.ima.ImaFormatException;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.policy.internal.JsonFields;
import org.vtpmmigrate.attest.policy.internal.JsonTree;
import org.vtpmmigrate.attest.tpm2.ClockInfo;
import org.vtpmmigrate.attest.tpm2.EkCertificateException;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmFormatException;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.Tpm2ToolsFiles;

/**
 * A host's evidence as files in one directory, as tpm2-tools and the kernel write them:
 * <pre>
 * quote.msg           required  TPMS_ATTEST            tpm2_quote -m
 * quote.sig           required  TPMT_SIGNATURE         tpm2_quote -s
 * quote.pcrs          required  PCR values, tpm2-tools "serialized" form   tpm2_quote -o
 * nonce.hex           required  the verifier's nonce in hex (empty file: empty nonce)
 * ak.pub | ak.pem     one required: the AK as TPM2B_PUBLIC (tpm2_createak -u, attributes are
 *                     checked) or as a PEM/DER public key (tpm2_readpublic -f pem)
 * eventlog.bin        optional  TCG boot event log (/sys/kernel/security/tpm0/binary_bios_measurements)
 * ima.log             optional  IMA list, ASCII or binary (/sys/kernel/security/ima/*_runtime_measurements)
 * launch.json         optional  VM launch measurements ({@link LaunchLog} JSON form)
 * ek.crt + ek.pub     optional, together: EK certificate (PEM or DER, e.g. tpm2_nvread 0x1c00002)
 *                     and EK public area (TPM2B_PUBLIC, tpm2_createek -u)
 * ek-chain.pem        optional  CA certificates linking the EK certificate to a trusted CA
 * previous-clock.json optional  an earlier clock reading of the same TPM:
 *                     {"clock": n, "resetCount": n, "restartCount": n, "safe": true}
 * </pre>
 * Other files are ignored. Every file is size-checked before it is read. Evidence read from
 * files never counts as bound to an EK by credential activation.
 */
public final class EvidenceDirectory {
    public static final String QUOTE_MESSAGE = "quote.msg";
    public static final String QUOTE_SIGNATURE = "quote.sig";
    public static final String QUOTE_PCRS = "quote.pcrs";
    public static final String NONCE = "nonce.hex";
    public static final String AK_TPM_PUBLIC = "ak.pub";
    public static final String AK_PEM = "ak.pem";
    public static final String EVENT_LOG = "eventlog.bin";
    public static final String IMA_LOG = "ima.log";
    public static final String LAUNCH = "launch.json";
    public static final String EK_CERTIFICATE = "ek.crt";
    public static final String EK_PUBLIC = "ek.pub";
    public static final String EK_CHAIN = "ek-chain.pem";
    public static final String PREVIOUS_CLOCK = "previous-clock.json";

    /** Limit for the small files (quote, signature, keys, certificates, nonce). */
    static final int MAX_SMALL_FILE = 64 * 1024;

    private EvidenceDirectory() {
    }

    /** Reads and parses the evidence in {@code dir}. */
    public static Evidence read(Path dir) throws EvidenceException {
        if (!Files.isDirectory(dir)) {
            throw new EvidenceException(dir.toString(), "not a directory");
        }
        byte[] attest = small(dir, QUOTE_MESSAGE);
        byte[] signature = small(dir, QUOTE_SIGNATURE);
        PcrValues pcrs;
        try {
            pcrs = Tpm2ToolsFiles.readSerializedPcrs(small(dir, QUOTE_PCRS));
        } catch (TpmFormatException e) {
            throw new EvidenceException(QUOTE_PCRS, e.getMessage(), e);
        }
        byte[] nonce = nonce(dir);
        Evidence.Quote quote = quote(dir, attest, signature, pcrs, nonce);
        Evidence.Builder b = Evidence.builder(quote);

        Path eventLog = dir.resolve(EVENT_LOG);
        if (Files.exists(eventLog)) {
            try {
                b.eventLog(EventLog.read(eventLog));
            } catch (EventLogFormatException e) {
                throw new EvidenceException(EVENT_LOG, e.getMessage(), e);
            } catch (IOException e) {
                throw new EvidenceException(EVENT_LOG, "cannot read: " + e, e);
            }
        }
        Path ima = dir.resolve(IMA_LOG);
        if (Files.exists(ima)) {
            try {
                b.imaLog(ImaLog.read(ima));
            } catch (ImaFormatException e) {
                throw new EvidenceException(IMA_LOG, e.getMessage(), e);
            } catch (IOException e) {
                throw new EvidenceException(IMA_LOG, "cannot read: " + e, e);
            }
        }
        Path launch = dir.resolve(LAUNCH);
        if (Files.exists(launch)) {
            try {
                b.launchLog(LaunchLog.fromJson(text(dir, LAUNCH, LaunchLog.MAX_JSON_CHARS), LAUNCH));
            } catch (PolicyFormatException e) {
                throw new EvidenceException(LAUNCH, withoutSource(e), e);
            }
        }
        boolean hasCert = Files.exists(dir.resolve(EK_CERTIFICATE));
        boolean hasEkPublic = Files.exists(dir.resolve(EK_PUBLIC));
        if (hasCert != hasEkPublic) {
            throw new EvidenceException(hasCert ? EK_PUBLIC : EK_CERTIFICATE, "missing: " + EK_CERTIFICATE + " and "
                    + EK_PUBLIC + " go together (the certificate is checked against the EK public area)");
        }
        if (hasCert) {
            X509Certificate cert;
            try {
                cert = EkCertificateValidator.parseCertificate(small(dir, EK_CERTIFICATE));
            } catch (EkCertificateException e) {
                throw new EvidenceException(EK_CERTIFICATE, e.getMessage(), e);
            }
            TpmPublic ek;
            try {
                ek = TpmPublic.parseTpm2b(small(dir, EK_PUBLIC));
            } catch (TpmFormatException e) {
                throw new EvidenceException(EK_PUBLIC, e.getMessage(), e);
            }
            List<X509Certificate> chain = Files.exists(dir.resolve(EK_CHAIN)) ? certificates(dir, EK_CHAIN) : List.of();
            b.ek(cert, ek, chain);
        }
        if (Files.exists(dir.resolve(PREVIOUS_CLOCK))) {
            b.previousClock(clock(text(dir, PREVIOUS_CLOCK, 4096)));
        }
        return b.build();
    }

    private static Evidence.Quote quote(Path dir, byte[] attest, byte[] signature, PcrValues pcrs, byte[] nonce)
            throws EvidenceException {
        boolean tpmPublic = Files.exists(dir.resolve(AK_TPM_PUBLIC));
        boolean pem = Files.exists(dir.resolve(AK_PEM));
        if (tpmPublic == pem) {
            throw new EvidenceException(AK_TPM_PUBLIC, tpmPublic ? "give one of " + AK_TPM_PUBLIC + " and " + AK_PEM
                    + ", not both" : "missing: the attestation key is needed as " + AK_TPM_PUBLIC + " (TPM2B_PUBLIC) or "
                    + AK_PEM + " (PEM public key)");
        }
        if (tpmPublic) {
            try {
                return Evidence.Quote.of(TpmPublic.parseTpm2b(small(dir, AK_TPM_PUBLIC)), attest, signature, pcrs, nonce);
            } catch (TpmFormatException e) {
                throw new EvidenceException(AK_TPM_PUBLIC, e.getMessage(), e);
            } catch (InvalidKeyException e) {
                throw new EvidenceException(AK_TPM_PUBLIC, "holds no usable key: " + e.getMessage(), e);
            }
        }
        try {
            PublicKey key = Tpm2ToolsFiles.readPublicKey(small(dir, AK_PEM));
            return Evidence.Quote.of(key, attest, signature, pcrs, nonce);
        } catch (TpmFormatException e) {
            throw new EvidenceException(AK_PEM, e.getMessage(), e);
        }
    }

    private static byte[] nonce(Path dir) throws EvidenceException {
        String hex = new String(small(dir, NONCE), StandardCharsets.US_ASCII).strip();
        if (hex.startsWith("0x") || hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        if (hex.length() % 2 != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new EvidenceException(NONCE, "expected an even number of hex digits, found \""
                    + (hex.length() > 40 ? hex.substring(0, 40) + "..." : hex) + "\"");
        }
        if (hex.length() > 2 * 64) {
            throw new EvidenceException(NONCE, hex.length() / 2 + " bytes; a TPM accepts at most 64 bytes of"
                    + " qualifying data");
        }
        return HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT));
    }

    private static List<X509Certificate> certificates(Path dir, String name) throws EvidenceException {
        Collection<? extends Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(
                    new java.io.ByteArrayInputStream(small(dir, name)));
        } catch (CertificateException e) {
            throw new EvidenceException(name, "not X.509 certificates in PEM or DER: " + e.getMessage(), e);
        }
        if (certs.size() > 16) {
            throw new EvidenceException(name, certs.size() + " certificates; at most 16 are accepted");
        }
        List<X509Certificate> out = new ArrayList<>();
        certs.forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    private static ClockInfo clock(String json) throws EvidenceException {
        try {
            JsonTree.Node root = JsonTree.parse(json, PREVIOUS_CLOCK, 64);
            JsonFields f = new JsonFields(root);
            long clock = JsonFields.integer(f.required("clock"), 0, Long.MAX_VALUE);
            long reset = JsonFields.integer(f.required("resetCount"), 0, 0xFFFFFFFFL);
            long restart = JsonFields.integer(f.required("restartCount"), 0, 0xFFFFFFFFL);
            boolean safe = JsonFields.bool(f.required("safe"));
            f.finish();
            return new ClockInfo(clock, reset, restart, safe);
        } catch (PolicyFormatException e) {
            throw new EvidenceException(PREVIOUS_CLOCK, withoutSource(e), e);
        }
    }

    /** "line 3: events[0].sha256: problem", the file being named by the EvidenceException. */
    private static String withoutSource(PolicyFormatException e) {
        return (e.line() > 0 ? "line " + e.line() + ": " : "") + (e.path().isEmpty() ? "" : e.path() + ": ") + e.problem();
    }

    private static String text(Path dir, String name, int limit) throws EvidenceException {
        try {
            return PolicyJson.utf8(bounded(dir, name, limit), name);
        } catch (PolicyFormatException e) {
            throw new EvidenceException(name, e.problem(), e);
        }
    }

    private static byte[] small(Path dir, String name) throws EvidenceException {
        return bounded(dir, name, MAX_SMALL_FILE);
    }

    private static byte[] bounded(Path dir, String name, int limit) throws EvidenceException {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new EvidenceException(name, Files.exists(p) ? "not a regular file" : "missing");
        }
        try {
            long size = Files.size(p);
            if (size > limit) {
                throw new EvidenceException(name, size + " bytes exceed the limit of " + limit);
            }
            try (InputStream in = Files.newInputStream(p)) {
                byte[] b = in.readNBytes(limit + 1);
                if (b.length > limit) {
                    throw new EvidenceException(name, "grew beyond the limit of " + limit + " bytes while read");
                }
                return b;
            }
        } catch (IOException e) {
            throw new EvidenceException(name, "cannot read: " + e, e);
        }
    }
}
