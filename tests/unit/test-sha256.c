/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "sha256.h"
#include "test-util.h"

static void assert_hash(const char *data, size_t n, const char *expected) {
        char hex[SHA256_HEX_MAX];
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, data, n);
        sha256_final_hex(&s, hex);
        ck_assert_str_eq(hex, expected);
}

/* FIPS 180-4's examples (NIST CSRC, SHA256.pdf, SHA2_Additional.pdf). */
START_TEST(test_known_vectors) {
        assert_hash("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_hash("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assert_hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                    "mnopqrstnopqrstu",
                    112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

/* One million 'a', fed in pieces of every size from 1 to 257 bytes: the
 * buffering across blocks gives the one-shot result. */
START_TEST(test_million_a) {
        static char a[257];
        char hex[SHA256_HEX_MAX];
        size_t left = 1000000, step = 1;
        Sha256 s;

        memset(a, 'a', sizeof a);
        sha256_init(&s);
        while (left > 0) {
                size_t n = step < left ? step : left;

                sha256_update(&s, a, n);
                left -= n;
                step = step % sizeof a + 1;
        }
        sha256_final_hex(&s, hex);
        ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
START_TEST(test_padding_boundaries) {
        static const char a64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

        assert_hash(a64, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
        assert_hash(a64, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
        assert_hash(a64, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
        assert_hash(a64, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

static Suite *sha256_suite(void) {
        Suite *s = suite_create("sha256");
        TCase *tc = test_tcase_new("sha256", false);

        tcase_add_test(tc, test_known_vectors);
        tcase_add_test(tc, test_million_a);
        tcase_add_test(tc, test_padding_boundaries);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return test_run_suite(sha256_suite());
}
