/*
 * The one-file executable's start: a static program with the one-folder build (and the C library it runs
 * with) appended as a payload. The payload is unpacked once into a cache directory named by the build, so
 * every later start only looks the directory up and executes the program in it.
 *
 * Cache: $ELEKTROMAIL_UNPACK_DIR, else $XDG_CACHE_HOME/elektromail, else $HOME/.cache/elektromail, else
 * $TMPDIR/elektromail-<uid> (TMPDIR defaulting to /tmp). A directory is used only if it belongs to this
 * user and nobody else may write to it; a build is unpacked into a private directory and renamed into
 * place whole, so a start never sees half a build. When no cache can be used (ELEKTROMAIL_UNPACK_DIR set
 * empty, a read-only or foreign directory), the build is unpacked into a private temporary directory
 * under $TMPDIR, run as a child (signals passed on) and removed when it ends.
 *
 * The program's ELF interpreter is set to the unpacked loader (the path is known only once unpacked) and
 * LD_LIBRARY_PATH names the unpacked C library, so nothing of the host's is needed: it runs in an empty
 * root with /proc (for /proc/self/exe) and a writable /tmp.
 *
 * Payload: entries of (u32 path length, path, u32 mode, u8 kind: 0 file 1 directory 2 link, u64 size,
 * data), then a trailer of u64 payload offset, 16 characters naming the build, 8 magic octets.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAGIC "EMLPACK1"
#define TRAILER (8 + 16 + 8)
#define PROGRAM "elektromail"
#define LIBRARIES "syslib"

static const unsigned char *image;
static size_t image_size;
static char build[17];
static pid_t child;

static void fail(const char *what) {
    fprintf(stderr, "elektromail: %s: %s\n", what, strerror(errno));
    exit(127);
}

static uint64_t read_u64(const unsigned char *at) {
    uint64_t value;
    memcpy(&value, at, sizeof value);
    return value;
}

static uint32_t read_u32(const unsigned char *at) {
    uint32_t value;
    memcpy(&value, at, sizeof value);
    return value;
}

static void map_self(void) {
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) fail("cannot read /proc/self/exe (is /proc mounted?)");
    image_size = (size_t)st.st_size;
    image = mmap(NULL, image_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (image == MAP_FAILED) fail("cannot map the executable");
    close(fd);
    if (image_size < TRAILER || memcmp(image + image_size - 8, MAGIC, 8) != 0) {
        errno = ENOEXEC;
        fail("no payload");
    }
    memcpy(build, image + image_size - 24, 16);
}

/* A directory this user owns that no one else may write to (created with mode 0700 if missing). */
static int private_dir(const char *path) {
    struct stat st;
    if (mkdir(path, 0700) < 0 && errno != EEXIST) return 0;
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)) return 0;
    return st.st_uid == getuid() && (st.st_mode & 022) == 0 && access(path, W_OK | X_OK) == 0;
}

