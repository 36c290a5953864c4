package org.vtpmmigrate.hypervisor.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationEpoch;
import org.vtpmmigrate.hypervisor.StaleEpochException;
import org.vtpmmigrate.hypervisor.VtpmInstance;
import org.vtpmmigrate.hypervisor.VtpmStore;

/** {@link VtpmStore} on the local filesystem, manufacturing instances with swtpm_setup. */
public final class SwtpmStore implements VtpmStore {
    static final String SWTPM_SETUP = "swtpm_setup";
    private static final String SETUP_CONFIG = "swtpm_setup.conf";
    private static final String LOCALCA_CONFIG = "swtpm-localca.conf";
    private static final String LOCALCA_OPTIONS = "swtpm-localca.options";
    private static final String ROOT_CA_CERT = "swtpm-localca-rootca-cert.pem";
    private static final String ISSUER_CERT = "issuercert.pem";
    private static final String LOCALCA_TOOL = "swtpm_localca";

    private final Path root;
    private final Path caDirectory;
    private final Path instancesDirectory;
    private final Path retiredDirectory;
    /** One object per instance, so "at most one swtpm per instance" is tracked in one place. */
    private final Map<String, SwtpmInstance> instances = new ConcurrentHashMap<>();

    private SwtpmStore(Path root) {
        this.root = root;
        this.caDirectory = root.resolve("ca");
        this.instancesDirectory = root.resolve("instances");
        this.retiredDirectory = root.resolve("retired");
    }

    public static SwtpmStore open(Path root) throws HypervisorException {
        Path absolute = UnixSockets.requireSafeOptionPath(root, "vTPM store root");
        SwtpmStore store = new SwtpmStore(absolute);
        try {
            for (Path directory : List.of(absolute, store.caDirectory, store.instancesDirectory,
                    store.retiredDirectory)) {
                PrivateDirectories.create(directory);
            }
            store.writeCaConfigIfAbsent();
        } catch (IOException e) {
            throw new HypervisorException("cannot prepare vTPM store at " + absolute + ": " + e.getMessage(), e);
        }
        return store;
    }

    /**
     * A private swtpm_setup/swtpm-localca configuration under the store, so manufacturing needs no
     * access to /etc or /var/lib/swtpm-localca and works for any user.
     */
    private void writeCaConfigIfAbsent() throws IOException {
        writeIfAbsent(caDirectory.resolve(LOCALCA_CONFIG),
                "statedir = " + caDirectory + "\n"
                        + "signingkey = " + caDirectory.resolve("signkey.pem") + "\n"
                        + "issuercert = " + caDirectory.resolve(ISSUER_CERT) + "\n"
                        + "certserial = " + caDirectory.resolve("certserial") + "\n");
        writeIfAbsent(caDirectory.resolve(LOCALCA_OPTIONS),
                "--platform-manufacturer vTPM-Migrate\n--platform-version 2.1\n--platform-model QEMU\n");
        writeIfAbsent(caDirectory.resolve(SETUP_CONFIG),
                "create_certs_tool = " + findOnPath(LOCALCA_TOOL) + "\n"
                        + "create_certs_tool_config = " + caDirectory.resolve(LOCALCA_CONFIG) + "\n"
                        + "create_certs_tool_options = " + caDirectory.resolve(LOCALCA_OPTIONS) + "\n"
                        + "active_pcr_banks = sha256\n");
    }

