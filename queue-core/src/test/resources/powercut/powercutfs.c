/*
 * powercutfs: a FUSE file system that simulates power cuts, in the manner of LazyFS.
 *
 *   powercutfs [--ordered-metadata] [--keep-cache] DURABLE WORK MOUNTPOINT [FUSE options]
 *
 * WORK holds what the running system sees (the page cache and whatever the disk happens to
 * hold): every operation is passed through to it. DURABLE holds only what the file system has
 * promised to keep: it changes only when a file or directory is synced.
 *
 * - A file's content and size become durable on fsync/fdatasync of that file (an msync of a
 *   shared mapping reaches FUSE as write-back plus FSYNC). Write-back the kernel does on its own
 *   (dirty mapped pages, memory pressure) lands in WORK only. The durable copy is written at page
 *   granularity: every page written (or truncated) since the last sync is copied from WORK.
 * - Directory entries (create, mkdir, rename, unlink, rmdir) become durable on fsync of the
 *   directory that holds them (POSIX). The content of a file synced before its entry was durable
 *   is kept aside (DURABLE/.powercut-orphans/<id>) and moves into place when the entry does.
 *   With --ordered-metadata, any fsync (of a file or a directory) first makes every directory entry
 *   durable, in the manner of ext4's journal commit; a file's content still needs its own fsync (a
 *   new file whose entry became durable that way is empty, as after delayed allocation).
 * - Mode changes (chmod, chown, utimens) are applied to WORK and, when the file has a durable
 *   copy, to it at once: they are not part of the model.
 *
 * A power cut is SIGKILL to this process: the mount is aborted, WORK is thrown away and DURABLE
 * (minus .powercut-orphans: unreferenced inodes after a crash) is what the machine finds on its
 * disk when it comes back. The Java wrapper (PowerCutFileSystem) does that, and mounts again on a
 * fresh copy of DURABLE. Control through extended attributes of the root (see pc_setxattr): "sync
 * everything" (a clean shutdown's sync) and statistics.
 *
 * Limitations: sync(2)/syncfs(2) write dirty pages back to WORK but make nothing durable (FUSE passes
 * no syncfs to a high-level libfuse file system): only fsync/fdatasync/msync do. Single-threaded; no
 * hard links; O_DIRECT is not modelled differently from buffered writes; fsync of a directory whose own entry is not durable
 * makes it durable too (its parents are created in DURABLE); a rename between directories becomes
 * durable as a whole when the target directory is synced; fallocate collapse/insert range is
 * refused (EOPNOTSUPP).
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/falloc.h>

#define PAGE 4096ULL
#define ORPHANS ".powercut-orphans"
#define NO_TRUNCATION UINT64_MAX

struct node {
    uint64_t id;
    char *path;           /* current path ("/a/b"), NULL once unlinked */
    char *dpath;          /* where its durable copy is in DURABLE ("/a/b" or "/.powercut-orphans/7"), or NULL */
    int dir;
    uint8_t *dirty;       /* bitmap of pages written since the last sync */
    uint64_t dirty_pages; /* capacity of the bitmap, in pages */
    uint64_t min_size;    /* smallest size since the last sync, NO_TRUNCATION if not truncated */
    struct node *next;
};

struct handle {
    int fd;
    struct node *node;
};

static char *durable_root;
static int ordered_metadata; /* --ordered-metadata: every sync also commits all namespace changes */
/* --keep-cache: the page cache is kept across opens and never dropped for differing file times, as on a
 * disk file system; without it, every open drops the file's clean pages (and writes its dirty ones back) */
static int keep_cache;
static char *work_root;
static struct node *nodes;
static uint64_t next_id = 1;
static unsigned long long stat_fsyncs, stat_fsyncdirs, stat_pages_synced, stat_writes, stat_bytes_written, stat_full_syncs;
/* Writes to refuse with EIO, as a disk that failed them would (set through user.powercut.failwrites). */
static unsigned long long writes_to_fail, stat_writes_failed;

static char *join(const char *root, const char *path) {
    char *out;
    if (asprintf(&out, "%s%s", root, path) < 0) {
        abort();
    }
    return out;
}