static int cache_base(char *out, size_t size) {
    const char *explicit = getenv("ELEKTROMAIL_UNPACK_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    const char *tmp = getenv("TMPDIR");
    char parent[PATH_MAX];
    if (explicit != NULL) {
        if (*explicit == '\0' || snprintf(out, size, "%s", explicit) >= (int)size) return 0;
        return private_dir(out);
    }
    if (xdg != NULL && *xdg == '/' && snprintf(out, size, "%s/elektromail", xdg) < (int)size) {
        mkdir(xdg, 0700);
        if (private_dir(out)) return 1;
    }
    if (home != NULL && *home == '/' && snprintf(parent, sizeof parent, "%s/.cache", home) < (int)sizeof parent) {
        mkdir(parent, 0700);
        if (snprintf(out, size, "%s/elektromail", parent) < (int)size && private_dir(out)) return 1;
    }
    if (snprintf(out, size, "%s/elektromail-%u", tmp && *tmp ? tmp : "/tmp", (unsigned)getuid()) >= (int)size)
        return 0;
    return private_dir(out);
}

static int write_all(int fd, const unsigned char *data, uint64_t size) {
    while (size > 0) {
        ssize_t written = write(fd, data, size > (1u << 30) ? (1u << 30) : (size_t)size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += written;
        size -= (uint64_t)written;
    }
    return 0;
}

/* Unpack every entry below ``root`` (which exists). */
static int unpack(const char *root) {
    uint64_t pos = read_u64(image + image_size - TRAILER);
    uint64_t end = image_size - TRAILER;
    char path[PATH_MAX];
    while (pos < end) {
        uint32_t length = read_u32(image + pos);
        const char *name = (const char *)image + pos + 4;
        uint32_t mode = read_u32(image + pos + 4 + length);
        unsigned char kind = image[pos + 8 + length];
        uint64_t size = read_u64(image + pos + 9 + length);
        const unsigned char *data = image + pos + 17 + length;
        pos += 17 + (uint64_t)length + size;
        if (pos > end || snprintf(path, sizeof path, "%s/%.*s", root, (int)length, name) >= (int)sizeof path) {
            errno = EINVAL;
            return -1;
        }
        if (kind == 1) {
            if (mkdir(path, mode & 07777) < 0 && errno != EEXIST) return -1;
        } else if (kind == 2) {
            char target[PATH_MAX];
            if (size >= sizeof target) return -1;
            memcpy(target, data, size);
            target[size] = '\0';
            if (symlink(target, path) < 0) return -1;
        } else {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
            if (fd < 0 || write_all(fd, data, size) < 0 || close(fd) < 0) return -1;
        }
    }
    return 0;
}

/* Point the program's PT_INTERP at the unpacked loader; the build reserved room for a long path. */
static int set_interpreter(const char *program, const char *loader) {
    int fd = open(program, O_RDWR | O_CLOEXEC);
    Elf64_Ehdr header;
    if (fd < 0 || pread(fd, &header, sizeof header, 0) != (ssize_t)sizeof header) return -1;
    if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) return -1;
    for (int index = 0; index < header.e_phnum; index++) {
        Elf64_Phdr segment;
        off_t at = (off_t)header.e_phoff + (off_t)index * header.e_phentsize;
        if (pread(fd, &segment, sizeof segment, at) != (ssize_t)sizeof segment) return -1;
        if (segment.p_type != PT_INTERP) continue;
        char room[PATH_MAX] = {0};
        size_t length = strlen(loader);
        if (length + 1 > segment.p_filesz || segment.p_filesz > sizeof room) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(room, loader, length);
        if (pwrite(fd, room, segment.p_filesz, (off_t)segment.p_offset) != (ssize_t)segment.p_filesz) return -1;
        return close(fd);
    }
    errno = ENOEXEC;
    return -1;
}

/* Unpack into ``staging`` for use at ``final`` (the interpreter path names ``final``). */
static int prepare(const char *staging, const char *final) {
    char program[PATH_MAX], loader[PATH_MAX];
    snprintf(program, sizeof program, "%s/%s", staging, PROGRAM);
    snprintf(loader, sizeof loader, "%s/%s/loader", final, LIBRARIES);
    if (unpack(staging) < 0) return -1;
    return set_interpreter(program, loader);
}

static void run(const char *dir, char **argv) {
    char program[PATH_MAX], libraries[PATH_MAX];
    snprintf(program, sizeof program, "%s/%s", dir, PROGRAM);
    snprintf(libraries, sizeof libraries, "%s/%s", dir, LIBRARIES);
    setenv("LD_LIBRARY_PATH", libraries, 1);
    argv[0] = program;
    execv(program, argv);
    fail("cannot run the unpacked program");
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void pass_on(int signal_number) {
    if (child > 0) kill(child, signal_number);
}

/* No usable cache: a private directory for this run only, removed when the program ends. */
static void run_once(char **argv) {
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/elektromail-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) fail("cannot make a directory to unpack into");
    if (prepare(dir, dir) < 0) {
        int saved = errno;
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        errno = saved;
        fail("cannot unpack");
    }
    struct sigaction action = {.sa_handler = pass_on};
    sigemptyset(&action.sa_mask);
    int passed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t index = 0; index < sizeof passed / sizeof *passed; index++) sigaction(passed[index], &action, NULL);
    child = fork();
    if (child < 0) fail("cannot start the program");
    if (child == 0) run(dir, argv);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
    }
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int main(int argc, char **argv) {
    (void)argc;
    char base[PATH_MAX / 2], final[PATH_MAX / 2 + 32], staging[PATH_MAX], program[PATH_MAX];
    map_self();
    if (!cache_base(base, sizeof base)) run_once(argv);
    snprintf(final, sizeof final, "%s/%s", base, build);
    snprintf(program, sizeof program, "%s/%s", final, PROGRAM);
    if (access(program, X_OK) == 0) run(final, argv);
    snprintf(staging, sizeof staging, "%s/.unpacking-%s-XXXXXX", base, build);
    if (mkdtemp(staging) == NULL || prepare(staging, final) < 0) {
        nftw(staging, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        run_once(argv);
    }
    if (rename(staging, final) < 0) {
        /* Another start unpacked the same build meanwhile: use theirs. */
        nftw(staging, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        if (access(program, X_OK) != 0) run_once(argv);
    }
    munmap((void *)image, image_size);
    run(final, argv);
    return 127;
}
