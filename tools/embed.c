/* Build-time generator: turns files into C tables compiled into wangge.
 *
 *   embed assets OUT.c BASEDIR FILE...   web files -> struct http_asset[]
 *                                        (MIME type, SHA-256 ETag, gzip form)
 *   embed migrations OUT.c FILE...       NNNN_name.sql -> struct store_migration[]
 *   embed text OUT.c SYMBOL FILE         any text file -> const char *const SYMBOL
 *
 * Run by Meson; FILE paths are relative to BASEDIR for assets. */
#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "embed: %s: %s\n", what, detail);
	exit(1);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die(path, strerror(errno));
	size_t cap = 65536, n = 0;
	unsigned char *data = malloc(cap);
	size_t got;
	while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			data = realloc(data, cap *= 2);
	}
	if (!data)
		die(path, "out of memory");
	fclose(f);
	*len = n;
	return data;
}

static void write_bytes(FILE *out, const char *name, const unsigned char *data, size_t len)
{
	fprintf(out, "static const unsigned char %s[%zu] = {", name, len + 1);
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%s%u,", i % 24 ? "" : "\n\t", data[i]);
	/* A trailing NUL lets SQL text be read as a C string. */
	fprintf(out, "\n\t0};\n");
}

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *mime;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json; charset=utf-8"},
		{".webmanifest", "application/manifest+json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".jpg", "image/jpeg"},
		{".webp", "image/webp"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".txt", "text/plain; charset=utf-8"},
		{".geojson", "application/geo+json"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].mime;
	return "application/octet-stream";
}

/* gzip with the best compression: done once at build time. */
static unsigned char *gzip(const unsigned char *data, size_t len, size_t *out_len)
{
	z_stream zs = {0};
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib", "deflateInit2 failed");
	size_t cap = deflateBound(&zs, len) + 32;
	unsigned char *out = malloc(cap);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		die("zlib", "deflate failed");
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static void etag_of(const unsigned char *data, size_t len, char *out)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, h, 16);
	sprintf(out, "\\\"%s\\\"", hex);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void embed_assets(FILE *out, const char *base, char **files, int n)
{
	qsort(files, (size_t)n, sizeof *files, cmp_str); /* the server bsearches */
	fprintf(out, "#include \"http/server.h\"\n\n");
	for (int i = 0; i < n; i++) {
		char path[4096], name[32];
		snprintf(path, sizeof path, "%s/%s", base, files[i]);
		size_t len, gz_len;
		unsigned char *data = read_file(path, &len);
		unsigned char *gz = gzip(data, len, &gz_len);
		snprintf(name, sizeof name, "asset_%d", i);
		write_bytes(out, name, data, len);
		/* Serve gzip only where it saves at least a tenth. */
		if (gz_len < len - len / 10) {
			snprintf(name, sizeof name, "asset_%d_gz", i);
			write_bytes(out, name, gz, gz_len);
		}
		free(data);
		free(gz);
	}
	fprintf(out, "\nconst struct http_asset wangge_assets[] = {\n");
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", base, files[i]);
		size_t len, gz_len;
		unsigned char *data = read_file(path, &len);
		unsigned char *gz = gzip(data, len, &gz_len);
		char etag[80], etag_gz[90];
		etag_of(data, len, etag);
		etag_of(gz, gz_len, etag_gz);
		int with_gz = gz_len < len - len / 10;
		fprintf(out, "\t{\"%s\", \"%s\", asset_%d, %zu, %s%d%s, %zu, \"%s\", \"%s\"},\n", files[i],
			mime_of(files[i]), i, len, with_gz ? "asset_" : "NULL", with_gz ? i : 0,
			with_gz ? "_gz" : "", with_gz ? gz_len : 0, etag, etag_gz);
		free(data);
		free(gz);
	}
	fprintf(out, "};\nconst size_t wangge_assets_count = %d;\n", n);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void embed_migrations(FILE *out, char **files, int n)
{
	/* Sort by file name so the version order is the file order. */
	qsort(files, (size_t)n, sizeof *files, cmp_str);
	fprintf(out, "#include \"store/store_backend.h\"\n\n");
	int last = 0;
	for (int i = 0; i < n; i++) {
		const char *b = base_name(files[i]);
		if (!isdigit((unsigned char)b[0]) || atoi(b) <= last || !strchr(b, '_'))
			die(files[i], "migrations are named NNNN_name.sql with increasing numbers");
		last = atoi(b);
		size_t len;
		unsigned char *data = read_file(files[i], &len);
		char name[32];
		snprintf(name, sizeof name, "migration_%d", i);
		write_bytes(out, name, data, len);
		free(data);
	}
	fprintf(out, "\nconst struct store_migration store_migrations[] = {\n");
	for (int i = 0; i < n; i++) {
		const char *b = base_name(files[i]);
		const char *us = strchr(b, '_');
		const char *dot = strrchr(b, '.');
		fprintf(out, "\t{%d, \"%.*s\", (const char *)migration_%d},\n", atoi(b), (int)(dot - us - 1), us + 1, i);
	}
	fprintf(out, "};\nconst size_t store_migrations_count = %d;\n", n);
}

/* One text file as a NUL-terminated string (e.g. the built-in working
 * calendar). The bytes go in an unsigned array: UTF-8 above 127 would not fit
 * a signed char initializer. */
static void embed_text(FILE *out, const char *symbol, const char *file)
{
	size_t len;
	unsigned char *data = read_file(file, &len);
	if (memchr(data, 0, len))
		die(file, "a text file holds a NUL byte");
	fprintf(out, "#include <stddef.h>\n\n");
	write_bytes(out, "text", data, len);
	fprintf(out, "extern const char *const %s;\nconst char *const %s = (const char *)text;\n", symbol, symbol);
	fprintf(out, "extern const size_t %s_len;\nconst size_t %s_len = %zu;\n", symbol, symbol, len);
	free(data);
}

int main(int argc, char **argv)
{
	if (argc < 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: embed assets OUT.c BASEDIR FILE... | embed migrations OUT.c FILE...\n"
				"       embed text OUT.c SYMBOL FILE\n");
		return 2;
	}
	FILE *out = fopen(argv[2], "w");
	if (!out)
		die(argv[2], strerror(errno));
	fprintf(out, "/* Generated by tools/embed.c: do not edit. */\n");
	if (strcmp(argv[1], "assets") == 0 && argc >= 4)
		embed_assets(out, argv[3], argv + 4, argc - 4);
	else if (strcmp(argv[1], "migrations") == 0)
		embed_migrations(out, argv + 3, argc - 3);
	else if (strcmp(argv[1], "text") == 0 && argc == 5)
		embed_text(out, argv[3], argv[4]);
	else
		die(argv[1], "unknown mode");
	if (fclose(out) != 0)
		die(argv[2], strerror(errno));
	return 0;
}