static char *w(const char *path) { return join(work_root, path); }
static char *d(const char *path) { return join(durable_root, path); }

static struct node *find_by_path(const char *path) {
    for (struct node *n = nodes; n; n = n->next) {
        if (n->path && strcmp(n->path, path) == 0) {
            return n;
        }
    }
    return NULL;
}

static struct node *find_by_dpath(const char *dpath) {
    for (struct node *n = nodes; n; n = n->next) {
        if (n->dpath && strcmp(n->dpath, dpath) == 0) {
            return n;
        }
    }
    return NULL;
}

static struct node *new_node(const char *path, const char *dpath, int dir) {
    struct node *n = calloc(1, sizeof *n);
    n->id = next_id++;
    n->path = path ? strdup(path) : NULL;
    n->dpath = dpath ? strdup(dpath) : NULL;
    n->dir = dir;
    n->min_size = NO_TRUNCATION;
    n->next = nodes;
    nodes = n;
    return n;
}

/* The node of an existing path. A path no operation touched since the mount is, in DURABLE, at the same place. */
static struct node *node_of(const char *path) {
    struct node *n = find_by_path(path);
    if (n) {
        return n;
    }
    char *wp = w(path);
    struct stat st;
    int exists = lstat(wp, &st) == 0;
    free(wp);
    if (!exists) {
        return NULL;
    }
    char *dp = d(path);
    struct stat dst;
    int durable = lstat(dp, &dst) == 0 && !find_by_dpath(path);
    free(dp);
    return new_node(path, durable ? path : NULL, S_ISDIR(st.st_mode));
}

static void mark_dirty(struct node *n, uint64_t offset, uint64_t length) {
    if (length == 0) {
        return;
    }
    uint64_t first = offset / PAGE, last = (offset + length - 1) / PAGE;
    if (last >= n->dirty_pages) {
        uint64_t pages = n->dirty_pages ? n->dirty_pages : 1024;
        while (pages <= last) {
            pages *= 2;
        }
        n->dirty = realloc(n->dirty, pages / 8);
        memset(n->dirty + n->dirty_pages / 8, 0, (pages - n->dirty_pages) / 8);
        n->dirty_pages = pages;
    }
    for (uint64_t p = first; p <= last; p++) {
        n->dirty[p / 8] |= (uint8_t) (1u << (p % 8));
    }
}

static int is_dirty(struct node *n, uint64_t page) {
    return page < n->dirty_pages && (n->dirty[page / 8] & (1u << (page % 8)));
}

/* Replaces every path prefix "from" (a directory) by "to", in current or durable paths. */
static void rename_prefix(int durable, const char *from, const char *to) {
    size_t len = strlen(from);
    for (struct node *n = nodes; n; n = n->next) {
        char **p = durable ? &n->dpath : &n->path;
        if (*p && strncmp(*p, from, len) == 0 && ((*p)[len] == '/' || (*p)[len] == 0)) {
            char *moved;
            if (asprintf(&moved, "%s%s", to, *p + len) < 0) {
                abort();
            }
            free(*p);
            *p = moved;
        }
    }
}

static void mkdirs_durable(const char *path) {
    char *copy = strdup(path);
    for (char *s = copy + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            char *dp = d(copy);
            mkdir(dp, 0755);
            free(dp);
            *s = '/';
        }
    }
    char *dp = d(copy);
    mkdir(dp, 0755);
    free(dp);
    free(copy);
}

static char *orphan_path(struct node *n) {
    char *p;
    if (asprintf(&p, "/" ORPHANS "/%llu", (unsigned long long) n->id) < 0) {
        abort();
    }
    return p;
}

