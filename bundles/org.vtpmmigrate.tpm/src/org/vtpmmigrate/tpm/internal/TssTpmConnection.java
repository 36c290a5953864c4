package org.vtpmmigrate.tpm.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.spec.ECPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

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
import org.vtpmmigrate.tpm.TpmEndpoint;
import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmKeyHandle;
import org.vtpmmigrate.tpm.TpmKeyPublic;
import org.vtpmmigrate.tpm.TpmResponseCode;
import org.vtpmmigrate.tpm.TpmTransportOptions;

import tss.tpm.CreatePrimaryResponse;
import tss.tpm.CreateResponse;
import tss.tpm.GetCapabilityResponse;
import tss.tpm.NV_ReadPublicResponse;
import tss.tpm.PCR_ReadResponse;
import tss.tpm.ReadPublicResponse;
import tss.tpm.StartAuthSessionResponse;
import tss.tpm.TPM2B_DIGEST;
import tss.tpm.TPML_TAGGED_TPM_PROPERTY;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_ID_OBJECT;
import tss.tpm.TPMS_NULL_SIG_SCHEME;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMS_TAGGED_PROPERTY;
import tss.tpm.TPMT_HA;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_CC;
import tss.tpm.TPM_ECC_CURVE;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_PT;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SE;

/**
 * {@link TpmConnection} on TSS.Java. Every transient object and session it creates is recorded
 * until flushed, and {@link #close()} flushes what is left.
 */
public final class TssTpmConnection implements TpmConnection {

    private static final int TPM_RC_HANDLE = 0x08B;
    private static final int TPM_RC_VALUE = 0x084;
    private static final int TPM_RC_POLICY_FAIL = 0x09D;
    private static final int TPM_RC_INTEGRITY = 0x09F;
    private static final int TPMA_NV_OWNERREAD = 0x00020000;
    private static final int TPMA_NV_AUTHREAD = 0x00040000;
    private static final int MAX_PCR_READ_ATTEMPTS = 5;
    private static final int MAX_EK_CERTIFICATE = 16 * 1024;
    private static final int MAX_CREDENTIAL_BLOB = 2 + 2 + 64 + 64;
    private static final int MAX_ENCRYPTED_SECRET = 2 + 512;
    private static final int DEFAULT_NV_BUFFER = 512;
    // Room in a response for header, parameterSize, the TPM2B size and a password session.
    private static final int NV_READ_RESPONSE_OVERHEAD = 32;
    private static final int P256_COORDINATE = 32;
    private static final int SESSION_NONCE = 32;

    private final TpmEndpoint endpoint;
    private final TpmTransportOptions options;
    private final CommandExecutor executor;
    private final SecureRandom random = new SecureRandom();
    private final Set<Integer> loadedHandles = new LinkedHashSet<>();
    private final Map<Integer, TransientKey> openKeys = new HashMap<>();
    private final Map<EkType, TpmKeyPublic> ekPublics = new EnumMap<>(EkType.class);
    private int nvReadChunk;
    private boolean open = true;

    private TssTpmConnection(TpmEndpoint endpoint, TpmTransportOptions options, CommandExecutor executor) {
        this.endpoint = endpoint;
        this.options = options;
        this.executor = executor;
    }

    /** Opens the transport of {@code endpoint}. */
    static TssTpmConnection open(TpmEndpoint endpoint, TpmTransportOptions options) throws TpmException {
        FramedTpmDevice device = endpoint.transport() == TpmEndpoint.Transport.SWTPM
                ? new SwtpmSocketDevice(endpoint.host(), endpoint.port(), options)
                : new CharacterDevice(endpoint.devicePath(), options.maxResponseBytes());
        try {
            device.open();
        } catch (IOException e) {
            device.closeQuietly();
            throw new TpmException(TpmException.Kind.TRANSPORT, "connecting to " + endpoint, e.toString(), e);
        }
        return new TssTpmConnection(endpoint, options, new CommandExecutor(device));
    }

    @Override
    public TpmEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    // ---------------------------------------------------------------- PCRs

    @Override
    public synchronized PcrValues readPcrs(PcrSelection selection) throws TpmException {
        requireOpen();
        Objects.requireNonNull(selection, "selection");
        for (int attempt = 1; attempt <= MAX_PCR_READ_ATTEMPTS; attempt++) {
            Optional<PcrValues> snapshot = readPcrSnapshot(selection);
            if (snapshot.isPresent()) {
                return snapshot.get();
            }
        }
        throw new TpmException(TpmException.Kind.UNAVAILABLE, "PCR_Read of " + selection,
                "the PCRs changed during each of " + MAX_PCR_READ_ATTEMPTS + " attempts to read them together", null);
    }

