/* Passwords, tokens and the log-in throttle: pure rules and libsodium
 * wrappers, no I/O. */
#ifndef WG_IDENTITY_SECRETS_H
#define WG_IDENTITY_SECRETS_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 256
#define PASSWORD_HASH_BYTES crypto_pwhash_STRBYTES

/* NULL when acceptable, else why not (a constant string). */
const char *password_problem(const char *login, const char *password);
/* argon2id (libsodium's interactive limits). 0, or -1 when out of memory. */
int password_hash(const char *password, char out[PASSWORD_HASH_BYTES]);
bool password_verify(const char *hash, const char *password);
/* Spends the time of one verification, so an unknown login answers as
 * slowly as a wrong password. */
void password_burn(const char *password);
/* A readable random password for `wangge init` (caller's buffer >= 21). */
void password_generate(char *out, size_t size);

/* 256-bit secrets, base64url without padding: 43 characters. */
#define TOKEN_CHARS 43
void token_new(char out[TOKEN_CHARS + 1]);
/* BLAKE2b-256 of a token, hex: what the database keeps. */
void token_hash(const char *token, char out[65]);

/* A cookie rides along with any request the browser makes, so writes it
 * authenticates must carry the session's CSRF token; bearer tokens are
 * never sent by a browser on its own and need none. */
bool csrf_required(const char *method, bool bearer);
/* Constant-time comparison; a missing token never matches. */
bool csrf_matches(const char *sent, const char *expected);

/* Sessions: 12 hours idle, 7 days at most, whatever the activity. */
#define SESSION_IDLE_SECONDS (12 * 3600)
#define SESSION_ABSOLUTE_SECONDS (7 * 24 * 3600)
/* last_seen is written at most this often: not a write per request. */
#define SESSION_TOUCH_SECONDS 60
bool session_expired(int64_t created_at, int64_t last_seen_at, int64_t now);
bool session_needs_touch(int64_t last_seen_at, int64_t now);
/* The instant a session ends unless used again: its idle or absolute end,
 * whichever comes first (session_expired from then on). */
int64_t session_end(int64_t created_at, int64_t last_seen_at);

/* The log-in throttle. Each key allows `free_failures` in a window, then
 * locks for base * 2^(n-1) seconds after the n-th further failure, at most
 * cap seconds. The caps keep an attacker from locking anyone out for good. */
struct throttle_rule {
	const char *prefix; /* "pair:", "addr:", "login:" */
	int free_failures;
	int64_t base_seconds;
	int64_t cap_seconds;
};
#define THROTTLE_WINDOW_SECONDS (15 * 60)
extern const struct throttle_rule throttle_rules[3];
int64_t throttle_lock_seconds(const struct throttle_rule *rule, int64_t failures);

#endif