/* Makes the content and size of a file durable: the pages written since the last sync, at its durable place. */
static int sync_file(struct node *n, int wfd) {
    if (n->dir) {
        return 0;
    }
    if (!n->dpath) {
        n->dpath = orphan_path(n);
    }
    char *dp = d(n->dpath);
    int dfd = open(dp, O_WRONLY | O_CREAT, 0644);
    free(dp);
    if (dfd < 0) {
        return -errno;
    }
    struct stat st;
    if (fstat(wfd, &st) < 0) {
        int e = -errno;
        close(dfd);
        return e;
    }
    uint64_t size = (uint64_t) st.st_size;
    if (n->min_size != NO_TRUNCATION && ftruncate(dfd, (off_t) n->min_size) < 0) {
        int e = -errno;
        close(dfd);
        return e;
    }
    static char buf[1 << 20];
    uint64_t pages = (size + PAGE - 1) / PAGE;
    for (uint64_t p = 0; p < pages && p < n->dirty_pages;) {
        if (!is_dirty(n, p)) {
            p++;
            continue;
        }
        uint64_t q = p;
        while (q < pages && is_dirty(n, q) && (q - p + 1) * PAGE <= sizeof buf) {
            q++;
        }
        uint64_t off = p * PAGE, len = (q - p) * PAGE;
        if (off + len > size) {
            len = size - off;
        }
        ssize_t r = pread(wfd, buf, len, (off_t) off);
        if (r < 0 || pwrite(dfd, buf, (size_t) r, (off_t) off) != r) {
            int e = errno ? -errno : -EIO;
            close(dfd);
            return e;
        }
        stat_pages_synced += q - p;
        p = q;
    }
    if (ftruncate(dfd, (off_t) size) < 0) {
        int e = -errno;
        close(dfd);
        return e;
    }
    close(dfd);
    if (n->dirty) {
        memset(n->dirty, 0, n->dirty_pages / 8);
    }
    n->min_size = NO_TRUNCATION;
    return 0;
}

/* Makes the entries of a directory durable: DURABLE's listing of it becomes WORK's. */
static int sync_dir(const char *path) {
    mkdirs_durable(path);
    const char *base = strcmp(path, "/") == 0 ? "" : path;
    /* 1. durable entries whose node is no longer there: aside, to the orphans */
    char *dp = d(path);
    DIR *dd = opendir(dp);
    free(dp);
    if (!dd) {
        return -errno;
    }
    struct dirent *e;
    while ((e = readdir(dd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ORPHANS)) {
            continue;
        }
        char *entry;
        if (asprintf(&entry, "%s/%s", base, e->d_name) < 0) {
            abort();
        }
        struct node *owner = find_by_dpath(entry);
        if (!owner) {
            owner = node_of(entry); /* untouched since mount, if it is still in WORK */
        }
        if (!owner) {
            /* gone from WORK and never touched: an unlink made durable */
            owner = new_node(NULL, entry, e->d_type == DT_DIR);
        }
        if (!owner->path || strcmp(owner->path, entry) != 0) {
            char *orphan = orphan_path(owner);
            char *from = d(entry), *to = d(orphan);
            if (rename(from, to) == 0) {
                rename_prefix(1, entry, orphan);
            }
            free(from);
            free(to);
            free(orphan);
        }
        free(entry);
    }
    closedir(dd);
    /* 2. current entries that are not durable yet */
    char *wp = w(path);
    DIR *wd = opendir(wp);
    free(wp);
    if (!wd) {
        return -errno;
    }
    while ((e = readdir(wd))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        char *entry;
        if (asprintf(&entry, "%s/%s", base, e->d_name) < 0) {
            abort();
        }
        struct node *n = node_of(entry);
        if (n && (!n->dpath || strcmp(n->dpath, entry) != 0)) {
            char *to = d(entry);
            if (n->dpath) {
                char *from = d(n->dpath);
                if (rename(from, to) == 0) {
                    rename_prefix(1, n->dpath, entry);
                }
                free(from);
            } else {
                if (n->dir) {
                    mkdir(to, 0755);
                } else {
                    close(open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644));
                    /* content not synced: empty; everything written since creation is still dirty */
                }
                n->dpath = strdup(entry);
            }
            free(to);
        }
        free(entry);
    }
    closedir(wd);
    return 0;
}

