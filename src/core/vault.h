/* Personal data at rest: fields such as ID numbers and phones are stored
 * encrypted (XSalsa20-Poly1305, libsodium crypto_secretbox) with a keyed
 * BLAKE2b hash beside them for exact look-up and de-duplication. The keys
 * live in a file outside the database (mode 0600), so a stolen database or
 * backup alone reveals nothing.
 *
 * Keys have versions: rotation adds a new version, re-encrypts rows, and
 * keeps old versions readable until no row uses them. */
#ifndef WG_CORE_VAULT_H
#define WG_CORE_VAULT_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAULT_MAX_VERSIONS 8
#define VAULT_HASH_HEX 33 /* 16-byte hash, hex, NUL */

struct vault_key {
	int version;
	unsigned char box[crypto_secretbox_KEYBYTES];
	unsigned char lookup[crypto_generichash_KEYBYTES];
};

struct vault {
	struct vault_key keys[VAULT_MAX_VERSIONS];
	int count;
	int current; /* the version new data is written with */
};

/* Creates a key file with one fresh version; refuses to overwrite. Returns
 * 0 or -1 with *err (caller frees). */
int vault_create(const char *path, char **err);
/* Loads a key file; refuses one readable by group or others. */
int vault_load(const char *path, struct vault *v, char **err);
/* Adds a fresh version to the file and makes it current (written to a new
 * file, fsynced and renamed, so a crash leaves the old or the new file). */
int vault_add_version(const char *path, struct vault *v, char **err);
/* Wipes the keys from memory. */
void vault_wipe(struct vault *v);

/* Size of the stored form of n bytes of plaintext. */
#define VAULT_SEALED_SIZE(n) (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + (n))
/* Encrypts text with the current key; out must hold VAULT_SEALED_SIZE(len). */
void vault_seal(const struct vault *v, const char *text, size_t len, unsigned char *out);
/* Decrypts sealed data written with key version; out gets len -
 * overhead bytes plus a NUL. false when forged, damaged or the version is
 * unknown. */
bool vault_open(const struct vault *v, int version, const unsigned char *sealed, size_t len, char *out, size_t size);
/* The look-up hash of text under key version (0: current), hex. The kind
 * ("id", "phone") is mixed in so equal strings of different kinds differ. */
void vault_hash(const struct vault *v, int version, const char *kind, const char *text, char out[VAULT_HASH_HEX]);
const struct vault_key *vault_key_of(const struct vault *v, int version);

#endif
