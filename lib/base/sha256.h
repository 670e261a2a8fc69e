/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SHA-256 (FIPS 180-4), for IDs that must not collide: a closure layer's
 * name is the hash of its list of store paths, and two lists with one
 * name would give one service the other's view. Incremental: init, any
 * number of updates, final. No allocation, no failure. */

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
/* 64 hex digits and a NUL */
#define SHA256_HEX_MAX (2 * SHA256_DIGEST_SIZE + 1)

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length; /* bytes hashed so far */
        uint8_t buffer[64];
        size_t n_buffer;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t n);
void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]);
/* final, as lower-case hex */
void sha256_final_hex(Sha256 *s, char ret[SHA256_HEX_MAX]);