/* Makes everything durable, as a clean shutdown would: every directory's entries, every file's content. */
static int sync_tree(const char *path) {
    int r = sync_dir(path);
    if (r) {
        return r;
    }
    const char *base = strcmp(path, "/") == 0 ? "" : path;
    char *wp = w(path);
    DIR *wd = opendir(wp);
    free(wp);
    if (!wd) {
        return -errno;
    }
    struct dirent *e;
    while ((e = readdir(wd)) && r == 0) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        char *entry;
        if (asprintf(&entry, "%s/%s", base, e->d_name) < 0) {
            abort();
        }
        char *we = w(entry);
        struct stat st;
        if (lstat(we, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                r = sync_tree(entry);
            } else if (S_ISREG(st.st_mode)) {
                int fd = open(we, O_RDONLY);
                struct node *n = node_of(entry);
                if (fd >= 0 && n) {
                    r = sync_file(n, fd);
                }
                if (fd >= 0) {
                    close(fd);
                }
            }
        }
        free(we);
        free(entry);
    }
    closedir(wd);
    return r;
}

/* Makes every directory entry durable (not file content), as a journaling file system's commit does. */
static int sync_namespace(const char *path) {
    int r = sync_dir(path);
    if (r) {
        return r;
    }
    const char *base = strcmp(path, "/") == 0 ? "" : path;
    char *wp = w(path);
    DIR *wd = opendir(wp);
    free(wp);
    if (!wd) {
        return -errno;
    }
    struct dirent *e;
    while ((e = readdir(wd)) && r == 0) {
        if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            continue;
        }
        char *entry;
        if (asprintf(&entry, "%s/%s", base, e->d_name) < 0) {
            abort();
        }
        r = sync_namespace(entry);
        free(entry);
    }
    closedir(wd);
    return r;
}

static int stats(char *out, size_t size) {
    return snprintf(out, size, "%llu file syncs, %llu directory syncs, %llu full syncs, %llu pages made durable, "
                    "%llu writes (%llu bytes) received, %llu failed",
                    stat_fsyncs, stat_fsyncdirs, stat_full_syncs, stat_pages_synced, stat_writes, stat_bytes_written,
                    stat_writes_failed);
}

/* ---- FUSE operations ---- */

static void *pc_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
    if (keep_cache) {
        /* nothing changes WORK behind the kernel's back: its times never mean the cache is stale */
        conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
    }
    cfg->use_ino = 1;
    cfg->hard_remove = 1;
    cfg->nullpath_ok = 1;
    cfg->direct_io = 0;
    cfg->kernel_cache = keep_cache;
    cfg->auto_cache = 0;
    return NULL;
}

static int pc_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    if (fi && fi->fh) {
        return fstat(((struct handle *) fi->fh)->fd, st) < 0 ? -errno : 0;
    }
    char *wp = w(path);
    int r = lstat(wp, st) < 0 ? -errno : 0;
    free(wp);
    return r;
}

static int pc_access(const char *path, int mask) {
    char *wp = w(path);
    int r = access(wp, mask) < 0 ? -errno : 0;
    free(wp);
    return r;
}

static int pc_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void) off; (void) flags;
    if (!path) {
        path = (const char *) (uintptr_t) fi->fh;
    }
    char *wp = w(path);
    DIR *dir = opendir(wp);
    free(wp);
    if (!dir) {
        return -errno;
    }
    struct dirent *e;
    while ((e = readdir(dir))) {
        struct stat st = {0};
        st.st_ino = e->d_ino;
        st.st_mode = (mode_t) (DTTOIF(e->d_type));
        if (fill(buf, e->d_name, &st, 0, 0)) {
            break;
        }
    }
    closedir(dir);
    return 0;
}

static int pc_mkdir(const char *path, mode_t mode) {
    char *wp = w(path);
    int r = mkdir(wp, mode) < 0 ? -errno : 0;
    free(wp);
    if (r == 0) {
        new_node(path, NULL, 1);
    }
    return r;
}

static int pc_unlink(const char *path) {
    struct node *n = node_of(path);
    char *wp = w(path);
    int r = unlink(wp) < 0 ? -errno : 0;
    free(wp);
    if (r == 0 && n) {
        free(n->path);
        n->path = NULL;
    }
    return r;
}

static int pc_rmdir(const char *path) {
    struct node *n = node_of(path);
    char *wp = w(path);
    int r = rmdir(wp) < 0 ? -errno : 0;
    free(wp);
    if (r == 0 && n) {
        free(n->path);
        n->path = NULL;
    }
    return r;
}

