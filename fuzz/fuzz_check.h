// Shared by the libFuzzer targets in this folder. A broken invariant must stop the fuzzer with a message
// saying which one, so the saved crash input comes with its reason; abort() is what libFuzzer reports as
// a crash (and assert() would vanish in a Release build). A test that replays a target's inputs
// (tests/core/regressions.test.cpp) defines FUZZ_REQUIRE first, as a test assertion.
#pragma once
#include <cstdio>
#include <cstdlib>

#ifndef FUZZ_REQUIRE
#define FUZZ_REQUIRE(condition, what)                                                                 \
    do {                                                                                              \
        if (!(condition)) {                                                                           \
            std::fprintf(stderr, "%s:%d: invariant broken: %s\n  (%s)\n", __FILE__, __LINE__, what, #condition); \
            std::abort();                                                                             \
        }                                                                                             \
    } while (0)
#endif