    /** One pass over the selection; empty if the PCR update counter moved between commands. */
    private Optional<PcrValues> readPcrSnapshot(PcrSelection selection) throws TpmException {
        Map<PcrBank, SortedSet<Integer>> remaining = new LinkedHashMap<>();
        for (PcrBank bank : selection.banks()) {
            remaining.put(bank, new TreeSet<>(selection.indices(bank)));
        }
        Map<PcrBank, Map<Integer, byte[]>> values = new EnumMap<>(PcrBank.class);
        Integer updateCounter = null;
        while (!remaining.isEmpty()) {
            PcrSelection.Builder requestBuilder = PcrSelection.builder();
            remaining.forEach(requestBuilder::add);
            PcrSelection request = requestBuilder.build();
            String operation = "PCR_Read of " + request;
            PCR_ReadResponse response = executor.execute(operation, tpm -> tpm.PCR_Read(PcrSelections.toTss(request)));
            if (updateCounter != null && updateCounter != response.pcrUpdateCounter) {
                return Optional.empty();
            }
            updateCounter = response.pcrUpdateCounter;
            int returned = takePcrValues(operation, response, remaining, values);
            if (returned == 0) {
                throw new TpmException(TpmException.Kind.UNAVAILABLE, operation,
                        "the TPM returned no value for these PCRs (is the bank allocated?)", null);
            }
            remaining.values().removeIf(SortedSet::isEmpty);
        }
        return Optional.of(PcrValues.of(selection, values));
    }

    /** Moves the values of one PCR_Read response from {@code remaining} into {@code values}. */
    private static int takePcrValues(String operation, PCR_ReadResponse response,
            Map<PcrBank, SortedSet<Integer>> remaining, Map<PcrBank, Map<Integer, byte[]>> values)
            throws TpmException {
        TPM2B_DIGEST[] digests = response.pcrValues == null ? new TPM2B_DIGEST[0] : response.pcrValues;
        TPMS_PCR_SELECTION[] selected = response.pcrSelectionOut == null ? new TPMS_PCR_SELECTION[0]
                : response.pcrSelectionOut;
        int next = 0;
        for (TPMS_PCR_SELECTION bankSelection : selected) {
            PcrBank bank = bankOf(operation, bankSelection.hash.toInt());
            byte[] bitmap = bankSelection.pcrSelect == null ? new byte[0] : bankSelection.pcrSelect;
            for (int index = 0; index < bitmap.length * 8; index++) {
                if ((bitmap[index / 8] & (1 << (index % 8))) == 0) {
                    continue;
                }
                SortedSet<Integer> wanted = remaining.get(bank);
                if (wanted == null || !wanted.contains(index)) {
                    throw malformed(operation, "the TPM returned PCR " + bank + ":" + index + ", which was not requested");
                }
                if (next >= digests.length) {
                    throw malformed(operation, "the TPM selected more PCRs than it returned values (" + digests.length
                            + ")");
                }
                byte[] value = digests[next++].buffer;
                if (value == null || value.length != bank.digestLength()) {
                    throw malformed(operation, "PCR " + bank + ":" + index + " value has "
                            + (value == null ? 0 : value.length) + " bytes, expected " + bank.digestLength());
                }
                values.computeIfAbsent(bank, b -> new HashMap<>()).put(index, value.clone());
                wanted.remove(index);
            }
        }
        if (next != digests.length) {
            throw malformed(operation, "the TPM returned " + digests.length + " values for " + next + " selected PCRs");
        }
        return next;
    }

    private static PcrBank bankOf(String operation, int algorithmId) throws TpmException {
        try {
            return PcrBank.fromAlgorithmId(algorithmId);
        } catch (IllegalArgumentException e) {
            throw malformed(operation, e.getMessage());
        }
    }

    @Override
    public synchronized void extendPcr(int index, Map<PcrBank, byte[]> digests) throws TpmException {
        requireOpen();
        checkPcrIndex(index);
        if (digests.isEmpty()) {
            throw new IllegalArgumentException("PCR_Extend needs at least one bank digest");
        }
        List<TPMT_HA> hashes = new ArrayList<>();
        digests.forEach((bank, digest) -> {
            if (digest.length != bank.digestLength()) {
                throw new IllegalArgumentException("Digest for bank " + bank + " has " + digest.length
                        + " bytes, expected " + bank.digestLength());
            }
            hashes.add(new TPMT_HA(TPM_ALG_ID.fromInt(bank.algorithmId()), digest.clone()));
        });
        executor.execute("PCR_Extend of PCR " + index + " in " + digests.keySet(), tpm -> {
            tpm.PCR_Extend(TPM_HANDLE.pcr(index), hashes.toArray(TPMT_HA[]::new));
            return null;
        });
    }