static int pc_rename(const char *from, const char *to, unsigned int flags) {
    if (flags) {
        return -EINVAL;
    }
    struct node *n = node_of(from);
    struct node *replaced = node_of(to);
    char *wf = w(from), *wt = w(to);
    int r = rename(wf, wt) < 0 ? -errno : 0;
    free(wf);
    free(wt);
    if (r == 0) {
        if (replaced && replaced != n) {
            free(replaced->path);
            replaced->path = NULL;
        }
        if (n) {
            if (n->dir) {
                rename_prefix(0, from, to);
            } else {
                free(n->path);
                n->path = strdup(to);
            }
        }
    }
    return r;
}

static void both(const char *path, int (*op)(const char *, void *), void *arg, int *r) {
    char *wp = w(path);
    *r = op(wp, arg) < 0 ? -errno : 0;
    free(wp);
    struct node *n = *r == 0 ? node_of(path) : NULL;
    if (n && n->dpath) {
        char *dp = d(n->dpath);
        op(dp, arg);
        free(dp);
    }
}

static int do_chmod(const char *p, void *arg) { return chmod(p, *(mode_t *) arg); }
static int do_chown(const char *p, void *arg) { return lchown(p, ((uid_t *) arg)[0], ((gid_t *) arg)[1]); }
static int do_utimens(const char *p, void *arg) { return utimensat(AT_FDCWD, p, arg, AT_SYMLINK_NOFOLLOW); }

static int pc_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int r;
    if (fi && fi->fh) {
        return fchmod(((struct handle *) fi->fh)->fd, mode) < 0 ? -errno : 0;
    }
    both(path, do_chmod, &mode, &r);
    return r;
}

static int pc_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    int r;
    if (fi && fi->fh) {
        return fchown(((struct handle *) fi->fh)->fd, uid, gid) < 0 ? -errno : 0;
    }
    uid_t ids[2] = {uid, (uid_t) gid};
    both(path, do_chown, ids, &r);
    return r;
}

static int pc_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi) {
    int r;
    if (fi && fi->fh) {
        return futimens(((struct handle *) fi->fh)->fd, ts) < 0 ? -errno : 0;
    }
    both(path, do_utimens, (void *) ts, &r);
    return r;
}

static int pc_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    struct node *n;
    int r;
    if (fi && fi->fh) {
        n = ((struct handle *) fi->fh)->node;
        r = ftruncate(((struct handle *) fi->fh)->fd, size) < 0 ? -errno : 0;
    } else {
        n = node_of(path);
        char *wp = w(path);
        r = truncate(wp, size) < 0 ? -errno : 0;
        free(wp);
    }
    if (r == 0 && n && (uint64_t) size < n->min_size) {
        n->min_size = (uint64_t) size;
    }
    return r;
}

/*
 * Opens a file of WORK for a handle: without O_APPEND (the kernel computes the offset of an append;
 * write-back of mapped pages must not append), and readable when it is writable (a sync copies
 * from it, and fsync on a write-only descriptor is allowed).
 */
static int open_work(const char *wp, int flags, mode_t mode) {
    flags &= ~O_APPEND;
    if ((flags & O_ACCMODE) == O_WRONLY) {
        int fd = open(wp, (flags & ~O_ACCMODE) | O_RDWR, mode);
        if (fd >= 0 || errno != EACCES) {
            return fd;
        }
    }
    return open(wp, flags, mode);
}

static int open_handle(const char *path, int fd, struct fuse_file_info *fi, struct node *n) {
    struct handle *h = malloc(sizeof *h);
    h->fd = fd;
    h->node = n ? n : node_of(path);
    fi->fh = (uint64_t) (uintptr_t) h;
    fi->direct_io = 0;
    fi->keep_cache = 0;
    return 0;
}

static int pc_open(const char *path, struct fuse_file_info *fi) {
    struct node *n = node_of(path);
    char *wp = w(path);
    int fd = open_work(wp, fi->flags & ~O_NOFOLLOW, 0);
    free(wp);
    if (fd < 0) {
        return -errno;
    }
    if (n && (fi->flags & O_TRUNC) && n->min_size > 0) {
        n->min_size = 0;
    }
    return open_handle(path, fd, fi, n);
}

