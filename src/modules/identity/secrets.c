#include "modules/identity/secrets.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

const char *password_problem(const char *login, const char *password)
{
	if (utf8_chars(password) < PASSWORD_MIN_CHARS)
		return "The password must have at least 10 characters";
	if (strlen(password) > PASSWORD_MAX_BYTES)
		return "The password is too long";
	if (login && strcasecmp(login, password) == 0)
		return "The password must not be the login";
	bool same = true;
	for (const char *p = password + 1; *p && same; p++)
		same = *p == password[0];
	if (same)
		return "The password must not repeat one character";
	return NULL;
}

int password_hash(const char *password, char out[PASSWORD_HASH_BYTES])
{
	return crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

bool password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* A hash with the same limits as real ones, made once. */
static char burn_hash[PASSWORD_HASH_BYTES];
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

static void burn_init(void)
{
	if (password_hash("wangge-timing-equaliser", burn_hash) != 0)
		burn_hash[0] = '\0';
}

void password_burn(const char *password)
{
	pthread_once(&burn_once, burn_init);
	(void)password_verify(burn_hash, password);
}

void password_generate(char *out, size_t size)
{
	/* No look-alikes (0/O, 1/l/I), so it can be read out over a phone. */
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t n = size - 1 < 20 ? size - 1 : 20;
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[n] = '\0';
}

void token_new(char out[TOKEN_CHARS + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, TOKEN_CHARS + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

bool session_expired(int64_t created_at, int64_t last_seen_at, int64_t now)
{
	return now - last_seen_at >= SESSION_IDLE_SECONDS || now - created_at >= SESSION_ABSOLUTE_SECONDS;
}

int64_t session_end(int64_t created_at, int64_t last_seen_at)
{
	int64_t idle = last_seen_at + SESSION_IDLE_SECONDS, absolute = created_at + SESSION_ABSOLUTE_SECONDS;
	return idle < absolute ? idle : absolute;
}

bool session_needs_touch(int64_t last_seen_at, int64_t now)
{
	return now - last_seen_at >= SESSION_TOUCH_SECONDS;
}

/* pair: one login from one address, the ordinary guesser: 5 free, then
 * 1 s doubling to 15 min. addr: one address across logins, the sprayer:
 * 20 free, up to 1 h. login: one login from everywhere, the botnet: 20 free,
 * but never more than 60 s, so the owner can always get in within a minute. */
const struct throttle_rule throttle_rules[3] = {
	{"pair:", 5, 1, 15 * 60},
	{"addr:", 20, 1, 60 * 60},
	{"login:", 20, 1, 60},
};

int64_t throttle_lock_seconds(const struct throttle_rule *rule, int64_t failures)
{
	int64_t over = failures - rule->free_failures;
	if (over <= 0)
		return 0;
	int64_t s = rule->base_seconds;
	for (int64_t i = 1; i < over && s < rule->cap_seconds; i++)
		s *= 2;
	return s < rule->cap_seconds ? s : rule->cap_seconds;
}

bool csrf_required(const char *method, bool bearer)
{
	return !bearer && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

bool csrf_matches(const char *sent, const char *expected)
{
	size_t n = strlen(expected);
	return sent && n && strlen(sent) == n && sodium_memcmp(sent, expected, n) == 0;
}
