package org.vtpmmigrate.attest.tpm2;

import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;

/**
 * A decoded TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12) of type QUOTE or CERTIFY, the structure a TPM
 * signs in TPM2_Quote and TPM2_Certify. Decoding is strict: the magic must be
 * TPM_GENERATED_VALUE and every byte must be consumed. Decoding proves nothing: only a verified
 * signature over {@link #encoded()} makes the fields trustworthy. Immutable.
 */
public final class TpmAttest {

    /** The attestation types this project verifies. */
    public enum Type {
        CERTIFY(TpmConstants.TPM_ST_ATTEST_CERTIFY), QUOTE(TpmConstants.TPM_ST_ATTEST_QUOTE);

        private final int tag;

        Type(int tag) {
            this.tag = tag;
        }

        /** TPM_ST value on the wire. */
        public int tag() {
            return tag;
        }

        public static Optional<Type> fromTag(int tag) {
            for (Type t : values()) {
                if (t.tag == tag) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** TPMS_QUOTE_INFO: the PCRs quoted and the digest of their values. */
    public record QuoteInfo(PcrSelection pcrSelection, byte[] pcrDigest) {
        @Override
        public byte[] pcrDigest() {
            return pcrDigest.clone();
        }
    }

    /** TPMS_CERTIFY_INFO: name and qualified name of the certified object. */
    public record CertifyInfo(byte[] name, byte[] qualifiedName) {
        @Override
        public byte[] name() {
            return name.clone();
        }

        @Override
        public byte[] qualifiedName() {
            return qualifiedName.clone();
        }
    }

    private final byte[] encoded;
    private final Type type;
    private final byte[] qualifiedSigner;
    private final byte[] extraData;
    private final ClockInfo clockInfo;
    private final long firmwareVersion;
    private final QuoteInfo quoteInfo;
    private final CertifyInfo certifyInfo;

    private TpmAttest(byte[] encoded, Type type, byte[] qualifiedSigner, byte[] extraData, ClockInfo clockInfo,
            long firmwareVersion, QuoteInfo quoteInfo, CertifyInfo certifyInfo) {
        this.encoded = encoded;
        this.type = type;
        this.qualifiedSigner = qualifiedSigner;
        this.extraData = extraData;
        this.clockInfo = clockInfo;
        this.firmwareVersion = firmwareVersion;
        this.quoteInfo = quoteInfo;
        this.certifyInfo = certifyInfo;
    }

    /** Decodes a bare TPMS_ATTEST (what tpm2-tools writes with {@code -m}/{@code -o}). */
    public static TpmAttest parse(byte[] attest) throws TpmFormatException {
        Objects.requireNonNull(attest, "attest");
        if (attest.length > TpmConstants.MAX_ATTEST) {
            throw new TpmFormatException("TPMS_ATTEST", 0, attest.length + " bytes exceed the maximum " + TpmConstants.MAX_ATTEST);
        }
        TpmReader r = TpmReader.of(attest, "TPMS_ATTEST");
        long magic = r.u32("magic");
        if (magic != TpmConstants.TPM_GENERATED_VALUE) {
            throw r.errorAt("magic", 0, describeForeignMagic(attest));
        }
        int typeAt = r.offset();
        int tag = r.u16("type");
        Type type = Type.fromTag(tag).orElseThrow(() -> r.errorAt("type", typeAt,
                "attestation type " + TpmConstants.hex16(tag) + " is neither QUOTE (0x8018) nor CERTIFY (0x8017)"));
        byte[] qualifiedSigner = r.tpm2b("qualifiedSigner", TpmConstants.MAX_TPMT_HA);
        byte[] extraData = r.tpm2b("extraData", TpmConstants.MAX_TPMT_HA);
        long clock = r.u64("clockInfo.clock");
        long resetCount = r.u32("clockInfo.resetCount");
        long restartCount = r.u32("clockInfo.restartCount");
        int safeAt = r.offset();
        int safe = r.u8("clockInfo.safe");
        if (safe > 1) {
            throw r.errorAt("clockInfo.safe", safeAt, "TPMI_YES_NO value " + safe + " is neither 0 nor 1");
        }
        long firmwareVersion = r.u64("firmwareVersion");
        QuoteInfo quote = null;
        CertifyInfo certify = null;
        if (type == Type.QUOTE) {
            PcrSelection sel = PcrSelection.read(r, "attested.quote.pcrSelect.");
            byte[] pcrDigest = r.tpm2b("attested.quote.pcrDigest", TpmConstants.MAX_DIGEST);
            quote = new QuoteInfo(sel, pcrDigest);
        } else {
            byte[] name = r.tpm2b("attested.certify.name", TpmConstants.MAX_TPMT_HA);
            byte[] qualifiedName = r.tpm2b("attested.certify.qualifiedName", TpmConstants.MAX_TPMT_HA);
            certify = new CertifyInfo(name, qualifiedName);
        }
        r.expectEnd();
        return new TpmAttest(attest.clone(), type, qualifiedSigner, extraData,
                new ClockInfo(clock, resetCount, restartCount, safe == 1), firmwareVersion, quote, certify);
    }

    /**
     * Explains a wrong magic. A TPM 1.2 TPM_QUOTE_INFO starts with version 1.1.0.0 and "QUOT":
     * name it, so a TPM 1.2 quote is reported as an unsupported format rather than as garbage.
     */
    static String describeForeignMagic(byte[] attest) {
        String got = attest.length >= 4 ? HexFormat.of().formatHex(attest, 0, 4) : "(truncated)";
        if (attest.length >= 8 && attest[0] == 1 && attest[1] == 1 && attest[4] == 'Q' && attest[5] == 'U'
                && attest[6] == 'O' && attest[7] == 'T') {
            return "magic " + got + " is not TPM_GENERATED_VALUE ff544347: this is a TPM 1.2 TPM_QUOTE_INFO "
                    + "(version 1.1, 'QUOT'); TPM 1.2 quotes are not supported";
        }
        return "magic " + got + " is not TPM_GENERATED_VALUE ff544347 (not produced by a TPM 2.0)";
    }

    public Type type() {
        return type;
    }

    /** Qualified name of the signing key. */
    public byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    /** The caller's qualifying data (the verifier's nonce). */
    public byte[] extraData() {
        return extraData.clone();
    }

    public ClockInfo clockInfo() {
        return clockInfo;
    }

    /** Vendor-specific firmware version. */
    public long firmwareVersion() {
        return firmwareVersion;
    }

    public Optional<QuoteInfo> quoteInfo() {
        return Optional.ofNullable(quoteInfo);
    }

    public Optional<CertifyInfo> certifyInfo() {
        return Optional.ofNullable(certifyInfo);
    }

    /** The exact signed bytes. */
    public byte[] encoded() {
        return encoded.clone();
    }

    @Override
    public String toString() {
        HexFormat hex = HexFormat.of();
        return "TpmAttest[" + type + ", extraData=" + hex.formatHex(extraData) + ", " + clockInfo
                + (quoteInfo != null ? ", pcrs=" + quoteInfo.pcrSelection + ", pcrDigest=" + hex.formatHex(quoteInfo.pcrDigest) : "")
                + (certifyInfo != null ? ", name=" + hex.formatHex(certifyInfo.name) : "") + "]";
    }
}