static int pc_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    struct node *n = find_by_path(path);
    char *wp = w(path);
    int existed = access(wp, F_OK) == 0;
    int fd = open_work(wp, fi->flags | O_CREAT, mode);
    free(wp);
    if (fd < 0) {
        return -errno;
    }
    if (!existed) {
        if (n) { /* cannot happen: the path is free */
            free(n->path);
            n->path = NULL;
        }
        n = new_node(path, NULL, 0);
    } else {
        n = node_of(path);
        if (fi->flags & O_TRUNC) {
            n->min_size = 0;
        }
    }
    return open_handle(path, fd, fi, n);
}

static int pc_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path;
    ssize_t r = pread(((struct handle *) fi->fh)->fd, buf, size, off);
    return r < 0 ? -errno : (int) r;
}

/* Whether a write holds a non-zero byte: zero-filling ahead (space reservation) is never failed. */
static int carries_data(const char *buf, size_t size) {
    for (size_t i = 0; i < size; i++) {
        if (buf[i] != 0) {
            return 1;
        }
    }
    return 0;
}

static int pc_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path;
    struct handle *h = (struct handle *) fi->fh;
    if (writes_to_fail > 0 && carries_data(buf, size)) {
        /* the write never reaches WORK: what the kernel does with its pages then is the kernel's */
        writes_to_fail--;
        stat_writes_failed++;
        return -EIO;
    }
    ssize_t r = pwrite(h->fd, buf, size, off);
    if (r < 0) {
        return -errno;
    }
    if (h->node) {
        mark_dirty(h->node, (uint64_t) off, (uint64_t) r);
    }
    stat_writes++;
    stat_bytes_written += (unsigned long long) r;
    return (int) r;
}

static int pc_statfs(const char *path, struct statvfs *st) {
    (void) path;
    return statvfs(work_root, st) < 0 ? -errno : 0;
}

static int pc_release(const char *path, struct fuse_file_info *fi) {
    (void) path;
    struct handle *h = (struct handle *) fi->fh;
    close(h->fd);
    free(h);
    return 0;
}

static int pc_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path;
    (void) datasync;
    struct handle *h = (struct handle *) fi->fh;
    stat_fsyncs++;
    if (ordered_metadata) {
        int r = sync_namespace("/");
        if (r) {
            return r;
        }
    }
    if (!h->node) {
        return 0;
    }
    return sync_file(h->node, h->fd);
}

/*
 * A directory's handle holds its path (with nullpath_ok, readdir and fsyncdir may get none); a file's
 * is a struct handle. The kernel passes a handle to getattr and truncate for regular files only.
 */
static int pc_opendir(const char *path, struct fuse_file_info *fi) {
    fi->fh = (uint64_t) (uintptr_t) strdup(path);
    return 0;
}

static int pc_releasedir(const char *path, struct fuse_file_info *fi) {
    (void) path;
    free((char *) (uintptr_t) fi->fh);
    return 0;
}

static int pc_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) datasync;
    stat_fsyncdirs++;
    if (!path) {
        path = (const char *) (uintptr_t) fi->fh;
    }
    if (ordered_metadata) {
        return sync_namespace("/");
    }
    return path ? sync_dir(path) : -EIO;
}

static int pc_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
    (void) path;
    if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE)) {
        return -EOPNOTSUPP;
    }
    struct handle *h = (struct handle *) fi->fh;
    if (fallocate(h->fd, mode, off, len) < 0) {
        return -errno;
    }
    if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
        mark_dirty(h->node, (uint64_t) off, (uint64_t) len);
    }
    return 0;
}

static off_t pc_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi) {
    (void) path;
    off_t r = lseek(((struct handle *) fi->fh)->fd, off, whence);
    return r < 0 ? -errno : r;
}

static int pc_readlink(const char *path, char *buf, size_t size) {
    char *wp = w(path);
    ssize_t r = readlink(wp, buf, size - 1);
    free(wp);
    if (r < 0) {
        return -errno;
    }
    buf[r] = 0;
    return 0;
}

