/* Areas: the pure rules (codes, names, levels, outlines) and the
 * arithmetic of materialized paths. No I/O: unit tests call all of it. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modules/areas/areas.h"

bool areas_valid_code(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n < 1 || n > AREA_CODE_MAX)
		return false;
	/* ASCII by hand: isalnum() follows the locale. */
	for (const char *p = code; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
			  ch == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* The length in bytes of the UTF-8 sequence at s, or 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF included).
 * The API's strings come through jansson, which checks this already; the
 * CLI's come from files, which may well be GBK. */
static size_t areas_utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool areas_valid_name(const char *name)
{
	if (!name)
		return false;
	size_t chars = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p;) {
		size_t n = areas_utf8_seq(p);
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7F)))
			return false;
		p += n;
		chars++;
	}
	return chars >= 1 && chars <= AREA_NAME_MAX;
}

bool areas_level_fits(int parent_level, int child_level)
{
	return parent_level >= 0 && child_level > parent_level && child_level < AREA_LEVELS;
}

/* ---- outlines ---- */

/* A position: [longitude, latitude] or with an altitude, finite numbers. */
static bool areas_position_ok(const json_t *p)
{
	size_t n = json_array_size(p);
	if (!json_is_array(p) || n < 2 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_array_get(p, i);
		if (!json_is_number(v) || !isfinite(json_number_value(v)))
			return false;
	}
	return true;
}

/* A polygon's coordinates: one or more linear rings of four or more
 * positions (RFC 7946 3.1.6). Closure is not checked: imported data often
 * leaves it out, and nothing here computes with the outline. */
static bool areas_polygon_ok(const json_t *rings)
{
	if (!json_is_array(rings) || json_array_size(rings) == 0)
		return false;
	for (size_t r = 0; r < json_array_size(rings); r++) {
		const json_t *ring = json_array_get(rings, r);
		if (!json_is_array(ring) || json_array_size(ring) < 4)
			return false;
		for (size_t i = 0; i < json_array_size(ring); i++)
			if (!areas_position_ok(json_array_get(ring, i)))
				return false;
	}
	return true;
}

static const char *areas_geometry_problem(const json_t *g)
{
	if (!json_is_object(g))
		return "The geometry must be an object";
	const char *type = json_string_value(json_object_get(g, "type"));
	const json_t *coords = json_object_get(g, "coordinates");
	if (!type)
		return "The geometry has no \"type\"";
	if (strcmp(type, "Polygon") == 0)
		return areas_polygon_ok(coords) ? NULL : "A Polygon's coordinates must be rings of 4 or more positions";
	if (strcmp(type, "MultiPolygon") == 0) {
		if (!json_is_array(coords) || json_array_size(coords) == 0)
			return "A MultiPolygon's coordinates must be a list of polygons";
		for (size_t i = 0; i < json_array_size(coords); i++)
			if (!areas_polygon_ok(json_array_get(coords, i)))
				return "A MultiPolygon's coordinates must be polygons of rings of 4 or more positions";
		return NULL;
	}
	return "An area's outline is a Polygon or a MultiPolygon";
}

static const char *areas_feature_problem(const json_t *f)
{
	if (!json_is_object(f) || !json_is_string(json_object_get(f, "type")) ||
	    strcmp(json_string_value(json_object_get(f, "type")), "Feature") != 0)
		return "A FeatureCollection's features must be Features";
	const json_t *g = json_object_get(f, "geometry");
	if (!g || json_is_null(g))
		return "A Feature of an outline needs a \"geometry\"";
	return areas_geometry_problem(g);
}

const char *areas_geojson_problem(const json_t *geojson)
{
	if (!json_is_object(geojson))
		return "geojson must be a GeoJSON object";
	const char *type = json_string_value(json_object_get(geojson, "type"));
	if (!type)
		return "geojson has no \"type\"";
	if (strcmp(type, "Feature") == 0)
		return areas_feature_problem(geojson);
	if (strcmp(type, "FeatureCollection") == 0) {
		const json_t *features = json_object_get(geojson, "features");
		if (!json_is_array(features) || json_array_size(features) == 0)
			return "A FeatureCollection needs a non-empty \"features\" list";
		for (size_t i = 0; i < json_array_size(features); i++) {
			const char *problem = areas_feature_problem(json_array_get(features, i));
			if (problem)
				return problem;
		}
		return NULL;
	}
	return areas_geometry_problem(geojson);
}

bool areas_error_set(struct areas_error *err, enum http_error code, const char *field, const char *fmt, ...)
{
	err->code = code;
	err->field = field;
	err->message[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool areas_check_new(const struct areas_new *in, struct areas_error *err)
{
	if (!areas_valid_code(in->code))
		return areas_error_set(err, HTTP_ERR_invalid_value, "code", "A code is 1 to %d letters, digits, '_' or '-'", AREA_CODE_MAX);
	if (!areas_valid_name(in->name))
		return areas_error_set(err, HTTP_ERR_invalid_value, "name",
				  "A name is 1 to %d characters of UTF-8 text without control characters", AREA_NAME_MAX);
	if (area_level_parse(in->level) < 0)
		return areas_error_set(err, HTTP_ERR_invalid_value, "level",
				  "Unknown level '%.40s': root, city, county, town, community, grid or building",
				  in->level ? in->level : "");
	if (in->parent_code && *in->parent_code && !areas_valid_code(in->parent_code))
		return areas_error_set(err, HTTP_ERR_invalid_value, "parent_code", "No such parent area in your scope");
	const char *problem = in->geojson ? areas_geojson_problem(in->geojson) : NULL;
	if (problem)
		return areas_error_set(err, HTTP_ERR_invalid_value, "geojson", "%s", problem);
	return true;
}

/* ---- materialized paths ---- */

bool areas_child_path(const char *parent_path, int64_t id, char *out, size_t size)
{
	int n = snprintf(out, size, "%s%lld/", parent_path, (long long)id);
	return id > 0 && n > 0 && (size_t)n < size;
}

bool areas_path_within(const char *path, const char *top)
{
	/* A prefix test is the subtree test because every component ends
	 * with '/': "/1/5/" is not a prefix of "/1/50/". */
	size_t n = strlen(top);
	return n > 0 && top[n - 1] == '/' && strncmp(path, top, n) == 0;
}

int areas_path_ids(const char *path, int64_t *ids, int max)
{
	if (!path || path[0] != '/')
		return -1;
	int count = 0;
	const char *p = path + 1;
	while (*p) {
		int64_t id = 0;
		const char *start = p;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (id > (INT64_MAX - 9) / 10)
				return -1;
			id = id * 10 + (*p - '0');
		}
		if (p == start || *p != '/' || id == 0 || count == max)
			return -1;
		ids[count++] = id;
		p++;
	}
	return count;
}

bool areas_moved_path(const char *path, const char *old_top, const char *new_top, char *out, size_t size)
{
	if (!areas_path_within(path, old_top))
		return false;
	int n = snprintf(out, size, "%s%s", new_top, path + strlen(old_top));
	return n > 0 && (size_t)n < size;
}