    @Override
    public synchronized Map<PcrBank, byte[]> pcrEvent(int index, byte[] eventData) throws TpmException {
        requireOpen();
        checkPcrIndex(index);
        if (eventData.length > MAX_EVENT_DATA) {
            throw new IllegalArgumentException("PCR_Event data of " + eventData.length + " bytes exceeds "
                    + MAX_EVENT_DATA);
        }
        byte[] data = eventData.clone();
        String operation = "PCR_Event on PCR " + index;
        TPMT_HA[] extended = executor.execute(operation, tpm -> tpm.PCR_Event(TPM_HANDLE.pcr(index), data));
        Map<PcrBank, byte[]> result = new EnumMap<>(PcrBank.class);
        for (TPMT_HA hash : extended == null ? new TPMT_HA[0] : extended) {
            // Banks this API has no name for (SM3, say) are left out of the report.
            try {
                result.put(PcrBank.fromAlgorithmId(hash.hashAlg.toInt()), hash.digest.clone());
            } catch (IllegalArgumentException e) {
                continue;
            }
        }
        return result;
    }

    private static void checkPcrIndex(int index) {
        if (index < 0 || index >= PcrSelection.PCR_COUNT) {
            throw new IllegalArgumentException("PCR index " + index + " is outside 0.." + (PcrSelection.PCR_COUNT - 1));
        }
    }

    // ---------------------------------------------------------------- endorsement key

    @Override
    public synchronized Optional<byte[]> readEkCertificate(EkType type) throws TpmException {
        requireOpen();
        int nvIndex = type.certificateNvIndex();
        String operation = "reading the " + type + " EK certificate from NV index " + hex(nvIndex);
        NV_ReadPublicResponse nvPublic;
        try {
            nvPublic = executor.execute(operation + " (NV_ReadPublic)", tpm -> tpm.NV_ReadPublic(TPM_HANDLE.NV(nvIndex)));
        } catch (TpmException e) {
            if (hasBaseCode(e, TPM_RC_HANDLE)) {
                return Optional.empty();
            }
            throw e;
        }
        int size = nvPublic.nvPublic.dataSize;
        if (size <= 0 || size > MAX_EK_CERTIFICATE) {
            throw malformed(operation, "NV index size " + size + " is outside 1.." + MAX_EK_CERTIFICATE);
        }
        int attributes = nvPublic.nvPublic.attributes.toInt();
        TPM_HANDLE authHandle;
        if ((attributes & TPMA_NV_AUTHREAD) != 0) {
            authHandle = TPM_HANDLE.NV(nvIndex);
        } else if ((attributes & TPMA_NV_OWNERREAD) != 0) {
            authHandle = TPM_HANDLE.from(TPM_RH.OWNER);
        } else {
            throw new TpmException(TpmException.Kind.UNAVAILABLE, operation, String.format(
                    "NV attributes 0x%08x allow neither AUTHREAD nor OWNERREAD", attributes), null);
        }
        int chunk = nvReadChunk();
        byte[] data = new byte[size];
        for (int offset = 0; offset < size; offset += chunk) {
            int length = Math.min(chunk, size - offset);
            int at = offset;
            byte[] part = executor.execute(operation + " (NV_Read of " + length + " bytes at offset " + at + ")",
                    tpm -> tpm.NV_Read(authHandle, TPM_HANDLE.NV(nvIndex), length, at));
            if (part == null || part.length != length) {
                throw malformed(operation, "NV_Read at offset " + at + " returned " + (part == null ? 0 : part.length)
                        + " bytes instead of " + length);
            }
            System.arraycopy(part, 0, data, offset, length);
        }
        return Optional.of(trimToDer(data));
    }

    /** NV indices are often larger than the certificate: cut after the outer DER SEQUENCE. */
    private static byte[] trimToDer(byte[] data) {
        if (data.length < 2 || data[0] != 0x30) {
            return data;
        }
        int first = data[1] & 0xFF;
        long length;
        int header;
        if (first < 0x80) {
            length = first;
            header = 2;
        } else {
            int lengthBytes = first & 0x7F;
            if (lengthBytes == 0 || lengthBytes > 3 || data.length < 2 + lengthBytes) {
                return data;
            }
            length = 0;
            for (int i = 0; i < lengthBytes; i++) {
                length = (length << 8) | (data[2 + i] & 0xFF);
            }
            header = 2 + lengthBytes;
        }
        long total = header + length;
        return total <= data.length ? Arrays.copyOf(data, (int) total) : data;
    }

