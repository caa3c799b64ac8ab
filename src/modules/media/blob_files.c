/* Blob files for a single machine (config blob_dir): written atomically,
 * read back only after their SHA-256 matches their name, so a disk that
 * flipped a bit answers a logged 500 instead of a wrong photo. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "modules/media/media_internal.h"

bool media_valid_address(const char *text)
{
	size_t n = 0;
	for (; text[n]; n++)
		if (!((text[n] >= '0' && text[n] <= '9') || (text[n] >= 'a' && text[n] <= 'f')) || n >= MEDIA_SHA256_HEX)
			return false;
	return n == MEDIA_SHA256_HEX;
}

void media_sha256_hex(const void *data, size_t len, char out[MEDIA_SHA256_HEX + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out, MEDIA_SHA256_HEX + 1, digest, sizeof digest);
}

/* DIR/ab/cd, and DIR/ab/cd/<name> when name is given. */
static bool blob_path(char *out, size_t size, const char *dir, const char *sha, const char *prefix)
{
	int n = prefix ? snprintf(out, size, "%s/%.2s/%.2s/%s%s", dir, sha, sha + 2, prefix, sha)
		       : snprintf(out, size, "%s/%.2s/%.2s", dir, sha, sha + 2);
	if (n < 0 || (size_t)n >= size) {
		log_error("blob_dir %s: path too long", dir);
		return false;
	}
	return true;
}

static bool sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* Makes path if missing; a new directory's entry is made durable in its
 * parent, or a crash could lose the directory with the files inside. */
static bool make_dir(const char *path, const char *parent)
{
	if (mkdir(path, 0750) == 0)
		return sync_dir(parent);
	return errno == EEXIST;
}

static bool write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

enum blob_file_rc blob_file_write(const char *dir, const char *sha, const void *data, size_t len)
{
	char top[PATH_MAX], leaf[PATH_MAX], final[PATH_MAX], tmp[PATH_MAX];
	if (!blob_path(leaf, sizeof leaf, dir, sha, NULL) || !blob_path(final, sizeof final, dir, sha, "") ||
	    !blob_path(tmp, sizeof tmp, dir, sha, ".tmp-"))
		return BLOB_FILE_ERROR;
	snprintf(top, sizeof top, "%s/%.2s", dir, sha);
	if (strlen(tmp) + 7 >= sizeof tmp) {
		log_error("blob_dir %s: path too long", dir);
		return BLOB_FILE_ERROR;
	}
	strcat(tmp, "XXXXXX");
	if (!make_dir(top, dir) || !make_dir(leaf, top)) {
		log_error("blob_dir: cannot make %s: %s", leaf, strerror(errno));
		return BLOB_FILE_ERROR;
	}
	/* mkstemp makes a unique name, so two uploads of the same photo at
	 * once never share a temporary file; their renames are atomic and
	 * leave the same bytes. */
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("blob_dir: cannot create a file in %s: %s", leaf, strerror(errno));
		return BLOB_FILE_ERROR;
	}
	bool ok = write_all(fd, data, len) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok)
		ok = rename(tmp, final) == 0;
	if (!ok) {
		log_error("blob_dir: cannot write %s: %s", final, strerror(errno));
		unlink(tmp);
		return BLOB_FILE_ERROR;
	}
	if (!sync_dir(leaf)) {
		log_error("blob_dir: cannot sync %s: %s", leaf, strerror(errno));
		return BLOB_FILE_ERROR;
	}
	return BLOB_FILE_OK;
}

bool blob_file_present(const char *dir, const char *sha, int64_t size)
{
	char path[PATH_MAX];
	struct stat st;
	return blob_path(path, sizeof path, dir, sha, "") && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size == size;
}

enum blob_file_rc blob_file_read(const char *dir, const char *sha, void **data, size_t *len)
{
	char path[PATH_MAX];
	if (!blob_path(path, sizeof path, dir, sha, ""))
		return BLOB_FILE_ERROR;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return BLOB_FILE_MISSING;
		log_error("blob_dir: cannot open %s: %s", path, strerror(errno));
		return BLOB_FILE_ERROR;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		log_error("blob_dir: %s is not a readable file", path);
		close(fd);
		return BLOB_FILE_ERROR;
	}
	if (st.st_size > (off_t)MEDIA_MAX_BYTES) {
		log_error("blob_dir: %s is corrupt: %lld bytes, more than any photo", path, (long long)st.st_size);
		close(fd);
		return BLOB_FILE_CORRUPT;
	}
	size_t want = (size_t)st.st_size, got = 0;
	unsigned char *buf = xmalloc(want ? want : 1);
	while (got < want) {
		ssize_t n = read(fd, buf + got, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int read_errno = errno;
	close(fd);
	if (got != want) {
		log_error("blob_dir: cannot read %s: %s", path, got < want ? strerror(read_errno) : "short read");
		free(buf);
		return BLOB_FILE_ERROR;
	}
	char actual[MEDIA_SHA256_HEX + 1];
	media_sha256_hex(buf, got, actual);
	if (strcmp(actual, sha) != 0) {
		log_error("blob_dir: %s is corrupt: its bytes hash to %s", path, actual);
		free(buf);
		return BLOB_FILE_CORRUPT;
	}
	*data = buf;
	*len = got;
	return BLOB_FILE_OK;
}

bool blob_file_intact(const char *dir, const char *sha)
{
	void *data;
	size_t len;
	if (blob_file_read(dir, sha, &data, &len) != BLOB_FILE_OK)
		return false;
	free(data);
	return true;
}

enum blob_file_rc blob_file_set_aside(const char *dir, const char *sha)
{
	char final[PATH_MAX], aside[PATH_MAX];
	if (!blob_path(final, sizeof final, dir, sha, "") || !blob_path(aside, sizeof aside, dir, sha, ".sweep-"))
		return BLOB_FILE_ERROR;
	if (rename(final, aside) == 0)
		return BLOB_FILE_OK;
	if (errno == ENOENT)
		return BLOB_FILE_MISSING;
	log_error("blob_dir: cannot move %s aside: %s", final, strerror(errno));
	return BLOB_FILE_ERROR;
}

void blob_file_discard(const char *dir, const char *sha)
{
	char aside[PATH_MAX], leaf[PATH_MAX];
	if (!blob_path(aside, sizeof aside, dir, sha, ".sweep-") || !blob_path(leaf, sizeof leaf, dir, sha, NULL))
		return;
	if (unlink(aside) != 0 && errno != ENOENT)
		log_error("blob_dir: cannot remove %s: %s", aside, strerror(errno));
	else
		sync_dir(leaf);
}

void blob_file_restore(const char *dir, const char *sha)
{
	char final[PATH_MAX], aside[PATH_MAX], leaf[PATH_MAX];
	if (!blob_path(final, sizeof final, dir, sha, "") || !blob_path(aside, sizeof aside, dir, sha, ".sweep-") ||
	    !blob_path(leaf, sizeof leaf, dir, sha, NULL))
		return;
	if (rename(aside, final) != 0)
		log_error("blob_dir: cannot put %s back: %s", final, strerror(errno));
	else
		sync_dir(leaf);
}
