/*
 * A small JSON object writer for the campaign's event log and notifications (RFC 8259).
 *
 * Builds one flat-or-nested object in a growing buffer:
 *
 *   orc_json j;
 *   orc_json_init(&j);
 *   orc_json_str(&j, "event", "fit_end");
 *   orc_json_num(&j, "force_mae", 0.104);      // eV/Å; NaN and ±inf are written as null
 *   orc_json_open(&j, "counts"); orc_json_int(&j, "train", 120); orc_json_close(&j);
 *   const char *text = orc_json_finish(&j);    // "{...}", valid until orc_json_fini
 *
 * Strings are escaped (quotes, backslash, control characters as \u00XX); bytes >= 0x80 are
 * passed through, so UTF-8 text stays UTF-8. Numbers are written with the fewest digits (15 to 17) that read back as the same double.
 * An allocation failure makes the writer sticky-failed: orc_json_finish then returns NULL.
 */
#ifndef ORC_JSON_H
#define ORC_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum { ORC_JSON_MAX_DEPTH = 8 };

typedef struct orc_json {
    char *buf;
    size_t len, cap;
    int depth;
    bool first[ORC_JSON_MAX_DEPTH];   /* no member written yet at this depth */
    bool failed;
    bool finished;
} orc_json;

/* Starts an empty object. */
void orc_json_init(orc_json *j);
void orc_json_fini(orc_json *j);

void orc_json_str(orc_json *j, const char *key, const char *value);
void orc_json_num(orc_json *j, const char *key, double value);
void orc_json_int(orc_json *j, const char *key, long value);
void orc_json_bool(orc_json *j, const char *key, bool value);
/* A nested object under key; close it with orc_json_close. */
void orc_json_open(orc_json *j, const char *key);
void orc_json_close(orc_json *j);

/* Closes every open object and returns the text (owned by j), or NULL after a failure. Calling
 * it again returns the same text. */
const char *orc_json_finish(orc_json *j);

#endif
