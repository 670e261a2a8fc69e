/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json-query FILE [KEY|INDEX]...: checks that FILE ("-": stdin) is one
 * valid JSON document and prints the value at the path given (strings
 * raw, anything else as compact JSON, "length" of an array or object as
 * "#"). Exits 1 on invalid JSON or a missing path. For the tests of
 * confinementctl, without jq or python. */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
        json_error_t error;
        json_t *doc, *v;

        if (argc < 2) {
                fprintf(stderr, "usage: json-query FILE [KEY|INDEX|#]...\n");
                return 2;
        }
        doc = strcmp(argv[1], "-") == 0 ? json_loadf(stdin, 0, &error) : json_load_file(argv[1], 0, &error);
        if (!doc) {
                fprintf(stderr, "json-query: %s:%d:%d: %s\n", argv[1], error.line, error.column, error.text);
                return 1;
        }
        v = doc;
        for (int i = 2; i < argc; i++) {
                if (strcmp(argv[i], "#") == 0) {
                        printf("%zu\n", json_is_array(v) ? json_array_size(v) : json_object_size(v));
                        json_decref(doc);
                        return 0;
                }
                if (json_is_array(v))
                        v = json_array_get(v, strtoul(argv[i], NULL, 10));
                else if (json_is_object(v))
                        v = json_object_get(v, argv[i]);
                else
                        v = NULL;
                if (!v) {
                        fprintf(stderr, "json-query: no %s\n", argv[i]);
                        json_decref(doc);
                        return 1;
                }
        }
        if (json_is_string(v))
                printf("%s\n", json_string_value(v));
        else {
                char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                printf("%s\n", s ? s : "");
                free(s);
        }
        json_decref(doc);
        return 0;
}
