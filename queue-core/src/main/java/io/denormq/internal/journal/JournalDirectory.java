package io.denormq.internal.journal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import io.denormq.ConfigurationException;
import io.denormq.JournalException;

/**
 * Creates and checks a journal directory, and keeps its files readable by their owner only:
 * messages are application data, often personal data.
 */
public final class JournalDirectory {
    /** Permissions of the journal directory: owner only. */
    public static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    /** Permissions of every file in the journal directory: owner only. */
    public static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");

    private JournalDirectory() {
    }

    /**
     * Creates the directory (owner-only) if it does not exist, and checks that it is a writable
     * directory.
     *
     * @param directory the journal directory
     * @return the directory as an absolute path
     * @throws ConfigurationException if it is a file or cannot be created or written
     */
    public static Path prepare(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
            throw new ConfigurationException("journalDir: " + dir + " exists and is not a directory. "
                    + "Point the queue at a directory (it is created if missing)");
        }
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, directoryAttributes());
                Journal.forceDirectory(dir.getParent()); // the new directory's entry survives a power cut
            } catch (FileAlreadyExistsException raced) {
                // another thread or process created it meanwhile: checked below
            } catch (IOException | UnsupportedOperationException e) {
                throw new ConfigurationException("journalDir: cannot create " + dir + ": " + e
                        + ". Create it yourself, writable by this process's user", e);
            }
        }
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("journalDir: " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new ConfigurationException("journalDir: " + dir + " is not writable by this process's user ("
                    + System.getProperty("user.name") + "). Fix its permissions or choose another directory");
        }
        return dir;
    }

    /**
     * Restricts a file of the journal to its owner, where the file system supports it.
     *
     * @param file a journal file
     */
    public static void restrictToOwner(Path file) {
        try {
            Files.setPosixFilePermissions(file, Files.isDirectory(file) ? DIRECTORY_PERMISSIONS : FILE_PERMISSIONS);
        } catch (UnsupportedOperationException notPosix) {
            // Windows and other non-POSIX file systems: the directory's ACL applies
        } catch (java.nio.file.NoSuchFileException gone) {
            // Chronicle reports some acquisitions from a background thread, after the file may be gone
        } catch (IOException e) {
            throw new JournalException("Cannot restrict " + file + " to its owner: " + e, e);
        }
    }

    /**
     * Restricts the directory and every file directly in it to their owner.
     *
     * @param dir the journal directory
     */
    public static void restrictAllToOwner(Path dir) {
        restrictToOwner(dir);
        try (var files = Files.list(dir)) {
            files.forEach(JournalDirectory::restrictToOwner);
        } catch (IOException e) {
            throw new JournalException("Cannot list journal directory " + dir + ": " + e, e);
        }
    }

    private static FileAttribute<?>[] directoryAttributes() {
        boolean posix = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY_PERMISSIONS)}
                : new FileAttribute<?>[0];
    }
}
