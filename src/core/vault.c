#include "core/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"

const struct vault_key *vault_key_of(const struct vault *v, int version)
{
	if (!version)
		version = v->current;
	for (int i = 0; i < v->count; i++)
		if (v->keys[i].version == version)
			return &v->keys[i];
	return NULL;
}

static int vault_write(const char *path, const struct vault *v, char **err)
{
	char *tmp = xasprintf("%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		*err = xasprintf("cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	fprintf(f, "# wangge data keys. Keep secret; back up apart from the database.\n"
		   "# Losing this file makes encrypted fields unreadable.\n");
	for (int i = 0; i < v->count; i++) {
		char box[2 * crypto_secretbox_KEYBYTES + 1], lookup[2 * crypto_generichash_KEYBYTES + 1];
		sodium_bin2hex(box, sizeof box, v->keys[i].box, sizeof v->keys[i].box);
		sodium_bin2hex(lookup, sizeof lookup, v->keys[i].lookup, sizeof v->keys[i].lookup);
		fprintf(f, "key.%d.box = %s\nkey.%d.lookup = %s\n", v->keys[i].version, box, v->keys[i].version, lookup);
		sodium_memzero(box, sizeof box);
		sodium_memzero(lookup, sizeof lookup);
	}
	fprintf(f, "current = %d\n", v->current);
	bool ok = fflush(f) == 0 && fsync(fd) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static void vault_fresh(struct vault_key *k, int version)
{
	k->version = version;
	randombytes_buf(k->box, sizeof k->box);
	randombytes_buf(k->lookup, sizeof k->lookup);
}

int vault_create(const char *path, char **err)
{
	if (access(path, F_OK) == 0) {
		*err = xasprintf("%s exists already: keys are never overwritten", path);
		return -1;
	}
	struct vault v = {.count = 1, .current = 1};
	vault_fresh(&v.keys[0], 1);
	int rc = vault_write(path, &v, err);
	vault_wipe(&v);
	return rc;
}

int vault_add_version(const char *path, struct vault *v, char **err)
{
	if (v->count == VAULT_MAX_VERSIONS) {
		*err = xasprintf("%s holds %d key versions: retire old ones first", path, VAULT_MAX_VERSIONS);
		return -1;
	}
	int next = 0;
	for (int i = 0; i < v->count; i++)
		if (v->keys[i].version > next)
			next = v->keys[i].version;
	vault_fresh(&v->keys[v->count], next + 1);
	v->count++;
	v->current = next + 1;
	return vault_write(path, v, err);
}

int vault_load(const char *path, struct vault *v, char **err)
{
	memset(v, 0, sizeof *v);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		*err = xasprintf("cannot read the key file %s: %s (wangge init creates it)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & 077) {
		*err = xasprintf("%s is readable by others: chmod 600 it", path);
		close(fd);
		return -1;
	}
	FILE *f = fdopen(fd, "r");
	char line[512];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		int version;
		char kind[16], hex[200];
		if (sscanf(line, "current = %d", &version) == 1) {
			v->current = version;
			continue;
		}
		if (sscanf(line, "key.%d.%15[a-z] = %199s", &version, kind, hex) != 3 || version <= 0) {
			*err = xasprintf("%s:%d: not a key line", path, lineno);
			rc = -1;
			break;
		}
		struct vault_key *k = (struct vault_key *)vault_key_of(v, version);
		if (!k) {
			if (v->count == VAULT_MAX_VERSIONS) {
				*err = xasprintf("%s: too many key versions", path);
				rc = -1;
				break;
			}
			k = &v->keys[v->count++];
			k->version = version;
		}
		unsigned char *dst = strcmp(kind, "box") == 0 ? k->box : strcmp(kind, "lookup") == 0 ? k->lookup : NULL;
		size_t got = 0;
		if (!dst || sodium_hex2bin(dst, 32, hex, strlen(hex), NULL, &got, NULL) != 0 || got != 32) {
			*err = xasprintf("%s:%d: malformed key", path, lineno);
			rc = -1;
			break;
		}
		sodium_memzero(hex, sizeof hex);
	}
	fclose(f);
	sodium_memzero(line, sizeof line);
	if (rc == 0 && (!v->count || !vault_key_of(v, v->current))) {
		*err = xasprintf("%s: no current key", path);
		rc = -1;
	}
	if (rc)
		vault_wipe(v);
	return rc;
}

void vault_wipe(struct vault *v)
{
	sodium_memzero(v, sizeof *v);
}

void vault_seal(const struct vault *v, const char *text, size_t len, unsigned char *out)
{
	const struct vault_key *k = vault_key_of(v, 0);
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, len, out, k->box);
}

bool vault_open(const struct vault *v, int version, const unsigned char *sealed, size_t len, char *out, size_t size)
{
	const struct vault_key *k = vault_key_of(v, version);
	size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	if (!k || len < overhead || len - overhead + 1 > size)
		return false;
	if (crypto_secretbox_open_easy((unsigned char *)out, sealed + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, sealed, k->box) != 0)
		return false;
	out[len - overhead] = '\0';
	return true;
}

void vault_hash(const struct vault *v, int version, const char *kind, const char *text, char out[VAULT_HASH_HEX])
{
	const struct vault_key *k = vault_key_of(v, version);
	unsigned char h[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, k->lookup, sizeof k->lookup, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, VAULT_HASH_HEX, h, sizeof h);
}
