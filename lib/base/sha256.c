/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <string.h>

#include "sha256.h"

static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

/* One round: the eight working variables rotate by renaming (the caller
 * passes them shifted by one each round, eight rounds a loop step), not by
 * copying, so that, inlined, they stay in registers. */
static inline void sha_round(uint32_t a, uint32_t b, uint32_t c, uint32_t *d, uint32_t e, uint32_t f, uint32_t g,
                             uint32_t *h, uint32_t kw) {
        uint32_t t1 = *h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + kw;
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

        *d += t1;
        *h = t1 + t2;
}

/* One 64-byte block into the state. */
static void compress(uint32_t state[8], const uint8_t block[64]) {
        uint32_t w[64];
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6],
                 h = state[7];

        for (size_t i = 0; i < 16; i++)
                w[i] = (uint32_t) block[4 * i] << 24 | (uint32_t) block[4 * i + 1] << 16 |
                       (uint32_t) block[4 * i + 2] << 8 | (uint32_t) block[4 * i + 3];
        for (size_t i = 16; i < 64; i++) {
                uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        for (size_t i = 0; i < 64; i += 8) {
                sha_round(a, b, c, &d, e, f, g, &h, k[i] + w[i]);
                sha_round(h, a, b, &c, d, e, f, &g, k[i + 1] + w[i + 1]);
                sha_round(g, h, a, &b, c, d, e, &f, k[i + 2] + w[i + 2]);
                sha_round(f, g, h, &a, b, c, d, &e, k[i + 3] + w[i + 3]);
                sha_round(e, f, g, &h, a, b, c, &d, k[i + 4] + w[i + 4]);
                sha_round(d, e, f, &g, h, a, b, &c, k[i + 5] + w[i + 5]);
                sha_round(c, d, e, &f, g, h, a, &b, k[i + 6] + w[i + 6]);
                sha_round(b, c, d, &e, f, g, h, &a, k[i + 7] + w[i + 7]);
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
}

void sha256_init(Sha256 *s) {
        static const uint32_t h0[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        assert(s);
        memcpy(s->state, h0, sizeof h0);
        s->length = 0;
        s->n_buffer = 0;
}

void sha256_update(Sha256 *s, const void *data, size_t n) {
        const uint8_t *p = data;

        assert(s);
        assert(data || n == 0);
        s->length += n;
        if (s->n_buffer > 0) {
                size_t m = sizeof s->buffer - s->n_buffer;

                if (m > n)
                        m = n;
                memcpy(s->buffer + s->n_buffer, p, m);
                s->n_buffer += m;
                p += m;
                n -= m;
                if (s->n_buffer < sizeof s->buffer)
                        return;
                compress(s->state, s->buffer);
                s->n_buffer = 0;
        }
        for (; n >= 64; p += 64, n -= 64)
                compress(s->state, p);
        memcpy(s->buffer, p, n);
        s->n_buffer = n;
}

void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]) {
        uint64_t bits;
        uint8_t pad[72] = { 0x80 };
        size_t n_pad;

        assert(s);
        assert(ret);
        bits = s->length * 8;
        /* 0x80, zeroes up to 56 mod 64, the length in bits big-endian */
        n_pad = (s->n_buffer < 56 ? 56 : 120) - s->n_buffer;
        for (size_t i = 0; i < 8; i++)
                pad[n_pad + i] = (uint8_t) (bits >> (56 - 8 * i));
        sha256_update(s, pad, n_pad + 8);
        assert(s->n_buffer == 0);
        for (size_t i = 0; i < 8; i++)
                for (size_t j = 0; j < 4; j++)
                        ret[4 * i + j] = (uint8_t) (s->state[i] >> (24 - 8 * j));
}

void sha256_final_hex(Sha256 *s, char ret[SHA256_HEX_MAX]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t digest[SHA256_DIGEST_SIZE];

        assert(ret);
        sha256_final(s, digest);
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                ret[2 * i] = hex[digest[i] >> 4];
                ret[2 * i + 1] = hex[digest[i] & 0xf];
        }
        ret[SHA256_HEX_MAX - 1] = '\0';
}