/*
 * The control interface, through extended attributes of the mount's root:
 * setxattr user.powercut.sync makes everything durable (after the caller's syncfs wrote back what
 * the kernel holds); setxattr user.powercut.failwrites N (decimal) makes the next N writes that carry
 * data (a non-zero byte: zero-filling is never failed) fail with EIO (0 stops failing); getxattr
 * user.powercut.stats reports what reached the file system.
 */
static int pc_setxattr(const char *path, const char *name, const char *value, size_t size, int flags) {
    (void) path; (void) flags;
    if (strcmp(name, "user.powercut.failwrites") == 0) {
        char number[32];
        if (size == 0 || size >= sizeof number) {
            return -EINVAL;
        }
        memcpy(number, value, size);
        number[size] = 0;
        writes_to_fail = strtoull(number, NULL, 10);
        return 0;
    }
    if (strcmp(name, "user.powercut.sync") != 0) {
        return -ENOTSUP;
    }
    stat_full_syncs++;
    return sync_tree("/");
}

static int pc_getxattr(const char *path, const char *name, char *value, size_t size) {
    (void) path;
    if (strcmp(name, "user.powercut.stats") != 0) {
        return -ENODATA;
    }
    char text[512];
    int len = stats(text, sizeof text);
    if (size == 0) {
        return len;
    }
    if ((size_t) len > size) {
        return -ERANGE;
    }
    memcpy(value, text, (size_t) len);
    return len;
}

static int pc_listxattr(const char *path, char *list, size_t size) {
    (void) path; (void) list; (void) size;
    return 0;
}

static void pc_destroy(void *data) {
    (void) data;
    char text[512];
    stats(text, sizeof text);
    fprintf(stderr, "powercutfs: %s\n", text);
}

static const struct fuse_operations ops = {
    .init = pc_init,
    .destroy = pc_destroy,
    .getattr = pc_getattr,
    .access = pc_access,
    .readdir = pc_readdir,
    .opendir = pc_opendir,
    .releasedir = pc_releasedir,
    .mkdir = pc_mkdir,
    .unlink = pc_unlink,
    .rmdir = pc_rmdir,
    .rename = pc_rename,
    .chmod = pc_chmod,
    .chown = pc_chown,
    .utimens = pc_utimens,
    .truncate = pc_truncate,
    .open = pc_open,
    .create = pc_create,
    .read = pc_read,
    .write = pc_write,
    .statfs = pc_statfs,
    .release = pc_release,
    .fsync = pc_fsync,
    .fsyncdir = pc_fsyncdir,
    .fallocate = pc_fallocate,
    .lseek = pc_lseek,
    .readlink = pc_readlink,
    .setxattr = pc_setxattr,
    .getxattr = pc_getxattr,
    .listxattr = pc_listxattr,
};

int main(int argc, char *argv[]) {
    while (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
        if (strcmp(argv[1], "--ordered-metadata") == 0) {
            ordered_metadata = 1;
        } else if (strcmp(argv[1], "--keep-cache") == 0) {
            keep_cache = 1;
        } else {
            fprintf(stderr, "powercutfs: unknown option %s\n", argv[1]);
            return 2;
        }
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: %s [--ordered-metadata] [--keep-cache] DURABLE WORK MOUNTPOINT [FUSE options]\n", argv[0]);
        return 2;
    }
    durable_root = realpath(argv[1], NULL);
    work_root = realpath(argv[2], NULL);
    if (!durable_root || !work_root) {
        fprintf(stderr, "powercutfs: %s or %s does not exist\n", argv[1], argv[2]);
        return 2;
    }
    char *orphans = d("/" ORPHANS);
    mkdir(orphans, 0700);
    free(orphans);
    /* fuse_main(argv[0], MOUNTPOINT, options...) */
    char **args = calloc((size_t) argc + 4, sizeof *args);
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[3];
    args[n++] = "-f";
    args[n++] = "-s";
    for (int i = 4; i < argc; i++) {
        args[n++] = argv[i];
    }
    return fuse_main(n, args, &ops, NULL);
}
