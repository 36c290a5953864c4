package org.vtpmmigrate.attest.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import org.vtpmmigrate.attest.eventlog.EventLog;
import org.vtpmmigrate.attest.ima.ImaLog;
import org.vtpmmigrate.attest.tpm2.EkCertificateValidator;
import org.vtpmmigrate.attest.tpm2.TpmPublic;
import org.vtpmmigrate.attest.tpm2.Tpm2ToolsFiles;
import org.vtpmmigrate.testsupport.TestData;

/**
 * The shared corpus' swtpm quote vectors (quotes/swtpm, read in place): a real swtpm into which
 * the boot log {@value #EVENT_LOG} and the IMA list {@value #IMA_LOG} were extended, then quoted
 * over sha1:0-10,14,16 + sha256:0-10,14,16,23 with an RSA AK. Its EK certificate chains to the
 * swtpm local CA in {@code common/}.
 */
final class SwtpmVector {
    static final String DIR = "quotes/swtpm/";
    static final String EVENT_LOG = "eventlogs/go-eventlog/tpm/ubuntu-2104-no-secure-boot.bin";
    static final String IMA_LOG = "ima/rust-keylime/ascii_runtime_measurements";
    static final String ROOT_CA = DIR + "common/swtpm-localca-rootca-cert.pem";
    static final String ISSUER_CA = DIR + "common/swtpm-localca-issuercert.pem";

    private SwtpmVector() {
    }

    static Path path(String relative) {
        return TestData.resolve(relative);
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] hexFile(String relative) {
        return HexFormat.of().parseHex(new String(bytes(relative), StandardCharsets.US_ASCII).strip());
    }

    /** The quote of one vector directory (valid, tampered_pcrs, tampered_sig, wrong_nonce) with the RSA AK. */
    static Evidence.Quote quote(String vector) {
        return quote(vector, hexFile(DIR + vector + "/nonce.hex"));
    }

    static Evidence.Quote quote(String vector, byte[] nonce) {
        try {
            return Evidence.Quote.of(TpmPublic.parseTpm2b(bytes(DIR + "common/ak.pub.tss")),
                    bytes(DIR + vector + "/quote.msg"), bytes(DIR + vector + "/quote.sig"),
                    Tpm2ToolsFiles.readSerializedPcrs(bytes(DIR + vector + "/quote.pcrs")), nonce);
        } catch (Exception e) {
            throw new AssertionError("swtpm vector " + vector + " does not load", e);
        }
    }

    static EventLog eventLog() {
        return eventLog(bytes(EVENT_LOG));
    }

    static EventLog eventLog(byte[] log) {
        try {
            return EventLog.parse(log);
        } catch (Exception e) {
            throw new AssertionError("event log does not parse", e);
        }
    }

    static ImaLog imaLog() {
        return imaLog(bytes(IMA_LOG));
    }

    static ImaLog imaLog(byte[] list) {
        try {
            return ImaLog.parse(list);
        } catch (Exception e) {
            throw new AssertionError("IMA log does not parse", e);
        }
    }

    /** Quote, boot log and IMA log of the valid vector, with its EK certificate and intermediate CA. */
    static Evidence.Builder valid() {
        return withEk(Evidence.builder(quote("valid")).eventLog(eventLog()).imaLog(imaLog()));
    }

    static Evidence.Builder withEk(Evidence.Builder b) {
        try {
            return b.ek(EkCertificateValidator.parseCertificate(bytes(DIR + "common/ek_rsa_cert.pem")),
                    TpmPublic.parseTpm2b(bytes(DIR + "common/ek.pub")),
                    List.of(EkCertificateValidator.parseCertificate(bytes(ISSUER_CA))));
        } catch (Exception e) {
            throw new AssertionError("EK files of the swtpm vector do not load", e);
        }
    }

    /** Trust in the swtpm local root CA, given by file name. */
    static Policy.EkTrust trustRootCa() {
        try {
            return new Policy.EkTrust(List.of(new Policy.CertificateSource(java.util.Optional.of(path(ROOT_CA).toString()),
                    List.of(EkCertificateValidator.parseCertificate(bytes(ROOT_CA))))), List.of());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The policy the generator makes from the valid vector, trusting the swtpm root CA. */
    static Policy generated() {
        try {
            return PolicyGenerator.fromEvidence(valid().build(), PolicyGenerator.Options.of("swtpm-vector")
                    .withEkTrust(trustRootCa())).policy();
        } catch (EvidenceRejectedException e) {
            throw new AssertionError("the valid vector must yield a policy: "
                    + e.verdict().map(Verdict::toText).orElse(e.getMessage()), e);
        }
    }
}