    /** Bytes per NV_Read: the TPM's TPM_PT_NV_BUFFER_MAX, within what a response may carry here. */
    private int nvReadChunk() throws TpmException {
        if (nvReadChunk == 0) {
            GetCapabilityResponse capability = executor.execute("GetCapability(TPM_PT_NV_BUFFER_MAX)",
                    tpm -> tpm.GetCapability(TPM_CAP.TPM_PROPERTIES, TPM_PT.NV_BUFFER_MAX.toInt(), 1));
            int chunk = DEFAULT_NV_BUFFER;
            if (capability.capabilityData instanceof TPML_TAGGED_TPM_PROPERTY properties
                    && properties.tpmProperty != null) {
                for (TPMS_TAGGED_PROPERTY property : properties.tpmProperty) {
                    if (property.property != null && property.property.toInt() == TPM_PT.NV_BUFFER_MAX.toInt()
                            && property.value > 0) {
                        chunk = property.value;
                    }
                }
            }
            nvReadChunk = Math.max(1, Math.min(chunk, options.maxResponseBytes() - NV_READ_RESPONSE_OVERHEAD));
        }
        return nvReadChunk;
    }

    @Override
    public synchronized TpmKeyPublic readEkPublic(EkType type) throws TpmException {
        requireOpen();
        TpmKeyPublic cached = ekPublics.get(type);
        if (cached != null) {
            return cached;
        }
        LoadedObject ek = loadEndorsementKey(type);
        try {
            return ek.keyPublic;
        } finally {
            releaseEndorsementKey(ek);
        }
    }

    /** An object in the TPM with its public area; {@code transientHandle} if it must be flushed. */
    private record LoadedObject(int handle, TpmKeyPublic keyPublic, boolean transientHandle) {
    }

    private LoadedObject loadEndorsementKey(EkType type) throws TpmException {
        int persistent = type.persistentHandle();
        String operation = "ReadPublic of the " + type + " EK at " + hex(persistent);
        try {
            CommandExecutor.Executed<ReadPublicResponse> read =
                    executor.executeRaw(operation, tpm -> tpm.ReadPublic(new TPM_HANDLE(persistent)));
            RawResponse.Reader parameters = read.response().parameters(0);
            byte[] tpm2bPublic = parameters.sizedWithPrefix("outPublic");
            byte[] name = parameters.sizedContent("name");
            checkName(operation, tpm2bPublic, name);
            checkEndorsementKeyType(operation, type, read.result().outPublic);
            TpmKeyPublic keyPublic = new TpmKeyPublic(tpm2bPublic, name);
            ekPublics.put(type, keyPublic);
            return new LoadedObject(persistent, keyPublic, false);
        } catch (TpmException e) {
            if (!hasBaseCode(e, TPM_RC_HANDLE)) {
                throw e;
            }
        }
        if (!type.creatableFromTemplate()) {
            throw new TpmException(TpmException.Kind.UNAVAILABLE, operation, "there is no EK at " + hex(persistent)
                    + ", and the " + type + " EK is only used when persistent", null);
        }
        LoadedObject created = createPrimary("CreatePrimary of the " + type + " EK from its default template",
                TPM_RH.ENDORSEMENT, ObjectTemplates.endorsementKey(type));
        ekPublics.put(type, created.keyPublic);
        return created;
    }

    private void releaseEndorsementKey(LoadedObject ek) throws TpmException {
        if (ek.transientHandle) {
            flushHandle(ek.handle, "transient EK");
        }
    }

    /** A persistent object at an EK handle must really be that kind of EK. */
    private static void checkEndorsementKeyType(String operation, EkType type, TPMT_PUBLIC outPublic)
            throws TpmException {
        String found;
        boolean matches;
        if (outPublic.parameters instanceof TPMS_RSA_PARMS rsa) {
            found = "an RSA " + rsa.keyBits + " key";
            matches = type == EkType.RSA_2048 && rsa.keyBits == 2048;
        } else if (outPublic.parameters instanceof TPMS_ECC_PARMS ecc) {
            found = "an ECC key on curve " + ecc.curveID;
            matches = type == EkType.ECC_NIST_P256 && ecc.curveID == TPM_ECC_CURVE.NIST_P256
                    || type == EkType.ECC_NIST_P384 && ecc.curveID == TPM_ECC_CURVE.NIST_P384;
        } else {
            found = "a key of type " + outPublic.type();
            matches = false;
        }
        if (!matches) {
            throw new TpmException(TpmException.Kind.UNAVAILABLE, operation, "the persistent handle holds " + found
                    + ", not the " + type + " EK", null);
        }
    }

