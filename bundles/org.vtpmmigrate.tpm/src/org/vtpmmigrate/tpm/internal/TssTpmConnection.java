package org.vtpmmigrate.tpm.internal;

import java.io.IOException;
import java.security.MessageDigest;
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
import tss.tpm.HashResponse;
import tss.tpm.NV_ReadPublicResponse;
import tss.tpm.ReadPublicResponse;
import tss.tpm.SequenceCompleteResponse;
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
import tss.tpm.TPMT_TK_HASHCHECK;
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
    private static final int TPM_RC_TICKET = 0x0A0;
    private static final int TPM_RC_OBJECT_MEMORY = 0x902;
    private static final int TPMA_NV_OWNERREAD = 0x00020000;
    private static final int TPMA_NV_AUTHREAD = 0x00040000;
    private static final int MAX_PCR_READ_ATTEMPTS = 5;
    private static final int MAX_EK_CERTIFICATE = 16 * 1024;
    private static final int DEFAULT_NV_BUFFER = 512;
    // Room in a response for header, parameterSize, the TPM2B size and a password session.
    private static final int NV_READ_RESPONSE_OVERHEAD = 32;
    private static final int SESSION_NONCE = 32;
    private static final int TPM_GENERATED_VALUE = 0xFF544347;
    // TPM2B_MAX_BUFFER (Hash, SequenceUpdate): 1024 bytes in the reference TPM and the PC Client minimum.
    private static final int MAX_HASH_BUFFER = 1024;
    // The attestation key's own hierarchy: signing then needs no other hierarchy enabled.
    private static final TPM_RH HASH_TICKET_HIERARCHY = TPM_RH.ENDORSEMENT;

    private final TpmEndpoint endpoint;
    private final TpmTransportOptions options;
    private final CommandExecutor executor;
    private final Runnable onClose;
    private final SecureRandom random = new SecureRandom();
    private final Set<Integer> loadedHandles = new LinkedHashSet<>();
    private final Map<Integer, TransientKey> openKeys = new HashMap<>();
    private final Map<EkType, TpmKeyPublic> ekPublics = new EnumMap<>(EkType.class);
    private int nvReadChunk;
    private boolean open = true;

    private TssTpmConnection(TpmEndpoint endpoint, TpmTransportOptions options, FramedTpmDevice device,
            Runnable onClose) {
        this.endpoint = endpoint;
        this.options = options;
        this.executor = new CommandExecutor(device, this::generalHint);
        this.onClose = onClose;
    }

    /** Opens the transport of {@code endpoint}. */
    static TssTpmConnection open(TpmEndpoint endpoint, TpmTransportOptions options) throws TpmException {
        FramedTpmDevice device;
        Runnable release;
        if (endpoint.transport() == TpmEndpoint.Transport.SWTPM) {
            release = SwtpmConnectionGate.acquire(endpoint, options.connectTimeout());
            device = new SwtpmSocketDevice(endpoint.host(), endpoint.port(), options);
        } else {
            release = () -> { };
            device = new CharacterDevice(endpoint.devicePath(), options.maxResponseBytes());
        }
        try {
            device.open();
        } catch (IOException e) {
            device.closeQuietly();
            release.run();
            throw new TpmException(TpmException.Kind.TRANSPORT, "connecting to " + endpoint, e.toString(), e);
        }
        return new TssTpmConnection(endpoint, options, device, release);
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
            RawResponse response = executor.executeRaw(operation, tpm -> tpm.PCR_Read(PcrSelections.toTss(request)))
                    .response();
            RawResponse.Reader parameters = response.parameters(0);
            int counter = parameters.uint32("pcrUpdateCounter");
            if (updateCounter != null && updateCounter != counter) {
                return Optional.empty();
            }
            updateCounter = counter;
            int returned = WireFormat.pcrReadValues(operation, parameters, remaining, values);
            if (returned == 0) {
                throw new TpmException(TpmException.Kind.UNAVAILABLE, operation,
                        "the TPM returned no value for these PCRs (is the bank allocated?)", null);
            }
            remaining.values().removeIf(SortedSet::isEmpty);
        }
        return Optional.of(PcrValues.of(selection, values));
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
            PcrBank bank;
            try {
                bank = PcrBank.fromAlgorithmId(hash.hashAlg.toInt());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (hash.digest == null || hash.digest.length != bank.digestLength()) {
                throw WireFormat.malformed(operation, "the " + bank + " event digest has "
                        + (hash.digest == null ? 0 : hash.digest.length) + " bytes");
            }
            result.put(bank, hash.digest.clone());
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
            nvPublic = executor.execute(operation + " (NV_ReadPublic)", tpm -> tpm.NV_ReadPublic(new TPM_HANDLE(nvIndex)));
        } catch (TpmException e) {
            if (hasBaseCode(e, TPM_RC_HANDLE)) {
                return Optional.empty();
            }
            throw e;
        }
        int size = nvPublic.nvPublic.dataSize;
        if (size <= 0 || size > MAX_EK_CERTIFICATE) {
            throw WireFormat.malformed(operation, "NV index size " + size + " is outside 1.." + MAX_EK_CERTIFICATE);
        }
        int attributes = nvPublic.nvPublic.attributes.toInt();
        TPM_HANDLE authHandle;
        if ((attributes & TPMA_NV_AUTHREAD) != 0) {
            authHandle = new TPM_HANDLE(nvIndex);
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
                    tpm -> tpm.NV_Read(authHandle, new TPM_HANDLE(nvIndex), length, at));
            if (part == null || part.length != length) {
                throw WireFormat.malformed(operation, "NV_Read at offset " + at + " returned " + (part == null ? 0 : part.length)
                        + " bytes instead of " + length);
            }
            System.arraycopy(part, 0, data, offset, length);
        }
        return Optional.of(WireFormat.trimToDer(data));
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
        return ek.transientHandle ? thenFlush(ek.handle, "transient EK", () -> ek.keyPublic) : ek.keyPublic;
    }

    /** An object in the TPM with its public area; {@code transientHandle} if it must be flushed. */
    record LoadedObject(int handle, TpmKeyPublic keyPublic, boolean transientHandle) {
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
            WireFormat.checkName(operation, tpm2bPublic, name);
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
        TPMS_ID_OBJECT idObject = WireFormat.idObject(credentialBlob);
        byte[] secret = WireFormat.callerTpm2b("encryptedSecret (TPM2B_ENCRYPTED_SECRET)", encryptedSecret,
                WireFormat.MAX_ENCRYPTED_SECRET);
        LoadedObject ek = loadEndorsementKey(ekType);
        TpmCall<byte[]> activation = () -> activateWith(ak, ekType, ek, idObject, secret);
        return ek.transientHandle ? thenFlush(ek.handle, "transient EK", activation) : activation.run();
    }

    private byte[] activateWith(TransientKey.Attestation ak, EkType ekType, LoadedObject ek, TPMS_ID_OBJECT idObject,
            byte[] secret) throws TpmException {
        String operation = "ActivateCredential of " + ak.label() + " with the " + ekType + " EK at " + hex(ek.handle);
        CommandExecutor.Hint hint = code -> code.baseCode() == TPM_RC_INTEGRITY
                ? "the credential was not made for this attestation key's name with this EK" : "";
        TPM_HANDLE akHandle = new TPM_HANDLE(ak.handle());
        TPM_HANDLE ekHandle = new TPM_HANDLE(ek.handle);
        byte[] tpm2bPublic = ek.keyPublic.tpm2bPublic();
        if ((PublicAreas.objectAttributes(tpm2bPublic) & PublicAreas.ATTRIBUTE_USER_WITH_AUTH) != 0) {
            return WireFormat.recoveredSecret(executor.executeRaw(operation, hint,
                    tpm -> tpm.ActivateCredential(akHandle, ekHandle, idObject, secret)).response());
        }
        // An EK without userWithAuth (templates L-1, L-2) is usable only through its policy.
        int session = startPolicySession(operation, PublicAreas.nameAlg(tpm2bPublic));
        return thenFlush(session, "policy session", () -> {
            executor.execute("PolicySecret(TPM_RH_ENDORSEMENT) for " + operation, tpm -> {
                tpm.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT), new TPM_HANDLE(session), new byte[0],
                        new byte[0], new byte[0], 0);
                return null;
            });
            return WireFormat.recoveredSecret(executor.executeRaw(operation, hint, tpm -> tpm
                    ._withSessions(TPM_HANDLE.PW, new TPM_HANDLE(session))
                    .ActivateCredential(akHandle, ekHandle, idObject, secret)).response());
        });
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
        return WireFormat.signedAttestation(quoted.response(), "quoted");
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
        return WireFormat.signedAttestation(certified.response(), "certifyInfo");
    }

    @Override
    public synchronized byte[] sign(AttestationKey attestationKey, byte[] data) throws TpmException {
        requireOpen();
        TransientKey.Attestation ak = owned(attestationKey, TransientKey.Attestation.class);
        if (data.length > MAX_SIGNED_DATA) {
            throw new IllegalArgumentException("Data to sign of " + data.length + " bytes exceeds " + MAX_SIGNED_DATA);
        }
        byte[] message = data.clone();
        String operation = "Sign of " + message.length + " bytes with " + ak.label();
        TicketedDigest hashed = message.length <= MAX_HASH_BUFFER ? hashOnce(operation, message)
                : hashInSequence(operation, message, HASH_TICKET_HIERARCHY);
        // The signature must be over SHA-256 of exactly these bytes, whatever happened on the way.
        if (!MessageDigest.isEqual(hashed.digest, PolicyDigests.sha256().digest(message))) {
            throw WireFormat.malformed(operation, "the TPM's SHA-256 digest differs from that of the data sent");
        }
        RawResponse signed = executor.executeRaw(operation,
                code -> code.baseCode() == TPM_RC_TICKET ? ticketRefusal(message) : "",
                tpm -> tpm.Sign(new TPM_HANDLE(ak.handle()), hashed.digest, new TPMS_NULL_SIG_SCHEME(), hashed.ticket))
                .response();
        return WireFormat.signature(signed);
    }

    /** A SHA-256 digest computed by the TPM, with the ticket that lets a restricted key sign it. */
    record TicketedDigest(byte[] digest, TPMT_TK_HASHCHECK ticket) {
    }

    private TicketedDigest hashOnce(String purpose, byte[] data) throws TpmException {
        HashResponse hashed = executor.execute("Hash for " + purpose,
                tpm -> tpm.Hash(data, TPM_ALG_ID.SHA256, TPM_HANDLE.from(HASH_TICKET_HIERARCHY)));
        return new TicketedDigest(hashed.outHash, hashed.validation);
    }

    /**
     * SHA-256 of more than one buffer's worth of data: HashSequenceStart, SequenceUpdate per full
     * buffer, then SequenceComplete with the last 1..1024 bytes and a ticket for
     * {@code ticketHierarchy}. The sequence object is flushed if any step fails. The caller holds
     * this connection's lock.
     */
    TicketedDigest hashInSequence(String purpose, byte[] data, TPM_RH ticketHierarchy) throws TpmException {
        int sequence = executor.executeRaw("HashSequenceStart for " + purpose,
                tpm -> tpm.HashSequenceStart(new byte[0], TPM_ALG_ID.SHA256)).response().responseHandle();
        loadedHandles.add(sequence);
        TPM_HANDLE sequenceHandle = new TPM_HANDLE(sequence);
        int lastPiece = (data.length - 1) / MAX_HASH_BUFFER * MAX_HASH_BUFFER;
        SequenceCompleteResponse completed;
        try {
            for (int offset = 0; offset < lastPiece; offset += MAX_HASH_BUFFER) {
                byte[] piece = Arrays.copyOfRange(data, offset, offset + MAX_HASH_BUFFER);
                executor.execute("SequenceUpdate at offset " + offset + " of hash sequence " + hex(sequence) + " for "
                        + purpose, tpm -> {
                            tpm.SequenceUpdate(sequenceHandle, piece);
                            return null;
                        });
            }
            byte[] last = Arrays.copyOfRange(data, lastPiece, data.length);
            completed = executor.execute("SequenceComplete of hash sequence " + hex(sequence) + " for " + purpose,
                    tpm -> tpm.SequenceComplete(sequenceHandle, last, TPM_HANDLE.from(ticketHierarchy)));
        } catch (TpmException | RuntimeException e) {
            flushAfterFailure(sequence, "hash sequence", e);
            throw e;
        }
        // A successful SequenceComplete has flushed the sequence object.
        loadedHandles.remove(sequence);
        return new TicketedDigest(completed.result, completed.validation);
    }

    /** Explains TPM_RC_TICKET from TPM2_Sign. */
    private static String ticketRefusal(byte[] data) {
        if (data.length >= 4 && FramedTpmDevice.readUint32(data, 0) == TPM_GENERATED_VALUE) {
            return "the data begins with TPM_GENERATED_VALUE (0xff544347), so the TPM issued a null hash ticket:"
                    + " a restricted key does not sign data that could pass for a structure the TPM generated";
        }
        return "the TPM did not accept the hash ticket it issued for the data";
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
        // The loaded child stays usable without its parent; the SRK would only hold a slot.
        return thenFlush(srk.handle, "storage root key",
                () -> createBoundKeyUnder(srk.handle, boundValues, policy, authPolicy));
    }

    /** The ECC storage root key, created as a primary in the owner hierarchy and left loaded. */
    LoadedObject createStorageRootKey() throws TpmException {
        return createPrimary("CreatePrimary of the ECC storage root key", TPM_RH.OWNER, ObjectTemplates.storageRootKey());
    }

    /** Create and Load of a bound key under a loaded parent (the SRK). */
    BoundDecryptionKey createBoundKeyUnder(int parent, PcrValues boundValues, BoundKeyPolicy policy,
            byte[] authPolicy) throws TpmException {
        String createOperation = "Create of a PCR-bound key (" + policy + " over " + boundValues.selection()
                + ") under storage root key " + hex(parent);
        CommandExecutor.Executed<CreateResponse> created = executor.executeRaw(createOperation,
                tpm -> tpm.Create(new TPM_HANDLE(parent), emptySensitive(), ObjectTemplates.boundDecryptionKey(authPolicy),
                        new byte[0], new TPMS_PCR_SELECTION[0]));
        RawResponse.Reader parameters = created.response().parameters(0);
        parameters.sizedContent("outPrivate");
        byte[] tpm2bPublic = parameters.sizedWithPrefix("outPublic");
        String loadOperation = "Load of the PCR-bound key under storage root key " + hex(parent);
        CommandExecutor.Executed<TPM_HANDLE> loaded = executor.executeRaw(loadOperation,
                tpm -> tpm.Load(new TPM_HANDLE(parent), created.result().outPrivate, created.result().outPublic));
        int handle = loaded.response().responseHandle();
        loadedHandles.add(handle);
        try {
            byte[] name = loaded.response().parameters(1).sizedContent("name");
            // Load re-marshals TSS.Java's parsed public area; the TPM's name proves it is the same bytes.
            WireFormat.checkName(loadOperation, tpm2bPublic, name);
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
        TPMS_ECC_POINT inPoint = new TPMS_ECC_POINT(WireFormat.p256Coordinate("x", peerPublic.getAffineX()),
                WireFormat.p256Coordinate("y", peerPublic.getAffineY()));
        String operation = "ECDH_ZGen on " + bound.label();
        int session = startPolicySession(operation, TPM_ALG_ID.SHA256.toInt());
        return thenFlush(session, "policy session", () -> {
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
            RawResponse response = executor.executeRaw(operation,
                    code -> code.baseCode() == TPM_RC_POLICY_FAIL
                            ? "the policy session does not satisfy the key's authPolicy" : "",
                    tpm -> tpm._withSession(sessionHandle).ECDH_ZGen(new TPM_HANDLE(bound.handle()), inPoint))
                    .response();
            // TPM2B_ECC_POINT outPoint: size, then TPMS_ECC_POINT (x, y).
            RawResponse.Reader parameters = response.parameters(0);
            parameters.uint16("outPoint size");
            byte[] x = parameters.sizedContent("outPoint.x");
            parameters.sizedContent("outPoint.y");
            parameters.requireEnd("ECDH_ZGen response");
            return WireFormat.sharedSecretX(operation, x);
        });
    }

    // ---------------------------------------------------------------- objects, sessions, flushing

    private LoadedObject createPrimary(String operation, TPM_RH hierarchy, TPMT_PUBLIC template) throws TpmException {
        CommandExecutor.Executed<CreatePrimaryResponse> created = executor.executeRaw(operation,
                tpm -> tpm.CreatePrimary(TPM_HANDLE.from(hierarchy), emptySensitive(), template, new byte[0],
                        new TPMS_PCR_SELECTION[0]));
        int handle = created.response().responseHandle();
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
            WireFormat.checkName(operation, tpm2bPublic, name);
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
        RawResponse started = executor.executeRaw("StartAuthSession (policy) for " + purpose,
                tpm -> tpm.StartAuthSession(TPM_HANDLE.from(TPM_RH.NULL), TPM_HANDLE.from(TPM_RH.NULL), nonceCaller,
                        new byte[0], TPM_SE.POLICY, new TPMT_SYM_DEF(TPM_ALG_ID.NULL, 0, TPM_ALG_ID.NULL),
                        TPM_ALG_ID.fromInt(hashAlgorithm))).response();
        int handle = started.responseHandle();
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

    /** Work that may fail with a TPM error. */
    @FunctionalInterface
    private interface TpmCall<T> {
        T run() throws TpmException;
    }

    /**
     * Runs {@code work}, then flushes {@code handle} whatever happened; a flush failure after a
     * failed {@code work} is attached to that failure instead of hiding it.
     */
    private <T> T thenFlush(int handle, String what, TpmCall<T> work) throws TpmException {
        T result;
        try {
            result = work.run();
        } catch (TpmException | RuntimeException e) {
            flushAfterFailure(handle, what, e);
            throw e;
        }
        flushHandle(handle, what);
        return result;
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

    /** Diagnostics: handles of transient objects and sessions created here and not yet flushed. */
    public synchronized Set<Integer> loadedHandles() {
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
            onClose.run();
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
    }

    /** Explains codes that depend on this connection's state rather than on one operation. */
    private String generalHint(TpmResponseCode code) {
        if (code.baseCode() == TPM_RC_OBJECT_MEMORY) {
            return "this connection has " + openKeys.size() + " keys open " + openKeys.values()
                    + "; a TPM without resource manager (swtpm) holds 3 loaded objects, and creating a bound key"
                    + " needs 2 of them (storage root key and the new key)";
        }
        return "";
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("The connection to " + endpoint + " is closed");
        }
    }

    private static boolean hasBaseCode(TpmException e, int baseCode) {
        return e.responseCode().map(TpmResponseCode::baseCode).orElse(-1) == baseCode;
    }

    static String hex(int handle) {
        return String.format("0x%08x", handle);
    }

    @Override
    public String toString() {
        return "TpmConnection[" + endpoint + "]";
    }
}