    /** swtpm_setup runs the certificate tool by the path in its configuration file. */
    private static Path findOnPath(String executable) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String directory : path.split(":")) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IOException(executable + " (from the swtpm-tools package) is not on PATH " + path);
    }

    private static void writeIfAbsent(Path file, String content) throws IOException {
        try {
            Files.writeString(Files.createFile(file), content, StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException alreadyConfigured) {
            // keep the existing configuration: the CA it names signed this store's certificates
        }
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public VtpmInstance create(String instanceId, Duration timeout) throws HypervisorException {
        MigrationEpoch.requireInstanceId(instanceId);
        OptionalLong retired = retiredEpoch(instanceId);
        if (retired.isPresent()) {
            throw new HypervisorException("vTPM instance id '" + instanceId + "' was retired on this host at epoch "
                    + retired.getAsLong() + "; a new instance needs a new id");
        }
        Path directory = newInstanceDirectory(instanceId);
        SwtpmInstance instance = new SwtpmInstance(instanceId, directory);
        try {
            instance.prepareDirectories();
            EpochFile.write(instance.epochFile(), new MigrationEpoch(instanceId, 0));
            manufacture(instance, timeout);
        } catch (HypervisorException | RuntimeException e) {
            // a half-made instance may already hold seeds: remove it like any other state
            discard(directory, e);
            throw e;
        }
        instances.put(instanceId, instance);
        return instance;
    }

    private void discard(Path directory, Exception cause) {
        try {
            SecureDelete.deleteTree(instancesDirectory, directory);
        } catch (HypervisorException e) {
            cause.addSuppressed(e);
        }
    }

    private void manufacture(SwtpmInstance instance, Duration timeout) throws HypervisorException {
        List<String> command = List.of(SWTPM_SETUP, "--tpm2",
                "--tpmstate", instance.stateDirectory().toString(),
                "--createek", "--create-ek-cert", "--create-platform-cert",
                "--pcr-banks", "sha256",
                "--write-ek-cert-files", instance.certificateDirectory().toString(),
                "--config", caDirectory.resolve(SETUP_CONFIG).toString());
        ChildProcess setup = ChildProcess.start("swtpm_setup for " + instance.id(), command,
                instance.directory(), instance.runDirectory().resolve("swtpm_setup.log"));
        try {
            if (!setup.awaitExit(timeout)) {
                throw new HypervisorException("swtpm_setup for " + instance.id() + " did not finish within "
                        + timeout.toMillis() + " ms; log: " + setup.logTail());
            }
            if (setup.exitCode().orElse(-1) != 0) {
                throw new HypervisorException("manufacturing vTPM " + instance.id() + " failed: "
                        + setup.exitDescription());
            }
        } finally {
            setup.stop(Duration.ofSeconds(2));
        }
    }

    @Override
    public VtpmInstance createIncoming(MigrationEpoch epoch) throws HypervisorException {
        String id = epoch.instanceId();
        OptionalLong retired = retiredEpoch(id);
        if (retired.isPresent() && !epoch.isNewerThan(new MigrationEpoch(id, retired.getAsLong()))) {
            throw new StaleEpochException(epoch, retired.getAsLong());
        }
        Path directory = newInstanceDirectory(id);
        SwtpmInstance instance = new SwtpmInstance(id, directory);
        try {
            instance.prepareDirectories();
            EpochFile.write(instance.epochFile(), epoch);
        } catch (HypervisorException | RuntimeException e) {
            discard(directory, e);
            throw e;
        }
        instances.put(id, instance);
        return instance;
    }

    private Path newInstanceDirectory(String instanceId) throws HypervisorException {
        Path directory = instancesDirectory.resolve(instanceId);
        try {
            Files.createDirectory(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return directory;
        } catch (FileAlreadyExistsException e) {
            throw new HypervisorException("vTPM instance '" + instanceId + "' already exists in " + instancesDirectory);
        } catch (IOException e) {
            throw new HypervisorException("cannot create " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public VtpmInstance open(String instanceId) throws HypervisorException {
        MigrationEpoch.requireInstanceId(instanceId);
        SwtpmInstance known = instances.get(instanceId);
        if (known != null && Files.isDirectory(known.directory(), LinkOption.NOFOLLOW_LINKS)) {
            return known;
        }
        Path directory = instancesDirectory.resolve(instanceId);
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new HypervisorException("no vTPM instance '" + instanceId + "' in " + instancesDirectory);
        }
        SwtpmInstance instance = new SwtpmInstance(instanceId, directory);
        instance.epoch(); // validates the metadata now rather than at first use
        SwtpmInstance raced = instances.putIfAbsent(instanceId, instance);
        return raced != null ? raced : instance;
    }

    @Override
    public List<String> instanceIds() throws HypervisorException {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(instancesDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (MigrationEpoch.INSTANCE_ID.matcher(name).matches()
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new HypervisorException("cannot list " + instancesDirectory + ": " + e.getMessage(), e);
        }
        ids.sort(null);
        return ids;
    }

    @Override
    public OptionalLong highestEpochSeen(String instanceId) throws HypervisorException {
        MigrationEpoch.requireInstanceId(instanceId);
        OptionalLong retired = retiredEpoch(instanceId);
        long highest = retired.orElse(-1);
        Path directory = instancesDirectory.resolve(instanceId);
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            highest = Math.max(highest, open(instanceId).epoch().epoch());
        }
        return highest < 0 ? OptionalLong.empty() : OptionalLong.of(highest);
    }

    private OptionalLong retiredEpoch(String instanceId) throws HypervisorException {
        Path file = retiredFile(instanceId);
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                ? OptionalLong.of(EpochFile.read(file, instanceId).epoch())
                : OptionalLong.empty();
    }

    private Path retiredFile(String instanceId) {
        return retiredDirectory.resolve(instanceId + ".json");
    }

    @Override
    public void secureDelete(VtpmInstance instance) throws HypervisorException {
        SwtpmInstance own = instances.get(instance.id());
        if (own != instance) {
            throw new HypervisorException("vTPM instance '" + instance.id() + "' does not belong to the store at "
                    + root);
        }
        synchronized (own) {
            if (own.runningProcess().isPresent()) {
                throw new HypervisorException("vTPM instance '" + own.id() + "' is running (swtpm pid "
                        + own.runningProcess().get().pid() + "); stop it before deleting its state");
            }
            MigrationEpoch epoch = own.epoch();
            OptionalLong retired = retiredEpoch(own.id());
            // the record goes first: a crash during the delete must not forget the epoch
            if (retired.isEmpty() || epoch.epoch() > retired.getAsLong()) {
                EpochFile.write(retiredFile(own.id()), epoch);
            }
            own.markDeleted();
            instances.remove(own.id(), own);
            SecureDelete.deleteTree(instancesDirectory, own.directory());
        }
    }

    @Override
    public List<Path> caCertificates() {
        List<Path> certificates = new ArrayList<>();
        for (String name : List.of(ROOT_CA_CERT, ISSUER_CERT)) {
            Path file = caDirectory.resolve(name);
            if (Files.isRegularFile(file)) {
                certificates.add(file);
            }
        }
        return List.copyOf(certificates);
    }
}