    @Override
    public synchronized byte[] activateCredential(AttestationKey attestationKey, EkType ekType, byte[] credentialBlob,
            byte[] encryptedSecret) throws TpmException {
        requireOpen();
        TransientKey.Attestation ak = owned(attestationKey, TransientKey.Attestation.class);
        TPMS_ID_OBJECT idObject = parseIdObject(credentialBlob);
        byte[] secret = sizedContent("encryptedSecret (TPM2B_ENCRYPTED_SECRET)", encryptedSecret, MAX_ENCRYPTED_SECRET);
        LoadedObject ek = loadEndorsementKey(ekType);
        try {
            String operation = "ActivateCredential of " + ak.label() + " with the " + ekType + " EK at "
                    + hex(ek.handle);
            CommandExecutor.Hint hint = code -> code.baseCode() == TPM_RC_INTEGRITY
                    ? "the credential was not made for this attestation key's name with this EK" : "";
            TPM_HANDLE akHandle = new TPM_HANDLE(ak.handle());
            TPM_HANDLE ekHandle = new TPM_HANDLE(ek.handle);
            byte[] tpm2bPublic = ek.keyPublic.tpm2bPublic();
            if ((PublicAreas.objectAttributes(tpm2bPublic) & PublicAreas.ATTRIBUTE_USER_WITH_AUTH) != 0) {
                return executor.execute(operation, hint,
                        tpm -> tpm.ActivateCredential(akHandle, ekHandle, idObject, secret));
            }
            // An EK without userWithAuth (templates L-1, L-2) is usable only through its policy.
            int session = startPolicySession(operation, PublicAreas.nameAlg(tpm2bPublic));
            try {
                executor.execute("PolicySecret(TPM_RH_ENDORSEMENT) for " + operation, tpm -> {
                    tpm.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT), new TPM_HANDLE(session), new byte[0],
                            new byte[0], new byte[0], 0);
                    return null;
                });
                return executor.execute(operation, hint, tpm -> tpm._withSessions(TPM_HANDLE.PW, new TPM_HANDLE(session))
                        .ActivateCredential(akHandle, ekHandle, idObject, secret));
            } finally {
                flushHandle(session, "policy session");
            }
        } finally {
            releaseEndorsementKey(ek);
        }
    }

    /** TPM2B_ID_OBJECT: size, then TPMS_ID_OBJECT = TPM2B_DIGEST integrityHMAC || encIdentity. */
    private static TPMS_ID_OBJECT parseIdObject(byte[] credentialBlob) {
        String field = "credentialBlob (TPM2B_ID_OBJECT)";
        byte[] content = sizedContent(field, credentialBlob, MAX_CREDENTIAL_BLOB);
        if (content.length < 2) {
            throw new IllegalArgumentException(field + " is too short for its integrity HMAC size");
        }
        int hmacSize = ((content[0] & 0xFF) << 8) | (content[1] & 0xFF);
        if (2 + hmacSize >= content.length) {
            throw new IllegalArgumentException(field + ": integrity HMAC of " + hmacSize
                    + " bytes leaves no room for the encrypted identity in " + content.length + " bytes");
        }
        return new TPMS_ID_OBJECT(Arrays.copyOfRange(content, 2, 2 + hmacSize),
                Arrays.copyOfRange(content, 2 + hmacSize, content.length));
    }

    /** The content of a caller-supplied TPM2B whose size prefix must match its length exactly. */
    private static byte[] sizedContent(String field, byte[] tpm2b, int maxLength) {
        if (tpm2b.length < 2 || tpm2b.length > maxLength) {
            throw new IllegalArgumentException(field + " of " + tpm2b.length + " bytes is outside 2.." + maxLength);
        }
        int size = ((tpm2b[0] & 0xFF) << 8) | (tpm2b[1] & 0xFF);
        if (size != tpm2b.length - 2) {
            throw new IllegalArgumentException(field + " announces " + size + " bytes but carries "
                    + (tpm2b.length - 2));
        }
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    // ---------------------------------------------------------------- attestation key, quote, certify

    @Override
    public synchronized AttestationKey createAttestationKey(AkAlgorithm algorithm) throws TpmException {
        requireOpen();
        Objects.requireNonNull(algorithm, "algorithm");
        LoadedObject created = createPrimary("CreatePrimary of an " + algorithm + " attestation key",
                TPM_RH.ENDORSEMENT, ObjectTemplates.attestationKey(algorithm));
        return register(new TransientKey.Attestation(this, created.handle, created.keyPublic, algorithm));
    }

    @Override
    public synchronized SignedAttestation quote(AttestationKey attestationKey, byte[] qualifyingData,
            PcrSelection selection) throws TpmException {
        requireOpen();
        TransientKey.Attestation ak = owned(attestationKey, TransientKey.Attestation.class);
        byte[] nonce = checkQualifyingData(qualifyingData);
        Objects.requireNonNull(selection, "selection");
        String operation = "Quote with " + ak.label() + " over " + selection;
        CommandExecutor.Executed<?> quoted = executor.executeRaw(operation, tpm -> tpm.Quote(
                new TPM_HANDLE(ak.handle()), nonce, new TPMS_NULL_SIG_SCHEME(), PcrSelections.toTss(selection)));
        return signedAttestation(quoted.response(), "quoted");
    }

    @Override
    public synchronized SignedAttestation certify(BoundDecryptionKey key, AttestationKey attestationKey,
            byte[] qualifyingData) throws TpmException {
        requireOpen();
        TransientKey.Bound bound = owned(key, TransientKey.Bound.class);
        TransientKey.Attestation ak = owned(attestationKey, TransientKey.Attestation.class);
        byte[] data = checkQualifyingData(qualifyingData);
        String operation = "Certify of " + bound.label() + " with " + ak.label();
        CommandExecutor.Executed<?> certified = executor.executeRaw(operation, tpm -> tpm.Certify(
                new TPM_HANDLE(bound.handle()), new TPM_HANDLE(ak.handle()), data, new TPMS_NULL_SIG_SCHEME()));
        return signedAttestation(certified.response(), "certifyInfo");
    }

    /** Quote and Certify answer TPM2B_ATTEST then TPMT_SIGNATURE, which fills the parameter area. */
    private static SignedAttestation signedAttestation(RawResponse response, String attestField) throws TpmException {
        RawResponse.Reader parameters = response.parameters(0);
        byte[] attest = parameters.sizedContent(attestField);
        if (parameters.remaining() < 4) {
            throw parameters.malformed("TPMT_SIGNATURE of " + parameters.remaining() + " bytes is too short");
        }
        return new SignedAttestation(attest, parameters.rest());
    }

    private static byte[] checkQualifyingData(byte[] qualifyingData) {
        if (qualifyingData.length > MAX_QUALIFYING_DATA) {
            throw new IllegalArgumentException("Qualifying data of " + qualifyingData.length + " bytes exceeds "
                    + MAX_QUALIFYING_DATA);
        }
        return qualifyingData.clone();
    }

    // ---------------------------------------------------------------- PCR-bound key

    @Override
    public synchronized BoundDecryptionKey createPcrBoundDecryptionKey(PcrValues boundValues, BoundKeyPolicy policy)
            throws TpmException {
        requireOpen();
        Objects.requireNonNull(boundValues, "boundValues");
        Objects.requireNonNull(policy, "policy");
        byte[] authPolicy = PolicyDigests.boundKeyPolicy(boundValues, policy);
        LoadedObject srk = createStorageRootKey();
        try {
            return createBoundKeyUnder(srk.handle, boundValues, policy, authPolicy);
        } finally {
            // The loaded child stays usable without its parent; the SRK would only hold a slot.
            flushHandle(srk.handle, "storage root key");
        }
    }

    /** The ECC storage root key, created as a primary in the owner hierarchy and left loaded. */
    LoadedObject createStorageRootKey() throws TpmException {
        return createPrimary("CreatePrimary of the ECC storage root key", TPM_RH.OWNER, ObjectTemplates.storageRootKey());
    }

    private BoundDecryptionKey createBoundKeyUnder(int parent, PcrValues boundValues, BoundKeyPolicy policy,
            byte[] authPolicy) throws TpmException {
        String createOperation = "Create of a PCR-bound key (" + policy + " over " + boundValues.selection()
                + ") under " + hex(parent);
        CommandExecutor.Executed<CreateResponse> created = executor.executeRaw(createOperation,
                tpm -> tpm.Create(new TPM_HANDLE(parent), emptySensitive(), ObjectTemplates.boundDecryptionKey(authPolicy),
                        new byte[0], new TPMS_PCR_SELECTION[0]));
        RawResponse.Reader parameters = created.response().parameters(0);
        parameters.sizedContent("outPrivate");
        byte[] tpm2bPublic = parameters.sizedWithPrefix("outPublic");
        String loadOperation = "Load of the PCR-bound key under " + hex(parent);
        CommandExecutor.Executed<TPM_HANDLE> loaded = executor.executeRaw(loadOperation,
                tpm -> tpm.Load(new TPM_HANDLE(parent), created.result().outPrivate, created.result().outPublic));
        int handle = loaded.result().handle;
        loadedHandles.add(handle);
        try {
            byte[] name = loaded.response().parameters(1).sizedContent("name");
            // Load re-marshals TSS.Java's parsed public area; the TPM's name proves it is the same bytes.
            checkName(loadOperation, tpm2bPublic, name);
            return register(new TransientKey.Bound(this, handle, new TpmKeyPublic(tpm2bPublic, name), boundValues,
                    policy, authPolicy, PolicyDigests.pcrDigest(boundValues)));
        } catch (TpmException | RuntimeException e) {
            flushAfterFailure(handle, "PCR-bound key", e);
            throw e;
        }
    }

    @Override
    public synchronized byte[] ecdhZGen(BoundDecryptionKey key, ECPoint peerPublic) throws TpmException {
        requireOpen();
        TransientKey.Bound bound = owned(key, TransientKey.Bound.class);
        Objects.requireNonNull(peerPublic, "peerPublic");
        TPMS_ECC_POINT inPoint = new TPMS_ECC_POINT(coordinate("x", peerPublic.getAffineX()),
                coordinate("y", peerPublic.getAffineY()));
        String operation = "ECDH_ZGen on " + bound.label();
        int session = startPolicySession(operation, TPM_ALG_ID.SHA256.toInt());
        try {
            TPM_HANDLE sessionHandle = new TPM_HANDLE(session);
            executor.execute("PolicyPCR for " + operation,
                    code -> code.baseCode() == TPM_RC_VALUE
                            ? "the PCRs no longer hold the values the key is bound to (" + bound.boundValues().selection()
                                    + ")"
                            : "",
                    tpm -> {
                        tpm.PolicyPCR(sessionHandle, bound.pcrDigest(),
                                PcrSelections.toTss(bound.boundValues().selection()));
                        return null;
                    });
            if (bound.policy() == BoundKeyPolicy.PCR_AND_ECDH_ZGEN) {
                executor.execute("PolicyCommandCode(ECDH_ZGen) for " + operation, tpm -> {
                    tpm.PolicyCommandCode(sessionHandle, TPM_CC.ECDH_ZGen);
                    return null;
                });
            }
            TPMS_ECC_POINT outPoint = executor.execute(operation,
                    code -> code.baseCode() == TPM_RC_POLICY_FAIL
                            ? "the policy session does not satisfy the key's authPolicy" : "",
                    tpm -> tpm._withSession(sessionHandle).ECDH_ZGen(new TPM_HANDLE(bound.handle()), inPoint));
            return fixedLength(operation, outPoint == null ? null : outPoint.x);
        } finally {
            flushHandle(session, "policy session");
        }
    }

    private static byte[] coordinate(String name, BigInteger value) {
        if (value.signum() < 0 || value.bitLength() > 8 * P256_COORDINATE) {
            throw new IllegalArgumentException("Peer point " + name + " coordinate does not fit P-256");
        }
        byte[] magnitude = value.toByteArray();
        byte[] fixed = new byte[P256_COORDINATE];
        int copy = Math.min(magnitude.length, P256_COORDINATE);
        System.arraycopy(magnitude, magnitude.length - copy, fixed, P256_COORDINATE - copy, copy);
        return fixed;
    }

    private static byte[] fixedLength(String operation, byte[] x) throws TpmException {
        if (x == null || x.length == 0 || x.length > P256_COORDINATE) {
            throw malformed(operation, "the shared point's x coordinate has " + (x == null ? 0 : x.length)
                    + " bytes, expected up to " + P256_COORDINATE);
        }
        byte[] fixed = new byte[P256_COORDINATE];
        System.arraycopy(x, 0, fixed, P256_COORDINATE - x.length, x.length);
        return fixed;
    }

    // ---------------------------------------------------------------- objects, sessions, flushing

    private LoadedObject createPrimary(String operation, TPM_RH hierarchy, TPMT_PUBLIC template) throws TpmException {
        CommandExecutor.Executed<CreatePrimaryResponse> created = executor.executeRaw(operation,
                tpm -> tpm.CreatePrimary(TPM_HANDLE.from(hierarchy), emptySensitive(), template, new byte[0],
                        new TPMS_PCR_SELECTION[0]));
        int handle = created.result().handle.handle;
        loadedHandles.add(handle);
        try {
            RawResponse.Reader parameters = created.response().parameters(1);
            byte[] tpm2bPublic = parameters.sizedWithPrefix("outPublic");
            parameters.sizedContent("creationData");
            parameters.sizedContent("creationHash");
            parameters.uint16("creationTicket.tag");
            parameters.uint32("creationTicket.hierarchy");
            parameters.sizedContent("creationTicket.digest");
            byte[] name = parameters.sizedContent("name");
            checkName(operation, tpm2bPublic, name);
            return new LoadedObject(handle, new TpmKeyPublic(tpm2bPublic, name), true);
        } catch (TpmException | RuntimeException e) {
            flushAfterFailure(handle, "new primary key", e);
            throw e;
        }
    }

    private static TPMS_SENSITIVE_CREATE emptySensitive() {
        return new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]);
    }

    /** Starts an unbound, unsalted policy session with the given hash algorithm. */
    int startPolicySession(String purpose, int hashAlgorithm) throws TpmException {
        byte[] nonceCaller = new byte[SESSION_NONCE];
        random.nextBytes(nonceCaller);
        StartAuthSessionResponse started = executor.execute("StartAuthSession (policy) for " + purpose,
                tpm -> tpm.StartAuthSession(TPM_HANDLE.from(TPM_RH.NULL), TPM_HANDLE.from(TPM_RH.NULL), nonceCaller,
                        new byte[0], TPM_SE.POLICY, new TPMT_SYM_DEF(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL), TPM_ALG_ID.fromInt(hashAlgorithm)));
        int handle = started.handle.handle;
        loadedHandles.add(handle);
        return handle;
    }

    /** Flushes a transient object or session; one the TPM no longer knows counts as flushed. */
    void flushHandle(int handle, String what) throws TpmException {
        try {
            executor.execute("FlushContext of " + what + " " + hex(handle), tpm -> {
                tpm.FlushContext(new TPM_HANDLE(handle));
                return null;
            });
        } catch (TpmException e) {
            if (!hasBaseCode(e, TPM_RC_HANDLE)) {
                throw e;
            }
        }
        loadedHandles.remove(handle);
    }

    private void flushAfterFailure(int handle, String what, Exception primary) {
        try {
            flushHandle(handle, what);
        } catch (TpmException e) {
            primary.addSuppressed(e);
        }
    }

    synchronized void flushKey(TransientKey key) throws TpmException {
        if (!key.openFlag()) {
            return;
        }
        key.markClosed();
        openKeys.remove(key.handle());
        if (open) {
            // If this fails the handle stays recorded, and close() tries again.
            flushHandle(key.handle(), key.kind());
        }
    }

    private <K extends TransientKey> K register(K key) {
        openKeys.put(key.handle(), key);
        return key;
    }

    private <K extends TransientKey> K owned(TpmKeyHandle key, Class<K> type) {
        Objects.requireNonNull(key, "key");
        if (!type.isInstance(key) || ((TransientKey) key).owner() != this) {
            throw new IllegalArgumentException(key + " was not created on this connection");
        }
        K owned = type.cast(key);
        if (!owned.openFlag()) {
            throw new IllegalStateException(owned.label() + " has been flushed");
        }
        return owned;
    }

    /** Handles of transient objects and sessions created here and not yet flushed. */
    synchronized Set<Integer> loadedHandles() {
        return Set.copyOf(loadedHandles);
    }

    @Override
    public synchronized void close() throws TpmException {
        if (!open) {
            return;
        }
        TpmException firstFailure = null;
        try {
            for (TransientKey key : openKeys.values()) {
                key.markClosed();
            }
            openKeys.clear();
            for (int handle : new ArrayList<>(loadedHandles)) {
                try {
                    flushHandle(handle, "leftover handle");
                } catch (TpmException e) {
                    if (firstFailure == null) {
                        firstFailure = e;
                    } else {
                        firstFailure.addSuppressed(e);
                    }
                }
            }
        } finally {
            open = false;
            executor.close();
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("The connection to " + endpoint + " is closed");
        }
    }

    private static void checkName(String operation, byte[] tpm2bPublic, byte[] tpmName) throws TpmException {
        boolean matches;
        try {
            matches = PublicAreas.nameMatches(tpm2bPublic, tpmName);
        } catch (IllegalArgumentException e) {
            throw malformed(operation, "cannot compute the name of the public area: " + e.getMessage());
        }
        if (!matches) {
            throw malformed(operation, "the TPM's name does not match the public area it returned");
        }
    }

    private static boolean hasBaseCode(TpmException e, int baseCode) {
        return e.responseCode().map(TpmResponseCode::baseCode).orElse(-1) == baseCode;
    }

    private static TpmException malformed(String operation, String detail) {
        return new TpmException(TpmException.Kind.MALFORMED_RESPONSE, operation, detail, null);
    }

    static String hex(int handle) {
        return String.format("0x%08x", handle);
    }

    @Override
    public String toString() {
        return "TpmConnection[" + endpoint + "]";
    }
}
